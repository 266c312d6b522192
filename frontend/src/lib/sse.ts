// Subscribes to a server-sent event stream that authenticates with `?token=` (EventSource
// cannot send headers). Reconnects with backoff and a fresh token when the stream drops, and
// tells the caller after a reconnect so it can refetch what it may have missed.
import { useEffect, useRef } from 'react';
import { getAccessToken } from './auth-store';

export type SseHandlers = Record<string, (data: unknown, ev: MessageEvent) => void>;

export interface SseOptions {
  onReconnect?: () => void;
  onStatus?: (status: 'connecting' | 'open' | 'closed') => void;
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

    const connect = async () => {
      optsRef.current.onStatus?.('connecting');
      const token = await getAccessToken().catch(() => null);
      if (stopped) return;
      if (!token) {
        optsRef.current.onStatus?.('closed');
        return;
      }
      const sep = path.includes('?') ? '&' : '?';
      es = new EventSource(`${path}${sep}token=${encodeURIComponent(token)}`);
      es.onopen = () => {
        optsRef.current.onStatus?.('open');
        if (everOpened) optsRef.current.onReconnect?.();
        everOpened = true;
        attempt = 0;
      };
      for (const name of names.split(',').filter(Boolean)) {
        es.addEventListener(name, (ev) => {
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
      es.onerror = () => {
        // The browser retries on its own while CONNECTING; when it gave up (e.g. 401 after
        // the token expired) we reconnect ourselves with a fresh token.
        if (es && es.readyState === EventSource.CLOSED) {
          es.close();
          es = null;
          optsRef.current.onStatus?.('closed');
          attempt += 1;
          const delay = Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5));
          retryTimer = setTimeout(() => void connect(), delay);
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
