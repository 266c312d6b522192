import { useQuery } from '@tanstack/react-query';
import { useId, useRef, useState, type FormEvent } from 'react';
import { Button, Card, Empty, ErrorBox, PageHeader, Spinner, TextField } from '../../../components/ui';
import { ApiError, errorMessage, fieldError } from '../../../lib/errors';
import type { SavedReply } from '../../../lib/types';
import { isAdmin, useMyRole, useWs } from '../../workspaces/api/workspaces';
import { VARIABLES, filterSavedReplies, splitVariables } from '../api/compose';
import {
  SHORTCUT_PATTERN,
  normalShortcut,
  savedRepliesQuery,
  useCreateSavedReply,
  useDeleteSavedReply,
  useUpdateSavedReply,
  type SavedReplyFields,
} from '../api/saved-replies';

const TITLE_MAX = 100;
const BODY_MAX = 10_000;

/** Saved replies: owners and admins write them; everyone uses them with `/` in a reply. */
export function SavedRepliesPage() {
  const ws = useWs();
  const role = useMyRole(ws);
  const manage = isAdmin(role);
  const replies = useQuery(savedRepliesQuery(ws));
  const [filter, setFilter] = useState('');
  const shown = filterSavedReplies(replies.data ?? [], filter);
  const count = replies.data?.length ?? 0;
  return (
    <div className="page">
      <PageHeader
        title="Saved replies"
        subtitle={
          <>
            Answers your team sends again and again. In a reply, type <kbd>/</kbd> and the start of a shortcut (or title), pick one with the arrow keys and press
            Enter: it is inserted with the visitor’s email, the ticket number, your name and the workspace name filled in.{' '}
            {manage ? null : 'Owners and admins manage the list.'}
          </>
        }
      />
      {manage ? <CreateSavedReply ws={ws} /> : null}
      <Card
        title="Workspace saved replies"
        id="saved-replies"
        className="card-flush-body"
        actions={
          count > 5 ? (
            <input
              className="input input-sm saved-filter"
              type="search"
              placeholder="Filter by shortcut or title"
              aria-label="Filter saved replies"
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
            />
          ) : null
        }
      >
        {replies.isPending ? <Spinner /> : null}
        {replies.error ? <ErrorBox error={replies.error} onRetry={() => void replies.refetch()} /> : null}
        {replies.data && count === 0 ? (
          <Empty title="No saved replies yet">{manage ? 'Add the first one above.' : 'Only owners and admins create saved replies.'}</Empty>
        ) : null}
        {replies.data && count > 0 && shown.length === 0 ? <Empty title={`Nothing matches “${filter.trim()}”`} /> : null}
        <ul className="saved-admin-list">
          {shown.map((r) => (
            <SavedReplyRow key={r.id} ws={ws} reply={r} manage={manage} />
          ))}
        </ul>
      </Card>
    </div>
  );
}

function shortcutProblem(err: unknown): string | undefined {
  return fieldError(err, 'shortcut') ?? (err instanceof ApiError && err.code === 'shortcut_taken' ? errorMessage(err) : undefined);
}

/** The fields of a saved reply, for a new one or an edit. */
function SavedReplyForm({
  initial,
  submitLabel,
  busy,
  error,
  onSubmit,
  onCancel,
  labelSuffix = '',
}: {
  initial: SavedReplyFields;
  submitLabel: string;
  busy: boolean;
  error: unknown;
  onSubmit: (fields: SavedReplyFields, reset: () => void) => void;
  onCancel?: () => void;
  labelSuffix?: string;
}) {
  const [title, setTitle] = useState(initial.title);
  const [shortcut, setShortcut] = useState(initial.shortcut);
  const [body, setBody] = useState(initial.body);
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const id = useId();
  // What was last sent: the server's word on a field holds until that field is changed.
  const [sent, setSent] = useState<SavedReplyFields | null>(null);
  const normal = normalShortcut(shortcut);
  const current: SavedReplyFields = { title: title.trim(), shortcut: normal, body: body.trim() };
  const said = (field: keyof SavedReplyFields, problem: string | undefined) => (sent && sent[field] === current[field] ? problem : undefined);
  const localShortcut = shortcut.trim() && !SHORTCUT_PATTERN.test(normal) ? 'Use 1 to 32 lower-case letters, digits, - or _ (no spaces).' : undefined;
  const shortcutError = localShortcut ?? said('shortcut', shortcutProblem(error));
  const bodyError = said('body', fieldError(error, 'body'));
  const titleError = said('title', fieldError(error, 'title'));
  const fieldProblem = shortcutProblem(error) ?? fieldError(error, 'body') ?? fieldError(error, 'title');
  const other = error && !fieldProblem ? error : null;
  const reset = () => {
    setTitle('');
    setShortcut('');
    setBody('');
  };
  const insertVariable = (v: string) => {
    const el = bodyRef.current;
    const text = `{{${v}}}`;
    const start = el?.selectionStart ?? body.length;
    const end = el?.selectionEnd ?? body.length;
    setBody(body.slice(0, start) + text + body.slice(end));
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + text.length, start + text.length);
    });
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (localShortcut) return;
    setSent(current);
    onSubmit(current, reset);
  };
  const ready = title.trim() && normal && body.trim() && !localShortcut;
  return (
    <form className="stack" onSubmit={submit}>
      <div className="saved-form-row">
        <TextField
          label={`Title${labelSuffix}`}
          required
          maxLength={TITLE_MAX}
          placeholder="e.g. Refund started"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          error={titleError}
          className="grow"
        />
        <div className="field saved-shortcut-field">
          <label className="field-label" htmlFor={`${id}-shortcut`}>
            Shortcut{labelSuffix}
          </label>
          <div className="input-prefixed">
            <span aria-hidden="true">/</span>
            <input
              id={`${id}-shortcut`}
              className="input"
              required
              maxLength={33}
              placeholder="refund"
              autoCapitalize="none"
              autoCorrect="off"
              spellCheck={false}
              value={shortcut}
              onChange={(e) => setShortcut(e.target.value)}
              aria-invalid={shortcutError ? true : undefined}
              aria-describedby={shortcutError ? `${id}-shortcut-err` : `${id}-shortcut-hint`}
            />
          </div>
          {shortcutError ? (
            <p className="field-error" id={`${id}-shortcut-err`} role="alert">
              {shortcutError}
            </p>
          ) : (
            <p className="field-hint" id={`${id}-shortcut-hint`}>
              Letters, digits, - and _.
            </p>
          )}
        </div>
      </div>
      <div className="field">
        <label className="field-label" htmlFor={`${id}-body`}>
          Reply text{labelSuffix}
        </label>
        <textarea
          ref={bodyRef}
          id={`${id}-body`}
          className="input textarea"
          rows={5}
          required
          maxLength={BODY_MAX}
          placeholder={'Hi {{visitor.email}}, thanks for your patience…'}
          value={body}
          onChange={(e) => setBody(e.target.value)}
          aria-invalid={bodyError ? true : undefined}
          aria-describedby={`${id}-vars`}
        />
        <div className="saved-vars" id={`${id}-vars`}>
          <span className="field-hint">Insert a variable (filled in when an agent uses the reply):</span>
          {VARIABLES.map((v) => (
            <button key={v} type="button" className="var-chip" onClick={() => insertVariable(v)}>
              {`{{${v}}}`}
            </button>
          ))}
        </div>
        {bodyError ? (
          <p className="field-error" role="alert">
            {bodyError}
          </p>
        ) : null}
      </div>
      {other ? <ErrorBox error={other} /> : null}
      <div className="row-end">
        {onCancel ? (
          <Button size="sm" onClick={onCancel}>
            Cancel
          </Button>
        ) : null}
        <Button type="submit" variant="primary" size={onCancel ? 'sm' : 'md'} busy={busy} disabled={!ready}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}

function CreateSavedReply({ ws }: { ws: string }) {
  const create = useCreateSavedReply(ws);
  return (
    <Card title="Add a saved reply" id="add-saved-reply">
      <SavedReplyForm
        initial={{ title: '', shortcut: '', body: '' }}
        submitLabel="Add saved reply"
        busy={create.isPending}
        error={create.error}
        onSubmit={(fields, reset) => create.mutate(fields, { onSuccess: reset })}
      />
    </Card>
  );
}

function SavedReplyRow({ ws, reply, manage }: { ws: string; reply: SavedReply; manage: boolean }) {
  const update = useUpdateSavedReply(ws);
  const del = useDeleteSavedReply(ws);
  const [editing, setEditing] = useState(false);
  if (editing) {
    return (
      <li className="saved-admin-row is-editing">
        <SavedReplyForm
          initial={{ title: reply.title, shortcut: reply.shortcut, body: reply.body }}
          labelSuffix={` of /${reply.shortcut}`}
          submitLabel="Save"
          busy={update.isPending}
          error={update.error}
          onCancel={() => {
            update.reset();
            setEditing(false);
          }}
          onSubmit={(fields) => update.mutate({ id: reply.id, version: reply.version, ...fields }, { onSuccess: () => setEditing(false) })}
        />
      </li>
    );
  }
  return (
    <li className="saved-admin-row">
      <div className="saved-admin-main">
        <p className="saved-option-head">
          <span className="saved-shortcut">/{reply.shortcut}</span>
          <span className="saved-title">{reply.title}</span>
        </p>
        <p className="saved-body pre">
          {splitVariables(reply.body).map((part, i) =>
            part.variable ? (
              <span key={i} className="var-token">
                {part.text}
              </span>
            ) : (
              part.text
            ),
          )}
        </p>
        {del.error ? <p className="field-error">{errorMessage(del.error)}</p> : null}
      </div>
      {manage ? (
        <div className="row-end saved-admin-actions">
          <Button size="sm" variant="ghost" onClick={() => setEditing(true)}>
            Edit<span className="sr-only"> /{reply.shortcut}</span>
          </Button>
          <Button
            size="sm"
            variant="danger"
            busy={del.isPending}
            onClick={() => {
              if (window.confirm(`Delete the saved reply “${reply.title}” (/${reply.shortcut})? Your team can no longer insert it.`)) del.mutate(reply.id);
            }}
          >
            Delete<span className="sr-only"> /{reply.shortcut}</span>
          </Button>
        </div>
      ) : null}
    </li>
  );
}
