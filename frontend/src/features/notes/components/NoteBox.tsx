import { useQuery } from '@tanstack/react-query';
import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { Button, ErrorBox } from '../../../components/ui';
import { membersQuery } from '../../team/api/team';
import { insertMention, matchMembers, mentionAt, useAddNote, type NoteTarget } from '../api/notes';

/**
 * The internal-note form: for the team only (never sent to the visitor). Typing `@` opens a
 * list of members (arrow keys or the mouse to choose, Enter or Tab to insert, Escape to
 * close); the mentioned members are notified.
 */
export function NoteBox({ ws, target, myId }: { ws: string; target: NoteTarget; myId?: string }) {
  const add = useAddNote(ws, target);
  const members = useQuery(membersQuery(ws));
  const [body, setBody] = useState('');
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const id = useId();

  const typing = mentionAt(body, caret);
  const options = typing && typing.start !== dismissed ? matchMembers(members.data?.items ?? [], typing.query) : [];
  const open = options.length > 0;
  const current = Math.min(active, options.length - 1);

  const choose = (i: number) => {
    const m = options[i];
    if (!typing || !m) return;
    const next = insertMention(body, typing.start, caret, m.name || m.email);
    setBody(next.text);
    setCaret(next.caret);
    setActive(0);
    // The list closes for this mention (a new `@` opens it again).
    setDismissed(typing.start);
    requestAnimationFrame(() => {
      area.current?.focus();
      area.current?.setSelectionRange(next.caret, next.caret);
    });
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const text = body.trim();
    if (!text) return;
    setDone(null);
    add.mutate(text, {
      onSuccess: (note) => {
        setBody('');
        setCaret(0);
        const others = note.mentions.filter((m) => m.user_id !== myId).map((m) => m.name);
        setDone(others.length ? `Note added; ${others.join(', ')} ${others.length === 1 ? 'was' : 'were'} notified.` : 'Note added.');
      },
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (open) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = options.length;
        setActive((current + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        if (!(e.metaKey || e.ctrlKey)) {
          e.preventDefault();
          choose(current);
          return;
        }
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setDismissed(typing?.start ?? null);
        return;
      }
    }
    if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) submit(e);
  };

  const listId = `${id}-mentions`;
  return (
    <section className="card reply note-box o-note" aria-labelledby={`${id}-title`}>
      <h2 className="card-title" id={`${id}-title`}>
        Internal note
      </h2>
      <form onSubmit={submit} className="stack">
        <div className="note-box-field">
          <label htmlFor={`${id}-body`} className="sr-only">
            Internal note
          </label>
          <textarea
            ref={area}
            id={`${id}-body`}
            className="input textarea"
            rows={3}
            placeholder="Write a note for your team… type @ to mention someone"
            value={body}
            role="combobox"
            aria-expanded={open}
            aria-controls={open ? listId : undefined}
            aria-autocomplete="list"
            aria-activedescendant={open ? `${listId}-${current}` : undefined}
            aria-describedby={`${id}-hint`}
            onChange={(e) => {
              setBody(e.target.value);
              setCaret(e.target.selectionStart ?? e.target.value.length);
              setActive(0);
              setDone(null);
              // Typing a new `@` reopens the list.
              const t = mentionAt(e.target.value, e.target.selectionStart ?? e.target.value.length);
              if (t && t.start !== dismissed) setDismissed(null);
            }}
            onSelect={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
            onKeyDown={onKeyDown}
            onBlur={() => setDismissed(typing?.start ?? null)}
          />
          {open ? (
            <ul className="mention-list" role="listbox" id={listId} aria-label="Mention a teammate">
              {options.map((m, i) => (
                <li
                  key={m.user_id}
                  id={`${listId}-${i}`}
                  role="option"
                  aria-selected={i === current}
                  className="mention-option"
                  onMouseDown={(e) => {
                    e.preventDefault();
                    choose(i);
                  }}
                  onMouseEnter={() => setActive(i)}
                >
                  <span>{m.name || m.email}</span>
                  <span className="mention-option-email">{m.email}</span>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
        <div className="reply-foot">
          <p className="field-hint" id={`${id}-hint`}>
            Only your team sees notes: never the visitor, in the chat or by email.
          </p>
          <Button type="submit" variant="secondary" busy={add.isPending} disabled={!body.trim()}>
            Add note
          </Button>
        </div>
        {add.error ? <ErrorBox error={add.error} /> : null}
        {done ? (
          <p className="field-ok" role="status">
            {done}
          </p>
        ) : null}
      </form>
    </section>
  );
}
