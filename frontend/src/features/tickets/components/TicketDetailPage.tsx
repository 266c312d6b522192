import { useQuery } from '@tanstack/react-query';
import { unreadLabel, useMarkTicketRead } from '../../notifications/api/notifications';
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Alert, Avatar, Button, Card, ErrorBox, RelativeTime, Spinner, StatusBadge } from '../../../components/ui';
import { ApiError, errorMessage } from '../../../lib/errors';
import { useTyping } from '../../../lib/live-typing';
import { useShortcuts } from '../../../lib/shortcuts';
import { STATUS_LABEL } from '../../../lib/status';
import { dateTime } from '../../../lib/time';
import type { TicketStatus, TicketViewer } from '../../../lib/types';
import { meQuery } from '../../auth/api/auth';
import { MessageList } from '../../conversations/components/MessageList';
import { VisitorInfo } from '../../conversations/components/VisitorInfo';
import { VisitorPrivacyActions } from '../../privacy/components/VisitorPrivacyActions';
import { membersQuery } from '../../team/api/team';
import { isAdmin, useMyRole, useWs } from '../../workspaces/api/workspaces';
import { useTypingSignal } from '../../conversations/api/conversations';
import { listHref, rememberOpenedTicket } from '../api/list-memory';
import { ticketQuery, useAssign, useAssignToMe, useChangeStatus } from '../api/tickets';
import { onViewers, othersLine, useViewers, useViewing } from '../api/viewers';
import { MergeDialog } from './MergeDialog';
import { ReplyBox } from './ReplyBox';
import { NoteBox } from '../../notes/components/NoteBox';
import { StatusControl } from './StatusControl';
import { Timeline } from './Timeline';
import { PriorityBadge } from './PriorityBadge';
import { SummaryEditor, TicketProps } from './TicketProps';
import { languageName } from '../../../lib/language';

const CATEGORY: Record<string, string> = {
  cannot_perform_action: 'Cannot perform action',
  needs_human_judgment: 'Needs human judgment',
  other: 'Other',
};
const SOURCE: Record<string, string> = { ai: 'AI assistant', api: 'API', dashboard: 'Dashboard' };

export function TicketDetailPage() {
  const ws = useWs();
  const ref = useParams().ticket ?? '';
  const q = useQuery(ticketQuery(ws, ref));
  const me = useQuery(meQuery());
  const members = useQuery(membersQuery(ws));
  const role = useMyRole(ws);
  const status = useChangeStatus(ws, ref);
  const assign = useAssign(ws, ref);
  const assignMe = useAssignToMe(ws, ref);
  const [notice, setNotice] = useState<{ kind: 'warning' | 'error' | 'success'; text: string } | null>(null);
  const [merging, setMerging] = useState(false);
  const titleNum = q.data?.ticket.number ?? null;
  // New visitor messages for me are read once the page is in front of me: now, or when the
  // tab comes back to the foreground.
  const markRead = useMarkTicketRead(ws, ref);
  // Unread visitor messages, and unread mentions of me in its notes.
  const unread = (q.data?.ticket.unread_count ?? 0) + (q.data?.unread_mentions ?? 0);
  const lastId = q.data?.messages.at(-1)?.id ?? null;
  useEffect(() => {
    if (!unread) return;
    const read = () => {
      if (!document.hidden && !markRead.isPending) markRead.mutate(lastId);
    };
    read();
    document.addEventListener('visibilitychange', read);
    return () => document.removeEventListener('visibilitychange', read);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [unread, lastId]);
  useEffect(() => {
    if (!titleNum) return;
    const prev = document.title;
    document.title = `${titleNum} · Handoff`;
    return () => {
      document.title = prev;
    };
  }, [titleNum]);

  const report = (err: unknown) => {
    if (err instanceof ApiError && err.status === 409) {
      setNotice({ kind: 'warning', text: `${err.message} The ticket was changed by someone else, so it has been refreshed: check it and try again.` });
    } else {
      setNotice({ kind: 'error', text: errorMessage(err) });
    }
  };

  // Who else is here: my viewing on the server while the page is open, and the others'.
  const ticketId = q.data?.ticket.id;
  const conversationId = q.data?.ticket.conversation_id;
  useViewing(ws, ticketId);
  const viewers = useViewers(ticketId);
  const detailViewers = q.data?.viewers;
  useEffect(() => onViewers(detailViewers), [detailViewers]);
  useEffect(() => {
    if (titleNum) rememberOpenedTicket(ws, titleNum);
  }, [ws, titleNum]);
  // The reply box sends the conversation's typing signal (the visitor's widget shows
  // "<name> is typing…"; the team's pages show who).
  const replyField = useRef<HTMLTextAreaElement>(null);
  const stopTyping = useTypingSignal(ws, conversationId, replyField);

  // The keyboard: a assign to me, r reply, s status, t tags, / the list's search, Esc back.
  const navigate = useNavigate();
  const statusGroup = useRef<HTMLDivElement>(null);
  const tagsButton = useRef<HTMLButtonElement>(null);
  const myId = me.data?.id;
  const mine = !!myId && q.data?.ticket.assignee?.id === myId;
  const busy = status.isPending || assign.isPending || assignMe.isPending;
  const assignToMe = () => {
    setNotice(null);
    assignMe.mutate(undefined, { onError: report });
  };
  useShortcuts(
    {
      a: !mine && !busy ? assignToMe : null,
      r: () => replyField.current?.focus(),
      s: () => statusGroup.current?.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus(),
      t: () => {
        const b = tagsButton.current;
        if (b && b.getAttribute('aria-expanded') !== 'true') b.click();
      },
      '/': () => navigate(listHref(ws), { state: { focusSearch: true } }),
      Escape: () => navigate(listHref(ws)),
    },
    q.isSuccess,
  );

  if (q.isPending) return <div className="page"><Spinner label="Loading ticket…" /></div>;
  if (q.error)
    return (
      <div className="page">
        <BackLink ws={ws} />
        <ErrorBox error={q.error} onRetry={() => void q.refetch()} />
      </div>
    );

  const { ticket, visitor, messages, events, notes } = q.data;
  const { brief, rest } = splitDescription(ticket.description);
  const num = ticket.number;
  const move = (to: TicketStatus) => {
    setNotice(null);
    status.mutate(to, { onError: report, onSuccess: (t) => setNotice({ kind: 'success', text: `Status changed to ${STATUS_LABEL[t.status]}.` }) });
  };
  const memberList = members.data?.items ?? [];
  const merged = ticket.merged_into;
  const assigneeMissing = ticket.assignee && !memberList.some((m) => m.user_id === ticket.assignee?.id);

  return (
    <div className="page ticket-page">
      <BackLink ws={ws} />
      <header className="ticket-head">
        <div className="ticket-head-main">
          <div className="ticket-head-line">
            <h1 className="page-title">{num}</h1>
            <StatusBadge status={ticket.status} />
            {ticket.priority !== 'normal' ? <PriorityBadge priority={ticket.priority} /> : null}
            {ticket.unread_count ? (
              <span className="badge-new" data-testid="unread">
                {unreadLabel(ticket.unread_count)}
              </span>
            ) : null}
          </div>
          {/* A merged ticket takes no more edits (the server answers 409 ticket_merged). */}
          <fieldset className="fieldset-plain" disabled={Boolean(merged)}>
            <SummaryEditor ws={ws} ticketRef={ref} ticket={ticket} report={report} />
          </fieldset>
          <Others viewers={viewers} conversationId={ticket.conversation_id} myId={myId} />
        </div>
        {merged ? null : (
        <div className="ticket-head-actions">
          <StatusControl status={ticket.status} onMove={move} busyTo={status.isPending ? status.variables : null} disabled={busy} groupRef={statusGroup} />
          {ticket.status !== 'closed' ? (
            <Button size="sm" variant="secondary" onClick={() => setMerging(true)} disabled={busy}>
              Merge into…
            </Button>
          ) : null}
          <Button
            variant={mine ? 'secondary' : 'primary'}
            size="sm"
            onClick={assignToMe}
            aria-keyshortcuts="a"
            busy={assignMe.isPending}
            disabled={mine || busy}
            title={mine ? 'This ticket is assigned to you' : undefined}
          >
            {mine ? '✓ Assigned to you' : 'Assign to me'}
          </Button>
        </div>
        )}
      </header>
      {merged ? (
        <div className="merged-banner" role="status">
          <strong>Merged into {merged.number}.</strong> Its conversation, notes and tags are there now, and the visitor’s chat continues there.{' '}
          <Link to={`/w/${ws}/tickets/${merged.number}`} className="btn btn-primary btn-sm">
            Go to {merged.number}
          </Link>
        </div>
      ) : null}
      {merging ? (
        <MergeDialog
          ws={ws}
          ticketRef={ref}
          ticket={ticket}
          onClose={() => setMerging(false)}
          onMerged={(r) => {
            setMerging(false);
            setNotice({ kind: 'success', text: `${r.merged.number} was merged into ${r.ticket.number}.` });
          }}
        />
      ) : null}
      {notice ? (
        <Alert kind={notice.kind} onDismiss={() => setNotice(null)}>
          {notice.text}
        </Alert>
      ) : null}
      <div className="ticket-layout">
        <div className="ticket-main">
          {brief ? (
            <section className="card o-brief" aria-label="Handoff summary">
              <h2 className="card-title">Handoff summary</h2>
              <p className="pre desc-body">{brief}</p>
            </section>
          ) : null}
          {rest && rest !== ticket.summary ? (
            <section className="card o-desc">
              {/* Long descriptions (the assistant includes a transcript) start folded. */}
              <details className="desc" open={rest.length <= 280}>
                <summary className="card-title">{brief ? 'Transcript' : 'Description'}</summary>
                <p className="pre desc-body">{rest}</p>
              </details>
            </section>
          ) : null}
          <Card
            title="Conversation"
            id="conv"
            className="o-conv"
            actions={
              <span className="muted small">
                {messages.length} messages{notes.length ? ` · ${notes.length} ${notes.length === 1 ? 'note' : 'notes'}` : ''}
              </span>
            }
          >
            {merged && messages.length === 0 && notes.length === 0 ? (
              <p className="muted">
                The conversation moved to <Link to={`/w/${ws}/tickets/${merged.number}`}>{merged.number}</Link>.
              </p>
            ) : (
              <MessageList messages={messages} notes={notes} visitorLabel={ticket.visitor_email} />
            )}
          </Card>
          {merged ? null : (
            <>
              <ReplyTyping conversationId={ticket.conversation_id} myId={myId} />
              <ReplyBox ws={ws} ticket={ref} ticketNumber={ticket.number} visitorEmail={ticket.visitor_email} erased={!!visitor?.erased_at} textareaRef={replyField} onSent={stopTyping} />
              <NoteBox ws={ws} target={{ ticket: ref }} myId={myId} />
            </>
          )}
          <Card title="Timeline" id="timeline" className="o-timeline">
            <Timeline events={events} />
          </Card>
        </div>
        <aside className="ticket-side" aria-label="Ticket details">
          <Card className="o-assign">
            <div className="field">
              <label htmlFor="assigned-to" className="field-label">
                Assigned To
              </label>
              <select
                id="assigned-to"
                className="input select"
                value={ticket.assignee?.id ?? ''}
                disabled={busy || Boolean(merged)}
                onChange={(e) => {
                  setNotice(null);
                  assign.mutate(e.target.value || null, { onError: report });
                }}
              >
                <option value="">Unassigned</option>
                {assigneeMissing && ticket.assignee ? <option value={ticket.assignee.id}>{ticket.assignee.name || ticket.assignee.email}</option> : null}
                {memberList.map((m) => (
                  <option key={m.user_id} value={m.user_id}>
                    {(m.name || m.email) + (m.user_id === myId ? ' (you)' : '')}
                  </option>
                ))}
              </select>
              {members.error ? <p className="field-error">{errorMessage(members.error)}</p> : null}
            </div>
            <fieldset className="fieldset-plain" disabled={Boolean(merged)}>
              <TicketProps ws={ws} ticketRef={ref} ticket={ticket} canManageTags={isAdmin(role)} report={report} tagsButtonRef={tagsButton} />
            </fieldset>
          </Card>
          <Card title="Visitor" id="visitor" className="o-visitor">
            <VisitorInfo visitor={visitor} email={ticket.visitor_email} />
            <VisitorPrivacyActions ws={ws} visitor={visitor} email={ticket.visitor_email} />
          </Card>
          <Card title="Ticket" id="ticket-facts" className="o-facts">
            <dl className="facts">
              <div className="fact">
                <dt>Created</dt>
                <dd title={dateTime(ticket.created_at)}>
                  <RelativeTime iso={ticket.created_at} />
                </dd>
              </div>
              <div className="fact">
                <dt>Updated</dt>
                <dd>
                  <RelativeTime iso={ticket.updated_at} />
                </dd>
              </div>
              <div className="fact">
                <dt>Source</dt>
                <dd>{SOURCE[ticket.source] ?? ticket.source}</dd>
              </div>
              <div className="fact">
                <dt>Category</dt>
                <dd>{CATEGORY[ticket.category] ?? ticket.category}</dd>
              </div>
              {ticket.language ? (
                <div className="fact">
                  <dt>Language</dt>
                  <dd lang={ticket.language}>{languageName(ticket.language)}</dd>
                </div>
              ) : null}
              <div className="fact">
                <dt>Conversation</dt>
                <dd>
                  <Link to={`/w/${ws}/conversations/${ticket.conversation_id}`}>Open conversation</Link>
                </dd>
              </div>
            </dl>
          </Card>
        </aside>
      </div>
    </div>
  );
}

/**
 * The assistant's descriptions open with a structured handoff summary (problem, facts,
 * what was tried, language, mood) and end with the transcript after "Conversation:". The
 * summary is shown on top, the transcript folded below it; other descriptions stay whole.
 */
export function splitDescription(description: string): { brief: string; rest: string } {
  const marker = '\n\nConversation:\n';
  const at = description.indexOf(marker);
  if (!description.startsWith('Problem: ') || at < 0) return { brief: '', rest: description };
  return { brief: description.slice(0, at), rest: description.slice(at + 2) };
}

/** Who else has the ticket open, and who is typing a reply (not me), under the summary. */
function Others({ viewers, conversationId, myId }: { viewers: TicketViewer[]; conversationId: string; myId: string | undefined }) {
  const typing = useTyping(conversationId);
  const shown = viewers.filter((v) => v.user_id !== myId);
  const line = othersLine(
    viewers.map((v) => ({ userId: v.user_id, name: v.name })),
    typing.agents,
    myId,
  );
  const text = [line.typing, line.viewing].filter(Boolean).join(' · ');
  return (
    <p className={`others ${text ? '' : 'is-empty'} ${line.typing ? 'is-typing' : ''}`} role="status" data-testid="others">
      {shown.length ? (
        <span className="others-faces" aria-hidden="true">
          {shown.slice(0, 3).map((v) => (
            <Avatar key={v.user_id} name={v.name} />
          ))}
        </span>
      ) : null}
      <span className="others-text">{text}</span>
    </p>
  );
}

/** Above the reply box: someone else is writing to this visitor right now. */
function ReplyTyping({ conversationId, myId }: { conversationId: string; myId: string | undefined }) {
  const typing = useTyping(conversationId);
  const { typing: text } = othersLine([], typing.agents, myId);
  if (!text) return null;
  return (
    <p className="reply-typing o-reply" data-testid="reply-typing">
      <span className="typing-dots" aria-hidden="true">
        <span />
        <span />
        <span />
      </span>
      {text} Check before you send yours.
    </p>
  );
}

function BackLink({ ws }: { ws: string }) {
  return (
    <Link to={listHref(ws)} className="back-link">
      <span aria-hidden="true">←</span> Tickets
    </Link>
  );
}
