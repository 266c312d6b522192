import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Button, StatusBadge } from '../../../components/ui';
import { client, unwrap } from '../../../lib/api';
import { errorMessage } from '../../../lib/errors';
import type { MergeResult, Ticket } from '../../../lib/types';
import { useMergeTicket } from '../api/bulk';
import { ticketsKey } from '../api/tickets';

/** `10002`, `tkt-10002`, ` TKT-10002 ` → `TKT-10002`; anything else as typed (an id). */
export function normalizeNumber(text: string): string {
  const t = text.trim();
  const m = /^(?:tkt-?)?(\d+)$/i.exec(t);
  return m ? `TKT-${m[1]}` : t;
}

/** Tickets that could take this one: the search's open ones, without itself or merged ones. */
function useCandidates(ws: string, ticket: Ticket, q: string) {
  return useQuery({
    queryKey: [...ticketsKey(ws), 'merge-candidates', q],
    queryFn: ({ signal }) =>
      unwrap(client.GET('/api/v1/workspaces/{ws}/tickets', { params: { path: { ws }, query: { q, limit: 10, sort: 'updated_desc' } }, signal })),
    select: (page) => page.items.filter((t) => t.id !== ticket.id && t.status !== 'closed' && !t.merged_into),
    enabled: q.trim().length > 0,
  });
}

/**
 * "Merge into…": pick the surviving ticket (type its number, or choose one of the open
 * tickets the search finds, the visitor's own first), read what will happen, confirm.
 */
export function MergeDialog({
  ws,
  ticketRef,
  ticket,
  onClose,
  onMerged,
}: {
  ws: string;
  /** The ticket as the page's URL names it (its number or id). */
  ticketRef: string;
  ticket: Ticket;
  onClose: () => void;
  onMerged: (r: MergeResult) => void;
}) {
  const id = useId();
  const [text, setText] = useState('');
  const [target, setTarget] = useState<{ ref: string; number: string } | null>(null);
  const merge = useMergeTicket(ws, ticketRef);
  const input = useRef<HTMLInputElement>(null);
  const opener = useRef<Element | null>(null);
  // Until something is typed, the search looks for the visitor's other tickets.
  const q = text.trim() ? normalizeNumber(text) : ticket.visitor_email;
  const candidates = useCandidates(ws, ticket, q);

  useEffect(() => {
    opener.current = document.activeElement;
    input.current?.focus();
    return () => {
      if (opener.current instanceof HTMLElement) opener.current.focus();
    };
  }, []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);

  const typed = normalizeNumber(text);
  const chosen = target ?? (text.trim() ? { ref: typed, number: typed } : null);
  const self = chosen && (chosen.number === ticket.number || chosen.ref === ticket.id);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!chosen || self) return;
    merge.mutate(chosen.ref, { onSuccess: onMerged });
  };

  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby={`${id}-title`}>
        <form onSubmit={submit}>
          <h2 className="card-title" id={`${id}-title`}>
            Merge {ticket.number} into another ticket
          </h2>
          <div className="field">
            <label className="field-label" htmlFor={`${id}-q`}>
              Ticket number
            </label>
            <input
              ref={input}
              id={`${id}-q`}
              className="input"
              placeholder="TKT-10002, or search by email or summary"
              value={text}
              autoComplete="off"
              onChange={(e) => {
                setText(e.target.value);
                setTarget(null);
                merge.reset();
              }}
            />
          </div>
          <fieldset className="merge-candidates">
            <legend className="field-label">{text.trim() ? 'Open tickets found' : `Open tickets of ${ticket.visitor_email}`}</legend>
            {candidates.isPending && q ? <p className="muted small">Searching…</p> : null}
            {candidates.error ? <p className="field-error">{errorMessage(candidates.error)}</p> : null}
            {candidates.data && candidates.data.length === 0 ? <p className="muted small">No open ticket found. Type the number of the ticket to keep.</p> : null}
            {candidates.data?.map((t) => (
              <label key={t.id} className={`merge-option ${target?.ref === t.id ? 'is-chosen' : ''}`}>
                <input type="radio" name={`${id}-target`} checked={target?.ref === t.id} onChange={() => setTarget({ ref: t.id, number: t.number })} />
                <span className="t-num">{t.number}</span>
                <span className="merge-option-summary">{t.summary}</span>
                <StatusBadge status={t.status} />
              </label>
            ))}
          </fieldset>
          {chosen && !self ? (
            <p className="merge-explain" data-testid="merge-explain">
              <strong>{ticket.number}</strong> will be closed and merged into <strong>{chosen.number}</strong>. Its conversation, internal notes and tags move to{' '}
              {chosen.number}, the visitor’s chat continues there, and {ticket.number} keeps a link to it. This can’t be undone.
            </p>
          ) : null}
          {self ? <p className="field-error">A ticket can’t be merged into itself.</p> : null}
          {merge.error ? (
            <p className="field-error" role="alert">
              {errorMessage(merge.error)}
            </p>
          ) : null}
          <div className="modal-actions">
            <Button variant="ghost" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" variant="danger" busy={merge.isPending} disabled={!chosen || Boolean(self)}>
              {chosen && !self ? `Merge into ${chosen.number}` : 'Merge'}
            </Button>
          </div>
        </form>
      </div>
    </div>
  );
}
