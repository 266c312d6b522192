import { keepPreviousData, queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { client, unwrap } from '../../../lib/api';

export const ticketSettingsQuery = (ws: string) =>
  queryOptions({
    queryKey: ['ws', ws, 'ticket-settings'],
    queryFn: () => unwrap(client.GET('/api/v1/workspaces/{ws}/ticket-settings', { params: { path: { ws } } })),
  });

export interface TicketSettingsInput {
  enabled: boolean;
  notification_email: string | null;
  reply_sets_in_progress?: boolean;
  /** `''` goes back to the default (the workspace's name, the server's MAIL_FROM). */
  sender_name?: string;
  sender_address?: string;
  email_replies?: boolean;
  acknowledge_tickets?: boolean;
}

export function useUpdateTicketSettings(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: TicketSettingsInput) => unwrap(client.PUT('/api/v1/workspaces/{ws}/ticket-settings', { params: { path: { ws } }, body })),
    onSuccess: (data) => qc.setQueryData(ticketSettingsQuery(ws).queryKey, data),
  });
}

export const aiSettingsQuery = (ws: string) =>
  queryOptions({
    queryKey: ['ws', ws, 'ai-settings'],
    queryFn: () => unwrap(client.GET('/api/v1/workspaces/{ws}/ai-settings', { params: { path: { ws } } })),
  });

export function useSaveAiSettings(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (instructions: string) => unwrap(client.PUT('/api/v1/workspaces/{ws}/ai-settings', { params: { path: { ws } }, body: { instructions } })),
    onSuccess: (data) => {
      qc.setQueryData(aiSettingsQuery(ws).queryKey, data);
      void qc.invalidateQueries({ queryKey: ticketSettingsQuery(ws).queryKey });
    },
  });
}

/** Live lint of unsaved instructions (the caller debounces `instructions`). */
export const lintQuery = (ws: string, instructions: string) =>
  queryOptions({
    queryKey: ['ws', ws, 'lint', instructions],
    queryFn: ({ signal }) =>
      unwrap(client.POST('/api/v1/workspaces/{ws}/ai-settings/lint', { params: { path: { ws } }, body: { instructions }, signal })),
    placeholderData: keepPreviousData,
    staleTime: Infinity,
  });

export const mailStatusQuery = (ws: string) =>
  queryOptions({
    queryKey: ['ws', ws, 'mail-status'],
    queryFn: () => unwrap(client.GET('/api/v1/workspaces/{ws}/mail-status', { params: { path: { ws } } })),
    refetchInterval: 60_000,
  });
