import { infiniteQueryOptions, queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { client, unwrap } from '../../../lib/api';
import { ApiError } from '../../../lib/errors';
import type { components } from '../../../lib/api-types';
import type { Ticket, TicketDetail, TicketStatus } from '../../../lib/types';
import { ticketListParams, type TicketListState } from './list-params';

export const ticketsKey = (ws: string) => ['ws', ws, 'tickets'] as const;

export const ticketListQuery = (ws: string, state: TicketListState) => {
  const query = ticketListParams(state);
  return infiniteQueryOptions({
    queryKey: [...ticketsKey(ws), 'list', query],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        client.GET('/api/v1/workspaces/{ws}/tickets', {
          params: { path: { ws }, query: { ...query, ...(pageParam ? { cursor: pageParam } : {}) } },
          signal,
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? null,
  });
};

export const ticketCountsQuery = (ws: string) =>
  queryOptions({
    queryKey: [...ticketsKey(ws), 'counts'],
    queryFn: () => unwrap(client.GET('/api/v1/workspaces/{ws}/tickets/counts', { params: { path: { ws } } })),
  });

export const ticketQuery = (ws: string, ticket: string) =>
  queryOptions({
    queryKey: [...ticketsKey(ws), 'detail', ticket],
    queryFn: () => unwrap(client.GET('/api/v1/workspaces/{ws}/tickets/{ticket}', { params: { path: { ws, ticket } } })),
  });

/** Shared behaviour of the ticket mutations: fresh data on success, a refetch on 409. */
function useTicketMutation<V>(ws: string, ticket: string, fn: (v: V, current: Ticket | undefined) => Promise<Ticket>) {
  const qc = useQueryClient();
  const key = ticketQuery(ws, ticket).queryKey;
  return useMutation({
    mutationFn: (v: V) => fn(v, qc.getQueryData<TicketDetail>(key)?.ticket),
    onSuccess: (t) => {
      qc.setQueryData<TicketDetail>(key, (old) => (old ? { ...old, ticket: t } : old));
    },
    onError: (err) => {
      if (err instanceof ApiError && (err.status === 409 || err.status === 404)) void qc.invalidateQueries({ queryKey: key });
    },
    onSettled: () => qc.invalidateQueries({ queryKey: ticketsKey(ws) }),
  });
}

export function useChangeStatus(ws: string, ticket: string) {
  return useTicketMutation<TicketStatus>(ws, ticket, (status, cur) =>
    unwrap(
      client.POST('/api/v1/workspaces/{ws}/tickets/{ticket}/status', {
        params: { path: { ws, ticket } },
        body: { status, ...(cur ? { version: cur.version } : {}) },
      }),
    ),
  );
}

export function useAssign(ws: string, ticket: string) {
  return useTicketMutation<string | null>(ws, ticket, (assignee_id, cur) =>
    unwrap(
      client.POST('/api/v1/workspaces/{ws}/tickets/{ticket}/assign', {
        params: { path: { ws, ticket } },
        body: { assignee_id, ...(cur ? { version: cur.version } : {}) },
      }),
    ),
  );
}

export function useAssignToMe(ws: string, ticket: string) {
  return useTicketMutation<void>(ws, ticket, (_v, cur) =>
    unwrap(
      client.POST('/api/v1/workspaces/{ws}/tickets/{ticket}/assign-to-me', {
        params: { path: { ws, ticket } },
        body: cur ? { version: cur.version } : {},
      }),
    ),
  );
}

export function useReply(ws: string, ticket: string) {
  const qc = useQueryClient();
  const key = ticketQuery(ws, ticket).queryKey;
  return useMutation({
    mutationFn: (body: { body: string; email_visitor: boolean; attachment_ids?: string[] }) =>
      unwrap(client.POST('/api/v1/workspaces/{ws}/tickets/{ticket}/replies', { params: { path: { ws, ticket } }, body })),
    onSuccess: (msg) => {
      qc.setQueryData<TicketDetail>(key, (old) =>
        old && !old.messages.some((m) => m.id === msg.id) ? { ...old, messages: [...old.messages, msg] } : old,
      );
    },
    onSettled: () => qc.invalidateQueries({ queryKey: ticketsKey(ws) }),
  });
}

export function useCreateTicket(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: components['schemas']['CreateTicket']) => unwrap(client.POST('/api/v1/workspaces/{ws}/tickets', { params: { path: { ws } }, body })),
    onSettled: () => qc.invalidateQueries({ queryKey: ticketsKey(ws) }),
  });
}
