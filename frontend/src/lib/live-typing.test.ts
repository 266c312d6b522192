import { afterEach, describe, expect, it, vi } from 'vitest';
import { onMessageFrom, onTyping, TYPING_TTL_MS } from './live-typing';
import { renderHook, act } from '@testing-library/react';
import { useTyping } from './live-typing';

afterEach(() => vi.useRealTimers());

describe('live typing', () => {
  it('shows who types per conversation, goes away on stop, on their message, or after a silence', () => {
    vi.useFakeTimers();
    const { result } = renderHook(() => useTyping('c1'));
    const other = renderHook(() => useTyping('c2'));
    act(() => onTyping({ conversation_id: 'c1', sender: 'visitor', typing: true }));
    expect(result.current.visitor).toBe(true);
    expect(other.result.current.visitor).toBe(false);
    act(() => onMessageFrom('c1', 'visitor'));
    expect(result.current.visitor).toBe(false);
    act(() => onTyping({ conversation_id: 'c1', sender: 'agent', user_id: 'u1', name: 'Sam', typing: true }));
    act(() => onTyping({ conversation_id: 'c1', sender: 'agent', user_id: 'u1', name: 'Sam', typing: true }));
    expect(result.current.agents).toEqual([{ userId: 'u1', name: 'Sam' }]);
    act(() => onTyping({ conversation_id: 'c1', sender: 'agent', user_id: 'u1', name: 'Sam', typing: false }));
    expect(result.current.agents).toEqual([]);
    act(() => onTyping({ conversation_id: 'c1', sender: 'visitor', typing: true }));
    act(() => vi.advanceTimersByTime(TYPING_TTL_MS + 1));
    expect(result.current.visitor).toBe(false);
  });
});
