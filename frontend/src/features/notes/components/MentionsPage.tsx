import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { Empty, ErrorBox, LoadMore, PageHeader, RelativeTime, Spinner, StatusBadge } from '../../../components/ui';
import type { Mention } from '../../../lib/types';
import { useWs } from '../../workspaces/api/workspaces';
import { mentionsQuery, unreadMentionsQuery } from '../api/notes';

function MentionRow({ ws, m }: { ws: string; m: Mention }) {
  const to = m.ticket ? `/w/${ws}/tickets/${m.ticket.number}` : `/w/${ws}/conversations/${m.note.conversation_id}`;
  return (
    <li className={`mention-row ${m.read ? '' : 'is-unread'}`} data-testid="mention-row" data-read={m.read}>
      <div className="mention-row-head">
        <strong>{m.note.author_name}</strong>
        <span className="muted">mentioned you in</span>
        <Link to={to}>{m.ticket ? `${m.ticket.number} · ${m.ticket.summary}` : 'a conversation'}</Link>
        {m.ticket ? <StatusBadge status={m.ticket.status} /> : null}
        <span className="muted small">
          <RelativeTime iso={m.note.created_at} />
        </span>
        {m.read ? null : <span className="sr-only">(unread)</span>}
      </div>
      <p className="mention-row-body">{m.note.body}</p>
    </li>
  );
}

/** The notes that mention me: unread ones first in line (a dot), read once I open the ticket. */
export function MentionsPage() {
  const ws = useWs();
  const [params, setParams] = useSearchParams();
  const unread = params.get('unread') === '1';
  const list = useInfiniteQuery(mentionsQuery(ws, unread));
  const count = useQuery(unreadMentionsQuery(ws));
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="page">
      <PageHeader title="Mentions" subtitle="Internal notes in which a teammate mentioned you. Opening the ticket marks them read." />
      <div className="filters">
        <div className="filter-tabs" role="group" aria-label="Filter mentions">
          {[
            { value: false, label: 'All' },
            { value: true, label: `Unread${count.data ? ` (${count.data >= 100 ? '99+' : count.data})` : ''}` },
          ].map((f) => (
            <button
              key={String(f.value)}
              type="button"
              className={`filter-tab ${unread === f.value ? 'is-active' : ''}`}
              aria-pressed={unread === f.value}
              onClick={() => setParams(f.value ? { unread: '1' } : {}, { replace: true })}
            >
              {f.label}
            </button>
          ))}
        </div>
      </div>
      <section className="card" aria-label="Mention list">
        {list.isPending ? <Spinner label="Loading mentions…" /> : null}
        {list.error ? <ErrorBox error={list.error} onRetry={() => void list.refetch()} /> : null}
        {list.isSuccess && items.length === 0 ? (
          unread ? (
            <Empty title="No unread mentions">You are all caught up.</Empty>
          ) : (
            <Empty title="No mentions yet">When a teammate writes @{'{'}your name{'}'} in an internal note, it shows up here.</Empty>
          )
        ) : null}
        <ul className="mentions-list">
          {items.map((m) => (
            <MentionRow key={m.note.id} ws={ws} m={m} />
          ))}
        </ul>
        <LoadMore list={list} />
      </section>
    </div>
  );
}
