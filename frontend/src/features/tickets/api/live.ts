import { useQueryClient } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { useNavigate } from 'react-router';
import { useSession } from '../../auth/api/auth';
import { isForMe, notifyInBackground, type NotifyTarget } from '../../notifications/api/notifications';
import { useToast } from '../../../components/ui';
import { onMessageFrom, onTyping, type TypingEvent } from '../../../lib/live-typing';
import { useEventStream } from '../../../lib/sse';
import type { Note, Ticket, TicketViewers } from '../../../lib/types';
import { mentionsKey } from '../../notes/api/notes';
import { ticketsKey } from './tickets';
import { onViewers } from './viewers';

type LiveStatus = 'connecting' | 'open' | 'closed';
let liveStatus: LiveStatus = 'connecting';
const liveListeners = new Set<() => void>();
function setLiveStatus(s: LiveStatus) {
  liveStatus = s;
  for (const l of liveListeners) l();
}

/** Whether the workspace event stream is connected (for the "Live" indicator). */
export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(
    (l) => {
      liveListeners.add(l);
      return () => liveListeners.delete(l);
    },
    () => liveStatus,
  );
}

/** Keeps every ticket and conversation query of the workspace live over SSE. */
export function useLiveWorkspace(ws: string) {
  const qc = useQueryClient();
  const toast = useToast();
  const refreshTickets = () => void qc.invalidateQueries({ queryKey: ticketsKey(ws) });
  const me = useSession()?.user?.id;
  const navigate = useNavigate();
  /** A ticket of the lists on screen, by id (for its number in a notification). */
  const cachedTicket = (id: string | null | undefined) =>
    id
      ? qc
          .getQueriesData<{ pages?: { items?: Ticket[] }[] }>({ queryKey: ticketsKey(ws) })
          .flatMap(([, v]) => v?.pages?.flatMap((p) => p.items ?? []) ?? [])
          .find((t) => t.id === id)
      : undefined;
  useEventStream(
    ws ? `/api/v1/workspaces/${ws}/events` : null,
    {
      'ticket.created': (data) => {
        refreshTickets();
        const t = data as Partial<Ticket> | null;
        if (t && t.number !== undefined) {
          const num = t.number;
          toast.show({
            text: `New ticket ${num}${t.visitor_email ? ` from ${t.visitor_email}` : ''}`,
            href: `/w/${ws}/tickets/${num}`,
            linkText: 'View',
          });
        }
      },
      'ticket.updated': () => refreshTickets(),
      'message.created': (data) => {
        const d = data as {
          ticket_id?: string | null;
          message?: { conversation_id?: string; sender?: string; author_name?: string | null; body?: string };
          notify?: NotifyTarget | null;
        } | null;
        if (d?.ticket_id) refreshTickets();
        // A visitor's message for me while the dashboard is in the background: a browser
        // notification (when turned on in Settings), which brings me to it.
        if (d?.message?.sender === 'visitor' && d.message.conversation_id && isForMe(d.notify, me)) {
          const conv = d.message.conversation_id;
          const ticketId = d.ticket_id;
          const cached = cachedTicket(ticketId);
          notifyInBackground({
            title: cached ? `New reply in ${cached.number}` : ticketId ? 'New reply in a ticket' : 'New message in your conversation',
            body: d.message.body ?? '',
            tag: conv,
            onClick: () => navigate(ticketId ? `/w/${ws}/tickets/${cached?.number ?? ticketId}` : `/w/${ws}/conversations/${conv}`),
          });
        }
        if (d?.message?.conversation_id && d.message.sender) onMessageFrom(d.message.conversation_id, d.message.sender, d.message.author_name);
        void qc.invalidateQueries({ queryKey: ['ws', ws, 'conversations'] });
      },
      // A conversation was taken over, handed back or fell back to the assistant; the
      // visitor's widget opened or closed: reload what shows it.
      'conversation.updated': () => void qc.invalidateQueries({ queryKey: ['ws', ws, 'conversations'] }),
      'visitor.presence': () => void qc.invalidateQueries({ queryKey: ['ws', ws, 'conversations'] }),
      typing: (data) => onTyping(data as TypingEvent),
      // Who has a ticket open changed: its page shows "Kim is also viewing".
      'ticket.viewers': (data) => onViewers(data as TicketViewers),
      // An internal note: the pages showing its conversation reload; a mention of me pops a
      // toast (and a browser notification while the dashboard is in the background).
      'note.created': (data) => {
        const d = data as { note?: Note; ticket_id?: string | null; mentioned?: string[] } | null;
        void qc.invalidateQueries({ queryKey: [...ticketsKey(ws), 'detail'] });
        void qc.invalidateQueries({ queryKey: ['ws', ws, 'conversations', 'detail'] });
        if (!d?.note || !me || !d.mentioned?.includes(me)) return;
        void qc.invalidateQueries({ queryKey: mentionsKey(ws) });
        const note = d.note;
        const ticketId = d.ticket_id;
        const cached = cachedTicket(ticketId);
        const where = cached ? ` in ${cached.number}` : ticketId ? ' in a ticket' : ' in a conversation';
        const href = ticketId ? `/w/${ws}/tickets/${cached?.number ?? ticketId}` : `/w/${ws}/conversations/${note.conversation_id}`;
        toast.show({ text: `${note.author_name} mentioned you${where}`, href, linkText: 'View' });
        notifyInBackground({ title: `${note.author_name} mentioned you${where}`, body: note.body, tag: note.id, onClick: () => navigate(href) });
      },
    },
    { onReconnect: () => void qc.invalidateQueries({ queryKey: ['ws', ws] }), onStatus: setLiveStatus },
  );
}
