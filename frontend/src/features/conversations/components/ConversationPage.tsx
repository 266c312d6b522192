import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { useMarkConversationRead } from '../../notifications/api/notifications';
import { Link, useParams } from 'react-router';
import { Button, Card, ErrorBox, Spinner, StatusBadge } from '../../../components/ui';
import { useTyping } from '../../../lib/live-typing';
import { dateTime, messageTime } from '../../../lib/time';
import type { ConversationDetail } from '../../../lib/types';
import { useSession } from '../../auth/api/auth';
import { ReplyComposer } from '../../saved-replies/components/ReplyComposer';
import { useWs } from '../../workspaces/api/workspaces';
import { conversationQuery, typingSignal, useConversationReply, useHandBack, useTakeOver } from '../api/conversations';
import { MessageList } from './MessageList';
import { NoteBox } from '../../notes/components/NoteBox';
import { VisitorInfo } from './VisitorInfo';
import { VisitorPrivacyActions } from '../../privacy/components/VisitorPrivacyActions';

type Conversation = ConversationDetail['conversation'];

/** Who answers the visitor now, in one line. */
export function answererText(c: Conversation, myId: string | undefined): string {
  const t = c.taken_over;
  if (!t) return 'The AI assistant answers this conversation.';
  const who = t.user_id && t.user_id === myId ? 'You have' : `${t.name} has`;
  const back = t.falls_back_at ? ` It goes back to the AI at ${messageTime(t.falls_back_at)} if nobody replies.` : '';
  return `${who} this conversation: the AI assistant stays silent.${back}`;
}

function LiveControls({ ws, id, c, myId }: { ws: string; id: string; c: Conversation; myId: string | undefined }) {
  const takeOver = useTakeOver(ws, id);
  const handBack = useHandBack(ws, id);
  const t = c.taken_over;
  const mine = Boolean(t && t.user_id && t.user_id === myId);
  const conflict = takeOver.error && 'code' in takeOver.error && takeOver.error.code === 'already_taken_over';
  return (
    <div className="live-controls">
      <p className={`live-state ${t ? 'is-human' : ''}`} data-testid="answerer" role="status">
        {answererText(c, myId)}
      </p>
      <div className="live-actions">
        {!t || !mine ? (
          <Button variant="primary" size="sm" busy={takeOver.isPending} onClick={() => takeOver.mutate({ force: Boolean(t) && Boolean(conflict) })}>
            {t && conflict ? `Take over from ${t.name}` : 'Take over'}
          </Button>
        ) : null}
        {t ? (
          <Button size="sm" busy={handBack.isPending} onClick={() => handBack.mutate({})}>
            Hand back to AI
          </Button>
        ) : null}
      </div>
      {takeOver.error ? <ErrorBox error={takeOver.error} /> : null}
      {handBack.error ? <ErrorBox error={handBack.error} /> : null}
    </div>
  );
}

function LiveReply({ ws, id, data }: { ws: string; id: string; data: ConversationDetail }) {
  const reply = useConversationReply(ws, id);
  const [body, setBody] = useState('');
  const [emailToo, setEmailToo] = useState(false);
  const typing = useMemo(() => typingSignal(ws, id), [ws, id]);
  const stopTyping = typing.stop;
  const fid = useId();
  const ticket = data.ticket && data.ticket.status !== 'closed' ? data.ticket : null;
  const online = data.conversation.visitor_online;
  // Leaving the page while typing: the visitor's indicator goes away.
  useEffect(() => () => typing.stop(), [typing]);
  const onText = (text: string) => {
    setBody(text);
    typing.onText(text);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const text = body.trim();
    if (!text) return;
    stopTyping();
    reply.mutate(
      { body: text, email_visitor: Boolean(ticket) && emailToo },
      {
        onSuccess: () => {
          setBody('');
          setEmailToo(false);
        },
      },
    );
  };
  const email = data.visitor.email;
  return (
    <section className="card reply o-reply" aria-labelledby={`${fid}-title`}>
      <h2 className="card-title" id={`${fid}-title`}>
        Reply
      </h2>
      <form onSubmit={submit} className="stack">
        <label htmlFor={`${fid}-body`} className="sr-only">
          Your reply
        </label>
        <ReplyComposer
          ws={ws}
          visitorEmail={email}
          ticketNumber={data.ticket?.number}
          id={`${fid}-body`}
          rows={3}
          placeholder={online ? 'Type your reply: the visitor sees it at once… (/ for saved replies)' : 'Type your reply… (/ for saved replies)'}
          value={body}
          onValueChange={onText}
          onBlur={stopTyping}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) submit(e);
          }}
          aria-describedby={`${fid}-note`}
        />
        <div className="reply-foot">
          {ticket && email ? (
            <label className="check">
              <input type="checkbox" checked={emailToo} onChange={(e) => setEmailToo(e.target.checked)} />
              <span>also email this reply</span>
            </label>
          ) : (
            <span />
          )}
          <Button type="submit" variant="primary" busy={reply.isPending} disabled={!body.trim()}>
            Send
          </Button>
        </div>
        <p className="field-hint" id={`${fid}-note`}>
          {online ? 'The visitor has the chat open: your reply appears there at once.' : 'The visitor is not on your site now: they see your reply when they open the chat again.'}{' '}
          {ticket ? `It is a reply on ticket ${ticket.number} (same timeline)${email ? `, and can be emailed to ${email}` : ''}.` : null}{' '}
          {!data.conversation.taken_over ? 'Replying takes the conversation over: the AI assistant stays silent until you hand it back.' : null}
        </p>
        {reply.error ? <ErrorBox error={reply.error} /> : null}
      </form>
    </section>
  );
}

function TypingLine({ id, myName }: { id: string; myName: string | undefined }) {
  const typing = useTyping(id);
  const agents = typing.agents.filter((a) => a.name !== myName).map((a) => a.name);
  const text = typing.visitor ? 'The visitor is typing…' : agents.length ? `${agents.join(', ')} ${agents.length === 1 ? 'is' : 'are'} typing…` : '';
  return (
    <p className="typing-line" role="status" aria-live="polite" data-testid="typing-line">
      {text}
    </p>
  );
}

export function ConversationPage() {
  const ws = useWs();
  const id = useParams().id ?? '';
  const q = useQuery(conversationQuery(ws, id));
  const me = useSession()?.user;
  const d = q.data;
  // What is on screen is read (the list's unread count for me starts again from there):
  // now, on each new message, and when the tab comes back to the foreground.
  const markRead = useMarkConversationRead(ws, id);
  const lastId = d?.messages.at(-1)?.id ?? null;
  const unreadMentions = d?.unread_mentions ?? 0;
  useEffect(() => {
    if (!lastId && !unreadMentions) return;
    const read = () => {
      if (!document.hidden) markRead.mutate(lastId);
    };
    read();
    document.addEventListener('visibilitychange', read);
    return () => document.removeEventListener('visibilitychange', read);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lastId, unreadMentions]);
  return (
    <div className="page ticket-page">
      <Link to={`/w/${ws}/conversations`} className="back-link">
        <span aria-hidden="true">←</span> Conversations
      </Link>
      {q.isPending ? <Spinner label="Loading conversation…" /> : null}
      {q.error ? <ErrorBox error={q.error} onRetry={() => void q.refetch()} /> : null}
      {d ? (
        <>
          <header className="ticket-head">
            <div className="ticket-head-main">
              <h1 className="page-title">Conversation with {d.visitor.email ?? 'an anonymous visitor'}</h1>
              <p className="muted">
                <span className={`presence ${d.conversation.visitor_online ? 'is-online' : ''}`} aria-hidden="true" />
                <span data-testid="presence">{d.conversation.visitor_online ? 'Online now' : 'Not on your site now'}</span> · Started{' '}
                {dateTime(d.conversation.created_at)}
              </p>
            </div>
            {d.ticket ? (
              <div className="ticket-head-actions">
                <Link className="btn btn-secondary btn-sm" to={`/w/${ws}/tickets/${d.ticket.number}`}>
                  Open ticket {d.ticket.number}
                </Link>
                <StatusBadge status={d.ticket.status} />
              </div>
            ) : null}
          </header>
          <div className="ticket-layout">
            <div className="ticket-main">
              <LiveControls ws={ws} id={id} c={d.conversation} myId={me?.id} />
              <Card title="Messages" id="messages">
                <MessageList messages={d.messages} notes={d.notes} visitorLabel={d.visitor.email ?? 'Visitor'} />
                <TypingLine id={id} myName={me?.name} />
              </Card>
              <LiveReply ws={ws} id={id} data={d} />
              <NoteBox ws={ws} target={{ conversation: id }} myId={me?.id} />
            </div>
            <aside className="ticket-side" aria-label="Visitor">
              <Card title="Visitor" id="visitor">
                <VisitorInfo visitor={d.visitor} />
                <VisitorPrivacyActions ws={ws} visitor={d.visitor} />
              </Card>
            </aside>
          </div>
        </>
      ) : null}
    </div>
  );
}
