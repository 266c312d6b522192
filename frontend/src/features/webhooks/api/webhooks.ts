import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { client, unwrap } from '../../../lib/api';

export const WEBHOOK_EVENTS = ['ticket.created', 'ticket.updated', 'ticket.assigned', 'ticket.replied', 'conversation.message', 'ticket.note_added'] as const;
/** Internal notes are the team's: a new endpoint gets them only when asked for. */
export const DEFAULT_WEBHOOK_EVENTS: string[] = WEBHOOK_EVENTS.filter((e) => e !== 'ticket.note_added');

export const webhooksQuery = (ws: string) =>
  queryOptions({
    queryKey: ['ws', ws, 'webhooks'],
    queryFn: () => unwrap(client.GET('/api/v1/workspaces/{ws}/webhooks', { params: { path: { ws } } })),
  });

export const deliveriesQuery = (ws: string, id: string) =>
  queryOptions({
    queryKey: ['ws', ws, 'webhooks', id, 'deliveries'],
    queryFn: () => unwrap(client.GET('/api/v1/workspaces/{ws}/webhooks/{id}/deliveries', { params: { path: { ws, id }, query: { limit: 25 } } })),
    refetchInterval: 5_000,
  });

export function useCreateWebhook(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { url: string; events: string[]; active: boolean }) => unwrap(client.POST('/api/v1/workspaces/{ws}/webhooks', { params: { path: { ws } }, body })),
    onSettled: () => qc.invalidateQueries({ queryKey: webhooksQuery(ws).queryKey }),
  });
}

export function useUpdateWebhook(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: { id: string; active?: boolean; events?: string[]; url?: string }) =>
      unwrap(client.PATCH('/api/v1/workspaces/{ws}/webhooks/{id}', { params: { path: { ws, id } }, body })),
    onSettled: () => qc.invalidateQueries({ queryKey: webhooksQuery(ws).queryKey }),
  });
}

export function useDeleteWebhook(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(client.DELETE('/api/v1/workspaces/{ws}/webhooks/{id}', { params: { path: { ws, id } } })),
    onSettled: () => qc.invalidateQueries({ queryKey: webhooksQuery(ws).queryKey }),
  });
}

/** "Send test event": a signed `webhook.test` to this endpoint only (also while it is off). */
export function useSendTestEvent(ws: string, id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(client.POST('/api/v1/workspaces/{ws}/webhooks/{id}/test', { params: { path: { ws, id } } })),
    onSettled: () => qc.invalidateQueries({ queryKey: deliveriesQuery(ws, id).queryKey }),
  });
}

/** Sends a delivery that did not get through once more (the same id and body). */
export function useRedeliver(ws: string, id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (delivery_id: string) =>
      unwrap(client.POST('/api/v1/workspaces/{ws}/webhooks/{id}/deliveries/{delivery_id}/redeliver', { params: { path: { ws, id, delivery_id } } })),
    onSettled: () => qc.invalidateQueries({ queryKey: deliveriesQuery(ws, id).queryKey }),
  });
}
