import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { client, unwrap } from '../../../lib/api';
import type { Role, Workspace } from '../../../lib/types';
import { meQuery } from '../../auth/api/auth';

const LAST_WS = 'handoff.lastWorkspace';

export const workspaceQuery = (ws: string) =>
  queryOptions({
    queryKey: ['ws', ws, 'workspace'],
    queryFn: () => unwrap(client.GET('/api/v1/workspaces/{ws}', { params: { path: { ws } } })),
    staleTime: 30_000,
  });

/** The :ws route parameter (every workspace page lives under /w/:ws). */
export function useWs(): string {
  const { ws } = useParams();
  return ws ?? '';
}

export function rememberWorkspace(ws: string) {
  try {
    localStorage.setItem(LAST_WS, ws);
  } catch {
    /* ignore */
  }
}

export function lastWorkspace(): string | null {
  try {
    return localStorage.getItem(LAST_WS);
  } catch {
    return null;
  }
}

/** The signed-in user's role in the current workspace (undefined while loading). */
export function useMyRole(ws: string): Role | undefined {
  const me = useQuery(meQuery());
  return me.data?.workspaces.find((w) => w.id === ws)?.role;
}

export function isAdmin(role: Role | undefined) {
  return role === 'owner' || role === 'admin';
}

export function useCreateWorkspace() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string }) => unwrap(client.POST('/api/v1/workspaces', { body })),
    onSuccess: (ws) => {
      qc.setQueryData(workspaceQuery(ws.id).queryKey, ws);
      return qc.invalidateQueries({ queryKey: ['me'] });
    },
  });
}

export type WorkspacePatch = Partial<Pick<Workspace, 'name' | 'allowed_origins' | 'widget_color' | 'greeting' | 'default_language'>>;

export function useUpdateWorkspace(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: WorkspacePatch) => unwrap(client.PATCH('/api/v1/workspaces/{ws}', { params: { path: { ws } }, body })),
    onSuccess: (data) => {
      qc.setQueryData(workspaceQuery(ws).queryKey, data);
      void qc.invalidateQueries({ queryKey: ['me'] });
      void qc.invalidateQueries({ queryKey: ['ws', ws, 'ticket-settings'] });
    },
  });
}
