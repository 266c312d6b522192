import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { Empty, ErrorBox, LoadMore, PageHeader, RelativeTime, Spinner } from '../../../components/ui';
import { flagEmoji } from '../../../lib/country';
import { useWs } from '../../workspaces/api/workspaces';
import { conversationListQuery } from '../api/conversations';

export function ConversationsPage() {
  const ws = useWs();
  const list = useInfiniteQuery(conversationListQuery(ws));
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="page">
      <PageHeader title="Conversations" subtitle="Every chat visitors had with your AI assistant, newest activity first." />
      <section className="card card-flush" aria-label="Conversation list">
        {list.isPending ? <Spinner label="Loading conversations…" /> : null}
        {list.error ? <ErrorBox error={list.error} onRetry={() => void list.refetch()} /> : null}
        {list.isSuccess && items.length === 0 ? <Empty title="No conversations yet">Once visitors chat with the widget, their conversations appear here.</Empty> : null}
        <ul className="conv-list">
          {items.map((c) => (
            <li key={c.id}>
              <Link to={`/w/${ws}/conversations/${c.id}`} className="conv-row">
                <span className="conv-who">
                  {c.visitor.country ? <span aria-hidden="true">{flagEmoji(c.visitor.country)} </span> : null}
                  {c.visitor.email ?? 'Anonymous visitor'}
                </span>
                <span className="conv-last">{c.last_message ? `${c.last_message.sender === 'visitor' ? '' : c.last_message.sender === 'assistant' ? 'AI: ' : 'Agent: '}${c.last_message.body}` : '—'}</span>
                <span className="conv-ticket">{c.ticket ? <span className="pill">{c.ticket.number}</span> : null}</span>
                <span className="conv-time">
                  <RelativeTime iso={c.last_message_at} />
                </span>
              </Link>
            </li>
          ))}
        </ul>
        <LoadMore list={list} />
      </section>
    </div>
  );
}
