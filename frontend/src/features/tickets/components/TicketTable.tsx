import { useEffect, useRef, useState, type Ref } from 'react';
import { Link } from 'react-router';
import { Avatar, RelativeTime, StatusBadge } from '../../../components/ui';
import { unreadLabel } from '../../notifications/api/notifications';
import type { Ticket, TicketSort } from '../../../lib/types';
import { TagChips } from '../../tags/components/TagChip';
import { useEditListTicket } from '../api/edit';
import type { TicketSelection } from '../api/selection';
import { PriorityBadge } from './PriorityBadge';
import { TicketTags } from './TicketTags';

/**
 * The ticket list. `current` is the keyboard cursor's row (a ticket number): marked
 * `aria-current` with a visible ring; focusing a row (Tab, j/k) makes it current.
 */
export function TicketTable({
  ws,
  tickets,
  sort,
  canManageTags = false,
  current = null,
  onCurrent,
  tableRef,
  selection,
}: {
  ws: string;
  tickets: Ticket[];
  sort: TicketSort;
  canManageTags?: boolean;
  current?: string | null;
  onCurrent?: (number: string) => void;
  tableRef?: Ref<HTMLDivElement>;
  /** With a selection, each row gets a checkbox and the header a select-all-on-page one. */
  selection?: TicketSelection;
}) {
  const timeLabel = sort === 'updated_desc' ? 'Updated' : 'Created';
  // Rows that arrive after the first render (live updates, Load more) flash once.
  const seen = useRef<Set<string> | null>(null);
  const fresh = seen.current ? new Set(tickets.filter((t) => !seen.current!.has(t.id)).map((t) => t.id)) : new Set<string>();
  useEffect(() => {
    seen.current = new Set(tickets.map((t) => t.id));
  }, [tickets]);
  return (
    <div className={`ticket-table ${selection ? 'is-selectable' : ''}`} role="table" aria-label="Tickets" ref={tableRef}>
      <div className="ticket-row ticket-row-head" role="row">
        <span role="columnheader">Ticket</span>
        <span role="columnheader">Visitor</span>
        <span role="columnheader">Summary</span>
        <span role="columnheader">Status</span>
        <span role="columnheader">Priority</span>
        <span role="columnheader">Assignee</span>
        <span role="columnheader">{timeLabel}</span>
        <span role="columnheader">
          <span className="sr-only">Tags</span>
        </span>
        {/* Last, so that the columns' nth-child rules stay as they are. */}
        {selection ? <SelectAll selection={selection} count={tickets.length} /> : null}
      </div>
      {tickets.map((t) => (
        <Row
          key={t.id}
          ws={ws}
          ticket={t}
          sort={sort}
          fresh={fresh.has(t.id)}
          canManageTags={canManageTags}
          isCurrent={t.number === current}
          onFocus={onCurrent}
          selection={selection}
        />
      ))}
    </div>
  );
}

function SelectAll({ selection, count }: { selection: TicketSelection; count: number }) {
  const ref = useRef<HTMLInputElement>(null);
  const mixed = selection.some && !selection.all;
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = mixed;
  }, [mixed]);
  return (
    <label className="t-select t-select-all" title="Select every ticket on this page">
      <input ref={ref} type="checkbox" checked={selection.all} onChange={(e) => selection.setAll(e.target.checked)} aria-label={`Select all ${count} tickets on this page`} />
      <span className="t-select-text" aria-hidden="true">
        Select all
      </span>
    </label>
  );
}

function Row({
  ws,
  ticket,
  sort,
  fresh,
  canManageTags,
  isCurrent,
  onFocus,
  selection,
}: {
  ws: string;
  ticket: Ticket;
  sort: TicketSort;
  fresh: boolean;
  canManageTags: boolean;
  isCurrent: boolean;
  onFocus?: (number: string) => void;
  selection?: TicketSelection;
}) {
  // The newest copy of the ticket: the answer of the last tag change until the list catches up.
  const [latest, setLatest] = useState<Ticket | null>(null);
  const t = latest && latest.id === ticket.id && latest.version > ticket.version ? latest : ticket;
  const edit = useEditListTicket(ws);
  const num = t.number;
  const picked = selection?.has(t.id) ?? false;
  return (
    <div className={`ticket-row-wrap ${picked ? 'is-picked' : ''}`}>
      {selection ? (
        <label className="t-select">
          <input type="checkbox" checked={picked} onChange={() => selection.toggle(t.id)} aria-label={`Select ${num}`} />
        </label>
      ) : null}
      <Link
        to={`/w/${ws}/tickets/${num}`}
        className={`ticket-row ${fresh ? 'is-new' : ''} ${isCurrent ? 'is-current' : ''}`}
        role="row"
        data-ticket={num}
        aria-label={`${num}: ${t.summary}`}
        aria-current={isCurrent ? 'true' : undefined}
        onFocus={() => onFocus?.(num)}
      >
        <span role="cell" className="t-num">
          {num}
          {t.unread_count ? (
            <span className="badge-new" data-testid="unread" title="New replies from the visitor you haven’t read">
              {unreadLabel(t.unread_count)}
            </span>
          ) : null}
        </span>
        <span role="cell" className="t-email">
          {t.visitor_email}
        </span>
        <span role="cell" className="t-summary">
          <span className="t-summary-text">{t.summary}</span>
          <TagChips tags={t.tags} />
        </span>
        <span role="cell" className="t-status">
          <StatusBadge status={t.status} />
          {t.merged_into ? <span className="t-merged">Merged into {t.merged_into.number}</span> : null}
        </span>
        <span role="cell" className="t-priority">
          <PriorityBadge priority={t.priority} />
        </span>
        <span role="cell" className="t-assignee">
          {t.assignee ? (
            <>
              <Avatar name={t.assignee.name || t.assignee.email} />
              <span className="t-assignee-name">{t.assignee.name || t.assignee.email}</span>
            </>
          ) : (
            <span className="muted">Unassigned</span>
          )}
        </span>
        <span role="cell" className="t-time">
          <RelativeTime iso={sort === 'updated_desc' ? t.updated_at : t.created_at} />
        </span>
        <span role="cell" className="t-tags-slot" />
      </Link>
      <div className="t-tag-action">
        <TicketTags
          ws={ws}
          ticket={t}
          compact
          canManage={canManageTags}
          busy={edit.isPending}
          error={edit.error}
          save={(tags) => edit.mutate({ ticket: t, edit: { tags } }, { onSuccess: setLatest })}
        />
      </div>
    </div>
  );
}
