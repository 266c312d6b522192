import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { client, unwrap } from '../../../lib/api';
import type { Scope } from '../../../lib/types';

export const apiKeysQuery = (ws: string) =>
  queryOptions({
    queryKey: ['ws', ws, 'api-keys'],
    queryFn: () => unwrap(client.GET('/api/v1/workspaces/{ws}/api-keys', { params: { path: { ws } } })),
  });

export function useCreateApiKey(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; scopes: Scope[] }) => unwrap(client.POST('/api/v1/workspaces/{ws}/api-keys', { params: { path: { ws } }, body })),
    onSettled: () => qc.invalidateQueries({ queryKey: apiKeysQuery(ws).queryKey }),
  });
}

export function useRevokeApiKey(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(client.DELETE('/api/v1/workspaces/{ws}/api-keys/{id}', { params: { path: { ws, id } } })),
    onSettled: () => qc.invalidateQueries({ queryKey: apiKeysQuery(ws).queryKey }),
  });
}
