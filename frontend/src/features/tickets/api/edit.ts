// PATCH /tickets/{ticket}: summary, category, priority and tags, always with the version
// the caller saw (a stale one is 409 and the ticket is refetched).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { client, unwrap } from '../../../lib/api';
import { ApiError } from '../../../lib/errors';
import type { Ticket, TicketDetail, TicketPriority } from '../../../lib/types';
import { ticketQuery, ticketsKey } from './tickets';

export interface TicketEdit {
  summary?: string;
  category?: Ticket['category'];
  priority?: TicketPriority;
  tags?: string[];
}

export { CATEGORY_LABEL, PRIORITIES, PRIORITY_LABEL } from './labels';

export function editTicket(ws: string, ticket: Ticket, edit: TicketEdit): Promise<Ticket> {
  return unwrap(
    client.PATCH('/api/v1/workspaces/{ws}/tickets/{ticket}', {
      params: { path: { ws, ticket: ticket.id } },
      body: { ...edit, version: ticket.version },
    }),
  );
}

/** Edits the ticket of the detail page (`ref` is its number or id as in the URL). */
export function useEditTicket(ws: string, ref: string) {
  const qc = useQueryClient();
  const key = ticketQuery(ws, ref).queryKey;
  return useMutation({
    mutationFn: (edit: TicketEdit) => {
      const cur = qc.getQueryData<TicketDetail>(key)?.ticket;
      if (!cur) return Promise.reject(new Error('The ticket is still loading.'));
      return editTicket(ws, cur, edit);
    },
    onSuccess: (t) => {
      qc.setQueryData<TicketDetail>(key, (old) => (old ? { ...old, ticket: t } : old));
      // The timeline gained entries.
      void qc.invalidateQueries({ queryKey: key });
    },
    onError: (err) => {
      if (err instanceof ApiError && (err.status === 409 || err.status === 404)) void qc.invalidateQueries({ queryKey: key });
    },
    onSettled: () => qc.invalidateQueries({ queryKey: [...ticketsKey(ws), 'list'] }),
  });
}

/** Edits a ticket of the list, from the row's ticket (its version). */
export function useEditListTicket(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ ticket, edit }: { ticket: Ticket; edit: TicketEdit }) => editTicket(ws, ticket, edit),
    onSettled: () => qc.invalidateQueries({ queryKey: ticketsKey(ws) }),
  });
}
