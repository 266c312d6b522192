import { infiniteQueryOptions, queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { authFetch, client, unwrap } from '../../../lib/api';
import { apiErrorFrom } from '../../../lib/errors';
import type { PrivacySettings } from '../../../lib/types';

export const privacySettingsQuery = (ws: string) =>
  queryOptions({
    queryKey: ['ws', ws, 'privacy'],
    queryFn: () => unwrap(client.GET('/api/v1/workspaces/{ws}/privacy', { params: { path: { ws } } })),
  });

export function useSavePrivacySettings(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: PrivacySettings) => unwrap(client.PUT('/api/v1/workspaces/{ws}/privacy', { params: { path: { ws } }, body })),
    onSuccess: (data) => {
      qc.setQueryData(privacySettingsQuery(ws).queryKey, data);
      void qc.invalidateQueries({ queryKey: auditLogKey(ws) });
    },
  });
}

export const auditLogKey = (ws: string) => ['ws', ws, 'audit-log'] as const;

export const auditLogQuery = (ws: string) =>
  infiniteQueryOptions({
    queryKey: auditLogKey(ws),
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        client.GET('/api/v1/workspaces/{ws}/audit-log', {
          params: { path: { ws }, query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } },
          signal,
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? null,
  });

/** The file name the server gives an export (`visitor-<id>.json`). */
export const exportFileName = (visitor: string) => `visitor-${visitor}.json`;

/**
 * Fetches everything stored about a visitor (with the user's token, like every API call) and
 * saves it as `visitor-<id>.json` through a Blob and a temporary `<a download>`.
 */
export async function downloadVisitorExport(ws: string, visitor: string): Promise<void> {
  const url = new URL(`/api/v1/workspaces/${encodeURIComponent(ws)}/visitors/${encodeURIComponent(visitor)}/export`, window.location.origin);
  const res = await authFetch(new Request(url, { headers: { Accept: 'application/json' } }));
  const text = await res.text();
  if (!res.ok) {
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON: the status says enough */
    }
    throw apiErrorFrom(res.status, body);
  }
  const href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = href;
  a.download = exportFileName(visitor);
  a.hidden = true;
  document.body.append(a);
  try {
    a.click();
  } finally {
    a.remove();
    // Let the browser start the download before the URL goes away.
    setTimeout(() => URL.revokeObjectURL(href), 0);
  }
}

export function useExportVisitor(ws: string, visitor: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => downloadVisitorExport(ws, visitor),
    onSettled: () => qc.invalidateQueries({ queryKey: auditLogKey(ws) }),
  });
}

/**
 * Erases a visitor. The ticket and conversation pages then show the erased state: their
 * queries live under `['ws', ws, 'tickets']` and `['ws', ws, 'conversations']` (ticketsKey and
 * conversationsKey in those features, which import this one, so the keys are spelled out here).
 */
export function useEraseVisitor(ws: string, visitor: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(client.POST('/api/v1/workspaces/{ws}/visitors/{visitor}/erase', { params: { path: { ws, visitor } } })),
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: ['ws', ws, 'tickets'] }),
        qc.invalidateQueries({ queryKey: ['ws', ws, 'conversations'] }),
        qc.invalidateQueries({ queryKey: auditLogKey(ws) }),
      ]),
  });
}
