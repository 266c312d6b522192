// Subscribes to a server-sent event stream. EventSource cannot send headers, and credentials
// never go into URLs: each connection first mints a single-use stream ticket
// (`POST …/stream-tickets` with the access token) and opens the stream with `?ticket=`.
// A ticket works once, so the browser's own automatic reconnect can't be used: whenever the
// stream drops (the server ends it when the access token expires, when access is revoked,
// or on a network blip) we close it and reconnect with a fresh ticket, and tell the caller
// so it can refetch what it may have missed. A `resync` event (the server had more missed
// changes than it replays) tells the caller the same.
import { useEffect, useRef } from 'react';
import { authFetch } from './api';

export type SseHandlers = Record<string, (data: unknown, ev: MessageEvent) => void>;

export interface SseOptions {
  /** Refetch what may have been missed: after a reconnect, and on a `resync` event. */
  onReconnect?: () => void;
  onStatus?: (status: 'connecting' | 'open' | 'closed') => void;
}

/** The ticket-minting route of an event stream: `…/events` → `…/stream-tickets`. */
export function ticketPath(eventsPath: string): string {
  return eventsPath.replace(/\/events$/, '/stream-tickets');
}

/** Mints a stream ticket; null when the server refuses (logged out, no access). */
async function mintTicket(eventsPath: string): Promise<string | null> {
  const res = await authFetch(new Request(`${window.location.origin}${ticketPath(eventsPath)}`, { method: 'POST' }));
  if (!res.ok) return null;
  const body = (await res.json().catch(() => null)) as { ticket?: string } | null;
  return body?.ticket ?? null;
}

export function useEventStream(path: string | null, handlers: SseHandlers, options: SseOptions = {}) {
  const handlersRef = useRef(handlers);
  const optsRef = useRef(options);
  handlersRef.current = handlers;
  optsRef.current = options;
  const names = Object.keys(handlers).sort().join(',');

  useEffect(() => {
    if (!path || typeof EventSource === 'undefined') return;
    let es: EventSource | null = null;
    let stopped = false;
    let attempt = 0;
    let everOpened = false;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;

    const retry = (delay: number) => {
      optsRef.current.onStatus?.('closed');
      retryTimer = setTimeout(() => void connect(), delay);
    };

    const connect = async () => {
      optsRef.current.onStatus?.('connecting');
      const ticket = await mintTicket(path).catch(() => null);
      if (stopped) return;
      if (!ticket) {
        attempt += 1;
        retry(Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5)));
        return;
      }
      const sep = path.includes('?') ? '&' : '?';
      const current = new EventSource(`${path}${sep}ticket=${encodeURIComponent(ticket)}`);
      es = current;
      let opened = false;
      current.onopen = () => {
        optsRef.current.onStatus?.('open');
        if (everOpened) optsRef.current.onReconnect?.();
        everOpened = true;
        opened = true;
        attempt = 0;
      };
      current.addEventListener('resync', () => optsRef.current.onReconnect?.());
      for (const name of names.split(',').filter(Boolean)) {
        current.addEventListener(name, (ev) => {
          const me = ev as MessageEvent;
          let data: unknown = me.data;
          try {
            data = JSON.parse(me.data);
          } catch {
            /* keep raw */
          }
          handlersRef.current[name]?.(data, me);
        });
      }
      current.onerror = () => {
        // The ticket is spent: the browser's own retry would be refused, so reconnect
        // ourselves with a new one. A stream that was open (ended by the server) comes back
        // at once; one that never opened backs off.
        current.close();
        if (es !== current) return;
        es = null;
        if (opened) {
          retry(250);
        } else {
          attempt += 1;
          retry(Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5)));
        }
      };
    };
    void connect();
    return () => {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      es?.close();
    };
  }, [path, names]);
}
