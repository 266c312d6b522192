// The visitor's live stream (`EventSource /api/v1/widget/events`): `message.created` events
// carry a Message. The browser reconnects by itself after a dropped connection; when it gives
// up (the stream is CLOSED) we reopen with backoff. Either way, once the stream is back the
// session fetches what may have been missed.
import type { Message } from './api';

/** Reopens after the browser gave up, before the widget stops trying. */
const MAX_REOPENS = 20;

export interface LiveHandlers {
  message(m: Message): void;
  /** The stream is open again after a gap. */
  resumed(): void;
}

export class LiveStream {
  private current: EventSource | null = null;
  private failures = 0;

  constructor(
    private readonly ES: typeof EventSource,
    private readonly url: string,
    private readonly on: LiveHandlers,
  ) {}

  open() {
    const es = new this.ES(this.url);
    this.current = es;
    let opened = false;
    es.addEventListener('open', () => {
      if (opened || this.failures > 0) this.on.resumed();
      opened = true;
      this.failures = 0;
    });
    es.addEventListener('message.created', (ev) => {
      let m: Message;
      try {
        m = JSON.parse((ev as MessageEvent).data) as Message;
      } catch {
        return; // a malformed event
      }
      this.on.message(m);
    });
    es.addEventListener('error', () => {
      if (es.readyState !== 2 /* CLOSED */) return; // the browser is retrying by itself
      es.close();
      this.failures++;
      if (this.failures > MAX_REOPENS) return;
      const wait = Math.min(30_000, 1000 * 2 ** this.failures);
      setTimeout(() => this.current === es && this.open(), wait);
    });
  }
}
