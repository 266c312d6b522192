import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { client, unwrap } from '../../../lib/api';
import type { SavedReply } from '../../../lib/types';

export const savedRepliesKey = (ws: string) => ['ws', ws, 'saved-replies'] as const;

/** Pages the `/` list follows at most (100 each: the server keeps at most 1,000 per workspace). */
const MAX_PAGES = 10;

/** Every saved reply of the workspace, by shortcut: the list's pages followed to the end. */
export const savedRepliesQuery = (ws: string) =>
  queryOptions({
    queryKey: savedRepliesKey(ws),
    queryFn: async ({ signal }): Promise<SavedReply[]> => {
      const all: SavedReply[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < MAX_PAGES; i++) {
        const page = await unwrap(
          client.GET('/api/v1/workspaces/{ws}/saved-replies', { params: { path: { ws }, query: { limit: 100, cursor } }, signal }),
        );
        all.push(...page.items);
        if (!page.next_cursor) break;
        cursor = page.next_cursor;
      }
      return all;
    },
    staleTime: 60_000,
  });

export interface SavedReplyFields {
  title: string;
  shortcut: string;
  body: string;
}

function useSavedReplyMutation<V, R>(ws: string, fn: (v: V) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => qc.invalidateQueries({ queryKey: savedRepliesKey(ws) }),
  });
}

export function useCreateSavedReply(ws: string) {
  return useSavedReplyMutation(ws, (body: SavedReplyFields) =>
    unwrap(client.POST('/api/v1/workspaces/{ws}/saved-replies', { params: { path: { ws } }, body })),
  );
}

export function useUpdateSavedReply(ws: string) {
  return useSavedReplyMutation(ws, ({ id, ...body }: Partial<SavedReplyFields> & { id: string; version: number }) =>
    unwrap(client.PATCH('/api/v1/workspaces/{ws}/saved-replies/{id}', { params: { path: { ws, id } }, body })),
  );
}

export function useDeleteSavedReply(ws: string) {
  return useSavedReplyMutation(ws, (id: string) =>
    unwrap(client.DELETE('/api/v1/workspaces/{ws}/saved-replies/{id}', { params: { path: { ws, id } } })),
  );
}

/** What the server accepts as a shortcut (lower case after a leading `/` is dropped). */
export const SHORTCUT_PATTERN = /^[a-z0-9_-]{1,32}$/;

/** A shortcut as typed in the form, the way the server stores it. */
export function normalShortcut(raw: string): string {
  return raw.trim().replace(/^\//, '').toLowerCase();
}
