import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { client, unwrap } from '../../../lib/api';

export const conversationListQuery = (ws: string) =>
  infiniteQueryOptions({
    queryKey: ['ws', ws, 'conversations', 'list'],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        client.GET('/api/v1/workspaces/{ws}/conversations', {
          params: { path: { ws }, query: { limit: 25, ...(pageParam ? { cursor: pageParam } : {}) } },
          signal,
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? null,
  });

export const conversationQuery = (ws: string, id: string) =>
  queryOptions({
    queryKey: ['ws', ws, 'conversations', 'detail', id],
    queryFn: () => unwrap(client.GET('/api/v1/workspaces/{ws}/conversations/{id}', { params: { path: { ws, id } } })),
  });
