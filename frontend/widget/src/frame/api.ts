// Thin client for the public widget API (same origin as the frame). The types come from the
// generated src/lib/api-types.ts (openapi-typescript over ../openapi.yaml, checked for
// staleness by src/lib/api-types.test.ts); they are type-only imports, so nothing of that
// file reaches the bundle.
import type { components, paths } from '../../../src/lib/api-types';

type Schemas = components['schemas'];

export type Message = Schemas['MessageOut'];
/**
 * `message.delta` on the live stream: piece `seq` (0, 1, 2…) of an assistant reply being
 * written. The reply's `message.created` (same id) follows with the whole text.
 */
export interface MessageDelta {
  message_id: string;
  conversation_id: string;
  seq: number;
  text: string;
}
export type MessageAction = Schemas['MessageAction'];
/** The action that marks the assistant's ticket confirmation: the card goes under it. */
export type TicketCreated = Extract<MessageAction, { type: 'ticket_created' }>;
export type Session = Schemas['SessionOut'];
export type SessionRequest = Schemas['CreateSession'];
export type SendResult = Schemas['PostMessageOut'];
type MessageList = Schemas['MessageList'];
type ErrorBody = Schemas['ErrorBody'];

/** Only paths the spec has; a renamed endpoint fails type-checking here. */
type WidgetPath = Extract<keyof paths, `/api/v1/widget/${string}`>;

/**
 * A failed call. `message` is the server's reason when it gave one (`fromServer`); otherwise
 * an English default, which the chat shows in the visitor's language instead (session.ts).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter: number | null = null,
    readonly fromServer = false,
  ) {
    super(message);
  }
}

export type Fetch = typeof fetch;

export class WidgetApi {
  token: string | null = null;

  constructor(
    private readonly base: string,
    private readonly fetchFn: Fetch = (...a) => fetch(...a),
  ) {}

  private async call<T>(method: 'GET' | 'POST', path: WidgetPath, query = '', body?: unknown, extra: Record<string, string> = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...extra };
    const raw = body instanceof Blob;
    if (body !== undefined && !raw) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let r: Response;
    try {
      r = await this.fetchFn(this.base + path + query, {
        method,
        headers,
        body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'network', "We couldn't reach the server. Check your connection.");
    }
    if (r.status === 204) return undefined as T;
    const text = await r.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    if (!r.ok) {
      const err = (json as Partial<ErrorBody> | null)?.error;
      const ra = Number(r.headers.get('retry-after'));
      throw new ApiError(
        r.status,
        err?.code ?? `http_${r.status}`,
        err?.message || 'Something went wrong. Please try again.',
        Number.isFinite(ra) && ra > 0 ? Math.ceil(ra) : null,
        Boolean(err?.message),
      );
    }
    return json as T;
  }

  session(body: SessionRequest) {
    return this.call<Session>('POST', '/api/v1/widget/sessions', '', body);
  }

  /** `key`: the message's Idempotency-Key (the same on every retry of one message). */
  send(body: string, pageUrl: string, key?: string, attachmentIds: readonly string[] = []) {
    const extra: Record<string, string> = key ? { 'idempotency-key': key } : {};
    const msg: Schemas['PostMessage'] = { body, page_url: pageUrl };
    if (attachmentIds.length) msg.attachment_ids = [...attachmentIds];
    return this.call<SendResult>('POST', '/api/v1/widget/messages', '', msg, extra);
  }

  /** Uploads a file (its bytes as the body): the attachment to send with a message. */
  upload(file: Blob, name: string) {
    return this.call<Schemas['AttachmentOut']>('POST', '/api/v1/widget/attachments', `?filename=${encodeURIComponent(name)}`, file, {
      'content-type': file.type || 'application/octet-stream',
    });
  }

  after(messageId: string) {
    return this.call<MessageList>('GET', '/api/v1/widget/messages', `?after=${encodeURIComponent(messageId)}`);
  }

  read(upTo: string) {
    return this.call<void>('POST', '/api/v1/widget/read', '', { up_to: upTo } satisfies Schemas['MarkRead']);
  }

  /** The visitor is typing (or stopped); the dashboard shows it. */
  typing(typing: boolean) {
    return this.call<void>('POST', '/api/v1/widget/typing', '', { typing } satisfies Schemas['TypingIn']);
  }

  /** The visitor's email, so the team can reply by email. */
  setEmail(email: string) {
    return this.call<void>('POST', '/api/v1/widget/email', '', { email } satisfies Schemas['SetEmail']);
  }

  /** The live stream's URL with a fresh single-use ticket (the token stays out of URLs). */
  async streamUrl(): Promise<string> {
    const t = await this.call<Schemas['StreamTicketOut']>('POST', '/api/v1/widget/stream-tickets');
    const path: WidgetPath = '/api/v1/widget/events';
    return `${this.base}${path}?ticket=${encodeURIComponent(t.ticket)}`;
  }
}
