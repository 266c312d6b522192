import { useQueryClient } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { useToast } from '../../../components/ui';
import { onMessageFrom, onTyping, type TypingEvent } from '../../../lib/live-typing';
import { useEventStream } from '../../../lib/sse';
import type { Ticket } from '../../../lib/types';
import { ticketsKey } from './tickets';

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
        const d = data as { ticket_id?: string | null; message?: { conversation_id?: string; sender?: string; author_name?: string | null } } | null;
        if (d?.ticket_id) refreshTickets();
        if (d?.message?.conversation_id && d.message.sender) onMessageFrom(d.message.conversation_id, d.message.sender, d.message.author_name);
        void qc.invalidateQueries({ queryKey: ['ws', ws, 'conversations'] });
      },
      // A conversation was taken over, handed back or fell back to the assistant; the
      // visitor's widget opened or closed: reload what shows it.
      'conversation.updated': () => void qc.invalidateQueries({ queryKey: ['ws', ws, 'conversations'] }),
      'visitor.presence': () => void qc.invalidateQueries({ queryKey: ['ws', ws, 'conversations'] }),
      typing: (data) => onTyping(data as TypingEvent),
    },
    { onReconnect: () => void qc.invalidateQueries({ queryKey: ['ws', ws] }), onStatus: setLiveStatus },
  );
}
