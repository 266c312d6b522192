// The visitor's live stream (`EventSource /api/v1/widget/events`): `message.created` events
// carry a Message; `message.delta` events a piece of an assistant reply being written. The visitor token never goes into the URL: each connection opens with a
// single-use stream ticket (`POST /api/v1/widget/stream-tickets`). A spent ticket can't be
// reused by the browser's own reconnect, so whenever the stream drops we close it and open
// a new one with a fresh ticket (at once if it had been open, with backoff if it never
// opened); once it is back the session fetches what may have been missed. So does a
// `resync` event (the server had more missed messages than it replays).
import type { Message, MessageDelta } from './api';

/** Reopens after failures in a row, before the widget stops trying. */
const MAX_REOPENS = 20;
/** A stream the server ended (token expiry, a deploy) comes back after this. */
const RESUME_MS = 250;

/** `typing`: an agent is typing (or stopped). */
export interface AgentTyping {
  name: string;
  typing: boolean;
}

export interface LiveHandlers {
  message(m: Message): void;
  /** An agent is typing, or stopped. */
  typing?(t: AgentTyping): void;
  /** Who has the chat now (`null`: the assistant answers). */
  agent?(name: string | null): void;
  /** A piece of a reply being written (streaming engines). */
  delta?(d: MessageDelta): void;
  /** The stream is open again after a gap, or the server said `resync`: fetch what was missed. */
  resumed(): void;
  /**
   * The conversation's ticket was merged into another: the conversation continues in the
   * surviving ticket's (`conversationId`), which a new session opens.
   */
  merged?(conversationId: string): void;
}

function parse(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return null;
  }
}

export class LiveStream {
  private current: EventSource | null = null;
  private failures = 0;
  private everOpened = false;
  private closed = false;

  constructor(
    private readonly ES: typeof EventSource,
    /** The stream's URL with a fresh ticket (null: the server refused one). */
    private readonly url: () => Promise<string | null>,
    private readonly on: LiveHandlers,
  ) {}

  open() {
    void this.connect();
  }

  /** Stops for good (the session that owned it was replaced). */
  close() {
    this.closed = true;
    this.current?.close();
    this.current = null;
  }

  private retry(wait: number) {
    if (this.closed || this.failures > MAX_REOPENS) return;
    setTimeout(() => void this.connect(), wait);
  }

  private async connect() {
    const url = await this.url().catch(() => null);
    if (this.closed) return;
    if (!url) {
      this.failures++;
      this.retry(Math.min(30_000, 1000 * 2 ** this.failures));
      return;
    }
    const es = new this.ES(url);
    this.current = es;
    let opened = false;
    es.addEventListener('open', () => {
      if (this.everOpened || this.failures > 0) this.on.resumed();
      opened = true;
      this.everOpened = true;
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
    es.addEventListener('typing', (ev) => {
      const d = parse((ev as MessageEvent).data) as Partial<AgentTyping> | null;
      if (d && typeof d.name === 'string' && typeof d.typing === 'boolean') this.on.typing?.({ name: d.name, typing: d.typing });
    });
    es.addEventListener('conversation.updated', (ev) => {
      const d = parse((ev as MessageEvent).data) as { agent_name?: unknown } | null;
      if (d) this.on.agent?.(typeof d.agent_name === 'string' ? d.agent_name : null);
    });
    es.addEventListener('message.delta', (ev) => {
      let d: MessageDelta;
      try {
        d = JSON.parse((ev as MessageEvent).data) as MessageDelta;
      } catch {
        return; // a malformed event
      }
      this.on.delta?.(d);
    });
    es.addEventListener('resync', () => this.on.resumed());
    es.addEventListener('conversation.merged', (ev) => {
      const d = parse((ev as MessageEvent).data) as { conversation_id?: unknown } | null;
      if (d && typeof d.conversation_id === 'string') this.on.merged?.(d.conversation_id);
    });
    es.addEventListener('error', () => {
      es.close();
      if (this.current !== es) return;
      this.current = null;
      if (opened) {
        this.retry(RESUME_MS);
      } else {
        this.failures++;
        this.retry(Math.min(30_000, 1000 * 2 ** this.failures));
      }
    });
  }
}
