import { useState, type Ref } from 'react';
import { Button } from '../../../components/ui';
import { ApiError, errorMessage, fieldError } from '../../../lib/errors';
import type { Ticket } from '../../../lib/types';
import { CATEGORY_LABEL, PRIORITIES, useEditTicket, type TicketEdit } from '../api/edit';
import { TicketTags } from './TicketTags';

type Report = (err: unknown) => void;

/** The detail page's Priority, Category and Tags controls (each change saved at once). */
export function TicketProps({
  ws,
  ticketRef,
  ticket,
  canManageTags,
  report,
  tagsButtonRef,
}: {
  ws: string;
  ticketRef: string;
  ticket: Ticket;
  canManageTags: boolean;
  report: Report;
  tagsButtonRef?: Ref<HTMLButtonElement>;
}) {
  const edit = useEditTicket(ws, ticketRef);
  const save = (e: TicketEdit) => edit.mutate(e, { onError: report });
  return (
    <>
      <div className="field">
        <label htmlFor="ticket-priority" className="field-label">
          Priority
        </label>
        <select id="ticket-priority" className="input select" value={ticket.priority} disabled={edit.isPending} onChange={(e) => save({ priority: e.target.value as Ticket['priority'] })}>
          {PRIORITIES.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="ticket-category" className="field-label">
          Category
        </label>
        <select id="ticket-category" className="input select" value={ticket.category} disabled={edit.isPending} onChange={(e) => save({ category: e.target.value as Ticket['category'] })}>
          {Object.entries(CATEGORY_LABEL).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <span className="field-label" id="ticket-tags-label">
          Tags
        </span>
        <TicketTags ws={ws} ticket={ticket} canManage={canManageTags} busy={edit.isPending} save={(tags) => save({ tags })} buttonRef={tagsButtonRef} />
      </div>
    </>
  );
}

/** The summary under the ticket number, with an Edit button that turns it into a field. */
export function SummaryEditor({ ws, ticketRef, ticket, report }: { ws: string; ticketRef: string; ticket: Ticket; report: Report }) {
  const edit = useEditTicket(ws, ticketRef);
  const [draft, setDraft] = useState<string | null>(null);
  if (draft === null) {
    return (
      <div className="summary-line">
        <p className="ticket-summary">{ticket.summary}</p>
        <Button size="sm" variant="ghost" onClick={() => setDraft(ticket.summary)} aria-label="Edit summary">
          Edit
        </Button>
      </div>
    );
  }
  const problem = fieldError(edit.error, 'summary');
  return (
    <form
      className="summary-edit"
      onSubmit={(e) => {
        e.preventDefault();
        edit.mutate(
          { summary: draft },
          {
            onSuccess: () => setDraft(null),
            onError: (err) => {
              if (!(err instanceof ApiError && err.status === 422)) {
                setDraft(null);
                report(err);
              }
            },
          },
        );
      }}
    >
      <label htmlFor="summary-input" className="sr-only">
        Summary
      </label>
      <input
        id="summary-input"
        className="input"
        value={draft}
        maxLength={500}
        autoFocus
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') setDraft(null);
        }}
        aria-invalid={problem ? true : undefined}
      />
      <Button size="sm" type="submit" variant="primary" busy={edit.isPending} disabled={!draft.trim()}>
        Save
      </Button>
      <Button size="sm" onClick={() => setDraft(null)}>
        Cancel
      </Button>
      {problem ? <p className="field-error">{`Summary ${problem}`}</p> : edit.error && edit.error instanceof ApiError && edit.error.status === 422 ? <p className="field-error">{errorMessage(edit.error)}</p> : null}
    </form>
  );
}
