import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { Card, ErrorBox, Spinner, StatusBadge } from '../../../components/ui';
import { dateTime } from '../../../lib/time';
import { useWs } from '../../workspaces/api/workspaces';
import { conversationQuery } from '../api/conversations';
import { MessageList } from './MessageList';
import { VisitorInfo } from './VisitorInfo';

export function ConversationPage() {
  const ws = useWs();
  const id = useParams().id ?? '';
  const q = useQuery(conversationQuery(ws, id));
  return (
    <div className="page ticket-page">
      <Link to={`/w/${ws}/conversations`} className="back-link">
        <span aria-hidden="true">←</span> Conversations
      </Link>
      {q.isPending ? <Spinner label="Loading conversation…" /> : null}
      {q.error ? <ErrorBox error={q.error} onRetry={() => void q.refetch()} /> : null}
      {q.data ? (
        <>
          <header className="ticket-head">
            <div className="ticket-head-main">
              <h1 className="page-title">Conversation with {q.data.visitor.email ?? 'an anonymous visitor'}</h1>
              <p className="muted">Started {dateTime(q.data.conversation.created_at)} · read-only</p>
            </div>
            {q.data.ticket ? (
              <div className="ticket-head-actions">
                <Link className="btn btn-primary btn-sm" to={`/w/${ws}/tickets/${q.data.ticket.number}`}>
                  Open ticket {q.data.ticket.number}
                </Link>
                <StatusBadge status={q.data.ticket.status} />
              </div>
            ) : null}
          </header>
          <div className="ticket-layout">
            <div className="ticket-main">
              <Card title="Messages" id="messages">
                <MessageList messages={q.data.messages} visitorLabel={q.data.visitor.email ?? 'Visitor'} />
              </Card>
            </div>
            <aside className="ticket-side" aria-label="Visitor">
              <Card title="Visitor" id="visitor">
                <VisitorInfo visitor={q.data.visitor} />
              </Card>
            </aside>
          </div>
        </>
      ) : null}
    </div>
  );
}
