import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { client, unwrap } from '../../../lib/api';
import type { Tag } from '../../../lib/types';

export const tagsKey = (ws: string) => ['ws', ws, 'tags'] as const;

/** Every tag of the workspace, by name (at most 200). */
export const tagsQuery = (ws: string) =>
  queryOptions({
    queryKey: tagsKey(ws),
    queryFn: ({ signal }) => unwrap(client.GET('/api/v1/workspaces/{ws}/tags', { params: { path: { ws } }, signal })),
    select: (d) => d.items,
    staleTime: 30_000,
  });

/** The colours offered for a tag (the server's palette, api/src/domain/tags.rs). */
export const TAG_COLOURS = ['#2563eb', '#16a34a', '#d97706', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#4b5563'] as const;

function useTagMutation<V>(ws: string, fn: (v: V) => Promise<unknown>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: tagsKey(ws) });
      // Tickets carry their tags' names and colours.
      void qc.invalidateQueries({ queryKey: ['ws', ws, 'tickets'] });
    },
  });
}

export function useCreateTag(ws: string) {
  return useTagMutation<{ name: string; colour: string }>(ws, (body) =>
    unwrap(client.POST('/api/v1/workspaces/{ws}/tags', { params: { path: { ws } }, body })),
  );
}

export function useUpdateTag(ws: string) {
  return useTagMutation<{ id: string; name?: string; colour?: string }>(ws, ({ id, ...body }) =>
    unwrap(client.PATCH('/api/v1/workspaces/{ws}/tags/{id}', { params: { path: { ws, id } }, body })),
  );
}

export function useDeleteTag(ws: string) {
  return useTagMutation<string>(ws, (id) => unwrap(client.DELETE('/api/v1/workspaces/{ws}/tags/{id}', { params: { path: { ws, id } } })));
}

/** Tags whose name contains `filter` (case-insensitive), in their order. */
export function filterTags(tags: Tag[], filter: string): Tag[] {
  const f = filter.trim().toLowerCase();
  return f ? tags.filter((t) => t.name.toLowerCase().includes(f)) : tags;
}

/** The tag set after toggling `id`. */
export function toggleTag(current: string[], id: string): string[] {
  return current.includes(id) ? current.filter((x) => x !== id) : [...current, id];
}
