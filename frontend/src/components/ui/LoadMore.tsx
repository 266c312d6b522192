import { Button } from './Button';

/** The part of an infinite query that paging needs (TanStack Query's `useInfiniteQuery` result fits). */
export interface Pages {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => Promise<unknown>;
}

/** "Load more" under a keyset-paged list; nothing when there is no next page. */
export function LoadMore({ list }: { list: Pages }) {
  if (!list.hasNextPage) return null;
  return (
    <div className="load-more">
      <Button onClick={() => void list.fetchNextPage()} busy={list.isFetchingNextPage}>
        Load more
      </Button>
    </div>
  );
}
