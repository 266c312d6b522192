import { act, render } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { __resetForTests, setSession } from './auth-store';
import { useEventStream } from './sse';

class FakeEventSource {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSED = 2;
  static all: FakeEventSource[] = [];
  readyState = FakeEventSource.CONNECTING;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  listeners = new Map<string, (ev: MessageEvent) => void>();
  closed = false;
  constructor(public url: string) {
    FakeEventSource.all.push(this);
  }
  addEventListener(name: string, fn: (ev: MessageEvent) => void) {
    this.listeners.set(name, fn);
  }
  close() {
    this.closed = true;
    this.readyState = FakeEventSource.CLOSED;
  }
  open() {
    this.readyState = FakeEventSource.OPEN;
    this.onopen?.();
  }
  emit(name: string, data: unknown) {
    this.listeners.get(name)?.(new MessageEvent(name, { data: JSON.stringify(data) }));
  }
  fail() {
    this.readyState = FakeEventSource.CLOSED;
    this.onerror?.();
  }
}

function Probe({ onTicket, onReconnect }: { onTicket: (d: unknown) => void; onReconnect: () => void }) {
  useEventStream('/api/v1/workspaces/w1/events', { 'ticket.created': onTicket }, { onReconnect });
  return null;
}

const user = { id: 'u', email: 'e', name: 'n' };

describe('useEventStream', () => {
  beforeEach(() => {
    FakeEventSource.all = [];
    vi.stubGlobal('EventSource', FakeEventSource);
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    setSession(null);
  });

  it('opens the stream with a single-use ticket minted with the access token (never the token itself), parses events, and reconnects with a fresh ticket when the stream ends', async () => {
    __resetForTests();
    setSession({ user, accessToken: 'tok-1', expiresAt: Date.now() + 900_000 });
    const minted: { url: string; auth: string | null }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (req: Request) => {
        minted.push({ url: new URL(req.url).pathname, auth: req.headers.get('Authorization') });
        return new Response(JSON.stringify({ ticket: `hs_${minted.length}`, expires_in: 30 }), {
          status: 201,
          headers: { 'Content-Type': 'application/json' },
        });
      }),
    );
    const onTicket = vi.fn();
    const onReconnect = vi.fn();
    const { unmount } = render(<Probe onTicket={onTicket} onReconnect={onReconnect} />);
    await act(async () => undefined);
    expect(FakeEventSource.all).toHaveLength(1);
    const first = FakeEventSource.all[0];
    expect(first.url).toBe('/api/v1/workspaces/w1/events?ticket=hs_1');
    expect(first.url).not.toContain('tok-1');
    expect(minted[0]).toEqual({ url: '/api/v1/workspaces/w1/stream-tickets', auth: 'Bearer tok-1' });
    act(() => first.open());
    act(() => first.emit('ticket.created', { number: 'TKT-10001' }));
    expect(onTicket).toHaveBeenCalledWith({ number: 'TKT-10001' }, expect.anything());

    // The server ends the stream (e.g. the token expired); meanwhile the token was rotated.
    setSession({ user, accessToken: 'tok-2', expiresAt: Date.now() + 900_000 });
    act(() => first.fail());
    await act(async () => {
      await vi.advanceTimersByTimeAsync(2500);
    });
    expect(FakeEventSource.all).toHaveLength(2);
    const second = FakeEventSource.all[1];
    expect(first.closed).toBe(true);
    expect(second.url).toBe('/api/v1/workspaces/w1/events?ticket=hs_2');
    expect(minted[1].auth).toBe('Bearer tok-2');
    act(() => second.open());
    expect(onReconnect).toHaveBeenCalledTimes(1);
    // More was missed than the server replays: it says `resync`, and the caller reloads.
    act(() => second.emit('resync', { reason: 'too_many_missed' }));
    expect(onReconnect).toHaveBeenCalledTimes(2);

    unmount();
    expect(second.closed).toBe(true);
  });
});
