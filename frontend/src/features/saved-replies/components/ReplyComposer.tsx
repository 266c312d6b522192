import { useQuery } from '@tanstack/react-query';
import { useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type Ref, type TextareaHTMLAttributes } from 'react';
import { meQuery, useSession } from '../../auth/api/auth';
import { workspaceQuery } from '../../workspaces/api/workspaces';
import { fillVariables, filterSavedReplies, insertAt, slashTokenAt, unfilled, type ReplyContext, type SlashToken } from '../api/compose';
import { savedRepliesQuery } from '../api/saved-replies';

type TextareaProps = Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'value' | 'onChange' | 'children'>;

interface Props extends TextareaProps {
  ws: string;
  value: string;
  onValueChange: (text: string) => void;
  /** The visitor's email, when known. */
  visitorEmail?: string | null;
  /** The ticket's number as the dashboard shows it (TKT-10001), when there is a ticket. */
  ticketNumber?: string | null;
  /** The text field itself, for the page (the ticket page's `r` focuses it). */
  textareaRef?: Ref<HTMLTextAreaElement>;
}

/** Options shown at once (the list scrolls past them). */
const SHOWN = 50;
/** Height the list wants (px), and the dashboard's top bar that covers the page. */
const LIST_ROOM = 300;
const TOPBAR = 56;

/**
 * The reply textarea with saved replies: typing `/` at the start or after a space opens a
 * list of the workspace's saved replies filtered by what follows (shortcut and title).
 * ↑/↓ move, Enter or Tab inserts, Escape closes, a click inserts. Inserting replaces the
 * `/query` with the reply's body, its variables filled in (unknown values left visible).
 */
export function ReplyComposer({ ws, value, onValueChange, visitorEmail, ticketNumber, textareaRef, onKeyDown, onSelect, onBlur, className, ...rest }: Props) {
  const replies = useQuery(savedRepliesQuery(ws));
  const me = useQuery(meQuery());
  const session = useSession();
  const workspace = useQuery(workspaceQuery(ws));
  const ctx: ReplyContext = {
    'visitor.email': visitorEmail,
    'ticket.number': ticketNumber,
    'agent.name': me.data?.name ?? session?.user.name,
    'workspace.name': workspace.data?.name,
  };
  const area = useRef<HTMLTextAreaElement>(null);
  const listId = useId();
  const [token, setToken] = useState<SlashToken | null>(null);
  const [active, setActive] = useState(0);
  // Escape closes the list for this `/` until the agent types another one.
  const [dismissed, setDismissed] = useState<number | null>(null);
  const [caretAfter, setCaretAfter] = useState<number | null>(null);

  const matches = useMemo(() => (token ? filterSavedReplies(replies.data ?? [], token.query).slice(0, SHOWN) : []), [token, replies.data]);
  const open = token !== null && token.start !== dismissed;
  const activeIndex = Math.min(active, Math.max(matches.length - 1, 0));
  const activeId = open && matches.length ? `${listId}-opt-${matches[activeIndex].id}` : undefined;
  const missing = unfilled(value);

  // After an insert, the caret goes to the end of the inserted text.
  useLayoutEffect(() => {
    if (caretAfter === null || !area.current) return;
    area.current.focus();
    area.current.setSelectionRange(caretAfter, caretAfter);
    setCaretAfter(null);
  }, [caretAfter]);

  // The list opens above the box, or below it when there is too little room above and more below.
  const [below, setBelow] = useState<number | null>(null);
  useLayoutEffect(() => {
    if (!open || !area.current) return;
    const rect = area.current.getBoundingClientRect();
    const above = rect.top - TOPBAR;
    const under = window.innerHeight - rect.bottom;
    setBelow(above < LIST_ROOM && under > above ? area.current.offsetHeight + 6 : null);
  }, [open]);

  // The option in view as the active one moves.
  useLayoutEffect(() => {
    if (!activeId) return;
    document.getElementById(activeId)?.scrollIntoView?.({ block: 'nearest' });
  }, [activeId]);

  const look = (text: string, caret: number | null) => {
    const t = caret === null ? null : slashTokenAt(text, caret);
    if (!t || !token || t.start !== token.start || t.query !== token.query) setActive(0);
    setToken(t);
    if (!t || (dismissed !== null && t.start !== dismissed)) setDismissed(null);
  };

  const choose = (index: number) => {
    const reply = matches[index];
    if (!reply || !token) return;
    const { text } = fillVariables(reply.body, ctx);
    const next = insertAt(value, token, text);
    onValueChange(next.text);
    setToken(null);
    setCaretAfter(next.caret);
  };

  const keyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // Keys that finish an IME composition (Enter picks the candidate) are the IME's.
    if (open && !e.nativeEvent.isComposing) {
      const n = matches.length;
      if (e.key === 'ArrowDown' && n) {
        e.preventDefault();
        setActive((activeIndex + 1) % n);
        return;
      }
      if (e.key === 'ArrowUp' && n) {
        e.preventDefault();
        setActive((activeIndex - 1 + n) % n);
        return;
      }
      if ((e.key === 'Enter' || e.key === 'Tab') && !e.shiftKey && !e.metaKey && !e.ctrlKey && !e.altKey && n) {
        e.preventDefault();
        choose(activeIndex);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        setDismissed(token.start);
        return;
      }
    }
    onKeyDown?.(e);
  };

  return (
    <div className="composer">
      <textarea
        ref={(el) => {
          area.current = el;
          if (typeof textareaRef === 'function') textareaRef(el);
          else if (textareaRef) textareaRef.current = el;
        }}
        className={className ?? 'input textarea'}
        value={value}
        aria-autocomplete="list"
        aria-controls={open ? listId : undefined}
        aria-activedescendant={activeId}
        {...rest}
        onChange={(e) => {
          onValueChange(e.target.value);
          look(e.target.value, e.target.selectionStart);
        }}
        onSelect={(e) => {
          const el = e.currentTarget;
          look(el.value, el.selectionStart === el.selectionEnd ? el.selectionStart : null);
          onSelect?.(e);
        }}
        onKeyDown={keyDown}
        onBlur={(e) => {
          setToken(null);
          onBlur?.(e);
        }}
      />
      {open ? (
        <div className={`saved-popover ${below !== null ? 'is-below' : ''}`} style={below !== null ? { top: below } : undefined}>
          {matches.length ? (
            <ul className="saved-options" role="listbox" id={listId} aria-label="Saved replies">
              {matches.map((r, i) => (
                <li
                  key={r.id}
                  id={`${listId}-opt-${r.id}`}
                  role="option"
                  aria-selected={i === activeIndex}
                  className={`saved-option ${i === activeIndex ? 'is-active' : ''}`}
                  // Keep the focus (and the caret) in the textarea.
                  onMouseDown={(e) => e.preventDefault()}
                  onMouseMove={() => i !== activeIndex && setActive(i)}
                  onClick={() => choose(i)}
                >
                  <span className="saved-option-head">
                    <span className="saved-shortcut">/{r.shortcut}</span>
                    <span className="saved-title">{r.title}</span>
                  </span>
                  <span className="saved-preview">{fillVariables(r.body, ctx).text}</span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="saved-empty" id={listId} role="status">
              {replies.isPending
                ? 'Loading saved replies…'
                : replies.error
                  ? 'Saved replies could not be loaded.'
                  : (replies.data ?? []).length
                    ? `No saved reply matches “/${token.query}”.`
                    : 'No saved replies yet: owners and admins add them under Saved replies.'}
            </p>
          )}
          <p className="saved-keys" aria-hidden="true">
            <kbd>↑</kbd>
            <kbd>↓</kbd> choose · <kbd>Enter</kbd> insert · <kbd>Esc</kbd> close
          </p>
        </div>
      ) : null}
      {missing.length ? (
        <p className="field-warn" role="status" data-testid="unfilled-variables">
          Still {missing.length === 1 ? 'a placeholder' : 'placeholders'}: {missing.map((v) => `{{${v}}}`).join(', ')} (no value is known here). Replace {missing.length === 1 ? 'it' : 'them'} before sending.
        </p>
      ) : null}
    </div>
  );
}
