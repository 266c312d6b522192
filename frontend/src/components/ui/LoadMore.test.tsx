import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { LoadMore } from './LoadMore';

describe('LoadMore', () => {
  const list = (over: Partial<{ hasNextPage: boolean; isFetchingNextPage: boolean }> = {}) => ({
    hasNextPage: true,
    isFetchingNextPage: false,
    fetchNextPage: vi.fn(() => Promise.resolve()),
    ...over,
  });

  it('is absent without a next page', () => {
    const { container } = render(<LoadMore list={list({ hasNextPage: false })} />);
    expect(container.innerHTML).toBe('');
  });

  it('fetches the next page, and is busy while it loads', () => {
    const l = list();
    const { rerender } = render(<LoadMore list={l} />);
    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    expect(l.fetchNextPage).toHaveBeenCalledOnce();
    rerender(<LoadMore list={{ ...l, isFetchingNextPage: true }} />);
    const btn = screen.getByRole('button', { name: 'Load more' }) as HTMLButtonElement;
    expect(btn.disabled).toBe(true);
    expect(btn.getAttribute('aria-busy')).toBe('true');
    expect(btn.parentElement?.className).toBe('load-more');
  });
});
