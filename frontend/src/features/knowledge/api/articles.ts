import { infiniteQueryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { client, unwrap } from '../../../lib/api';

export const articlesKey = (ws: string) => ['ws', ws, 'articles'] as const;

export const articleListQuery = (ws: string) =>
  infiniteQueryOptions({
    queryKey: [...articlesKey(ws), 'list'],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        client.GET('/api/v1/workspaces/{ws}/articles', {
          params: { path: { ws }, query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } },
          signal,
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? null,
  });

export function useSaveArticle(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    // PUT replaces the whole article: the URL is always sent (empty: none).
    mutationFn: ({ id, title, body, url }: { id?: string; title: string; body: string; url: string }) =>
      id
        ? unwrap(client.PUT('/api/v1/workspaces/{ws}/articles/{id}', { params: { path: { ws, id } }, body: { title, body, url } }))
        : unwrap(client.POST('/api/v1/workspaces/{ws}/articles', { params: { path: { ws } }, body: { title, body, url } })),
    onSettled: () => qc.invalidateQueries({ queryKey: articlesKey(ws) }),
  });
}

export function useDeleteArticle(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(client.DELETE('/api/v1/workspaces/{ws}/articles/{id}', { params: { path: { ws, id } } })),
    onSettled: () => qc.invalidateQueries({ queryKey: articlesKey(ws) }),
  });
}
