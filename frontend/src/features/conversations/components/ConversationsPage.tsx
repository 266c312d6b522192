import { useInfiniteQuery } from '@tanstack/react-query';
import { unreadLabel } from '../../notifications/api/notifications';
import { Link, useSearchParams } from 'react-router';
import { Empty, ErrorBox, LoadMore, PageHeader, RelativeTime, Spinner } from '../../../components/ui';
import { flagEmoji } from '../../../lib/country';
import { useTyping } from '../../../lib/live-typing';
import type { ConversationSummary } from '../../../lib/types';
import { useWs } from '../../workspaces/api/workspaces';
import { conversationListQuery, STATUS_FILTERS, type ConversationFilters, type ConversationStatusFilter } from '../api/conversations';

/** The list's filters live in the URL (`?status=waiting&online=1`), so a reload or a shared link keeps them. */
function useFilters(): [ConversationFilters, (f: ConversationFilters) => void] {
  const [params, setParams] = useSearchParams();
  const raw = params.get('status');
  const status = (STATUS_FILTERS.some((f) => f.value === raw) ? raw : 'all') as ConversationStatusFilter;
  const online = params.get('online') === '1';
  const set = (f: ConversationFilters) => {
    const next = new URLSearchParams();
    if (f.status !== 'all') next.set('status', f.status);
    if (f.online) next.set('online', '1');
    setParams(next, { replace: true });
  };
  return [{ status, online }, set];
}

function lastLine(c: ConversationSummary): string {
  const m = c.last_message;
  if (!m) return '—';
  const who = m.sender === 'visitor' ? '' : m.sender === 'assistant' ? 'AI: ' : m.sender === 'agent' ? `${m.author_name ?? 'Agent'}: ` : '';
  return `${who}${m.body}`;
}

function ConversationRow({ ws, c }: { ws: string; c: ConversationSummary }) {
  const typing = useTyping(c.id);
  return (
    <li>
      <Link to={`/w/${ws}/conversations/${c.id}`} className="conv-row" data-testid="conv-row" data-conversation={c.id}>
        <span className="conv-who">
          <span className={`presence ${c.visitor_online ? 'is-online' : ''}`} aria-hidden="true" />
          {c.visitor.country ? <span aria-hidden="true">{flagEmoji(c.visitor.country)} </span> : null}
          {c.visitor.email ?? 'Anonymous visitor'}
        </span>
        <span className="conv-last">{typing.visitor ? <em className="typing-note">Visitor is typing…</em> : lastLine(c)}</span>
        <span className="conv-tags">
          {c.visitor_online ? <span className="pill pill-ok">Online now</span> : null}
          {c.waiting_since ? <span className="pill pill-warn">Waiting</span> : null}
          {c.taken_over ? <span className="pill pill-agent">{c.taken_over.name}</span> : null}
          {c.ticket ? <span className="pill">{c.ticket.number}</span> : null}
          {c.unread_count ? (
            <span className="badge-new" data-testid="unread">
              {unreadLabel(c.unread_count)}
            </span>
          ) : null}
        </span>
        <span className="conv-time">
          <RelativeTime iso={c.last_message_at} />
        </span>
      </Link>
    </li>
  );
}

export function ConversationsPage() {
  const ws = useWs();
  const [filters, setFilters] = useFilters();
  const list = useInfiniteQuery(conversationListQuery(ws, filters));
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = filters.status !== 'all' || filters.online;
  return (
    <div className="page">
      <PageHeader title="Conversations" subtitle="Every chat on your site, live: who is online now, who waits for a human, who has taken over." />
      <div className="filters">
        <div className="filter-tabs" role="group" aria-label="Filter conversations">
          {STATUS_FILTERS.map((f) => {
            const active = filters.status === f.value;
            return (
              <button
                key={f.value}
                type="button"
                className={`filter-tab ${active ? 'is-active' : ''}`}
                aria-pressed={active}
                onClick={() => setFilters({ ...filters, status: f.value })}
              >
                {f.label}
              </button>
            );
          })}
        </div>
        <label className="check online-toggle">
          <input type="checkbox" checked={filters.online} onChange={(e) => setFilters({ ...filters, online: e.target.checked })} />
          <span>Online now</span>
        </label>
      </div>
      <section className="card card-flush" aria-label="Conversation list">
        {list.isPending ? <Spinner label="Loading conversations…" /> : null}
        {list.error ? <ErrorBox error={list.error} onRetry={() => void list.refetch()} /> : null}
        {list.isSuccess && items.length === 0 ? (
          filtered ? (
            <Empty title="No conversations match">Try another filter; the list updates by itself as visitors chat.</Empty>
          ) : (
            <Empty title="No conversations yet">Once visitors chat with the widget, their conversations appear here.</Empty>
          )
        ) : null}
        <ul className="conv-list">
          {items.map((c) => (
            <ConversationRow key={c.id} ws={ws} c={c} />
          ))}
        </ul>
        <LoadMore list={list} />
      </section>
    </div>
  );
}
