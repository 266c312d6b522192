import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import { Avatar, RelativeTime, StatusBadge } from '../../../components/ui';
import type { Ticket, TicketSort } from '../../../lib/types';

export function TicketTable({ ws, tickets, sort }: { ws: string; tickets: Ticket[]; sort: TicketSort }) {
  const timeLabel = sort === 'updated_desc' ? 'Updated' : 'Created';
  // Rows that arrive after the first render (live updates, Load more) flash once.
  const seen = useRef<Set<string> | null>(null);
  const fresh = seen.current ? new Set(tickets.filter((t) => !seen.current!.has(t.id)).map((t) => t.id)) : new Set<string>();
  useEffect(() => {
    seen.current = new Set(tickets.map((t) => t.id));
  }, [tickets]);
  return (
    <div className="ticket-table" role="table" aria-label="Tickets">
      <div className="ticket-row ticket-row-head" role="row">
        <span role="columnheader">Ticket</span>
        <span role="columnheader">Visitor</span>
        <span role="columnheader">Summary</span>
        <span role="columnheader">Status</span>
        <span role="columnheader">Assignee</span>
        <span role="columnheader">{timeLabel}</span>
      </div>
      {tickets.map((t) => {
        const num = t.number;
        return (
          <Link key={t.id} to={`/w/${ws}/tickets/${num}`} className={`ticket-row ${fresh.has(t.id) ? 'is-new' : ''}`} role="row" data-ticket={num} aria-label={`${num}: ${t.summary}`}>
            <span role="cell" className="t-num">
              {num}
            </span>
            <span role="cell" className="t-email">
              {t.visitor_email}
            </span>
            <span role="cell" className="t-summary">
              {t.summary}
            </span>
            <span role="cell" className="t-status">
              <StatusBadge status={t.status} />
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
          </Link>
        );
      })}
    </div>
  );
}
