import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { client, unwrap } from '../../../lib/api';
import type { Role } from '../../../lib/types';

export const membersQuery = (ws: string) =>
  queryOptions({
    queryKey: ['ws', ws, 'members'],
    queryFn: () => unwrap(client.GET('/api/v1/workspaces/{ws}/members', { params: { path: { ws } } })),
    staleTime: 60_000,
  });

export const invitationsQuery = (ws: string) =>
  queryOptions({
    queryKey: ['ws', ws, 'invitations'],
    queryFn: () => unwrap(client.GET('/api/v1/workspaces/{ws}/invitations', { params: { path: { ws } } })),
  });

export function useInvite(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; role: Role }) => unwrap(client.POST('/api/v1/workspaces/{ws}/invitations', { params: { path: { ws } }, body })),
    onSettled: () => qc.invalidateQueries({ queryKey: invitationsQuery(ws).queryKey }),
  });
}

export function useChangeRole(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: Role }) =>
      unwrap(client.PATCH('/api/v1/workspaces/{ws}/members/{user_id}', { params: { path: { ws, user_id: userId } }, body: { role } })),
    onSettled: () => qc.invalidateQueries({ queryKey: membersQuery(ws).queryKey }),
  });
}

export function useRemoveMember(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) => unwrap(client.DELETE('/api/v1/workspaces/{ws}/members/{user_id}', { params: { path: { ws, user_id: userId } } })),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: membersQuery(ws).queryKey });
      void qc.invalidateQueries({ queryKey: ['me'] });
    },
  });
}

export function useAcceptInvitation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (token: string) => unwrap(client.POST('/api/v1/invitations/accept', { body: { token } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['me'] }),
  });
}
