import { act, renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { nameList, onViewers, othersLine, useViewers } from './viewers';

const list = (as_of: string, ...names: string[]) => ({
  ticket_id: 't1',
  as_of,
  viewers: names.map((name, i) => ({ user_id: `u${i}-${name}`, name, since: as_of })),
});

describe('ticket viewers', () => {
  it('names people the way a sentence does', () => {
    expect(nameList([])).toBe('');
    expect(nameList(['Kim'])).toBe('Kim');
    expect(nameList(['Kim', 'Lee'])).toBe('Kim and Lee');
    expect(nameList(['Kim', 'Lee', 'Sam'])).toBe('Kim, Lee and Sam');
    expect(nameList(['Kim', 'Lee', 'Sam', 'Ann', 'Bo'])).toBe('Kim, Lee and 3 others');
  });

  it('says who types a reply and who else only looks, never me', () => {
    const viewers = [
      { userId: 'me', name: 'Me' },
      { userId: 'k', name: 'Kim' },
      { userId: 'l', name: 'Lee' },
    ];
    expect(othersLine(viewers, [], 'me')).toEqual({ typing: '', viewing: 'Kim and Lee are also viewing' });
    expect(othersLine(viewers, [{ userId: 'k', name: 'Kim' }], 'me')).toEqual({ typing: 'Kim is typing a reply…', viewing: 'Lee is also viewing' });
    // My own typing (another tab) is not news; someone typing on the Conversation page is.
    expect(othersLine(viewers.slice(0, 1), [{ userId: 'me', name: 'Me' }, { userId: 's', name: 'Sam' }], 'me')).toEqual({ typing: 'Sam is typing a reply…', viewing: '' });
    expect(othersLine(viewers.slice(0, 1), [], 'me')).toEqual({ typing: '', viewing: '' });
  });

  it('keeps the newest list of a watched ticket, and nothing of others', () => {
    const { result, unmount } = renderHook(() => useViewers('t1'));
    expect(result.current).toEqual([]);
    act(() => onViewers(list('2026-12-03T10:00:02Z', 'Kim', 'Lee')));
    expect(result.current.map((v) => v.name)).toEqual(['Kim', 'Lee']);
    // An answer read before the event that came first changes nothing.
    act(() => onViewers(list('2026-12-03T10:00:01Z', 'Kim')));
    expect(result.current.map((v) => v.name)).toEqual(['Kim', 'Lee']);
    act(() => onViewers(list('2026-12-03T10:00:03Z')));
    expect(result.current).toEqual([]);
    // Junk from the stream is ignored.
    act(() => onViewers(null));
    act(() => onViewers({ ticket_id: 't1' } as never));
    expect(result.current).toEqual([]);
    unmount();
    // Nobody shows t1 now: its lists are not kept.
    onViewers(list('2026-12-03T10:00:04Z', 'Kim'));
    const again = renderHook(() => useViewers('t1'));
    expect(again.result.current).toEqual([]);
  });
});
