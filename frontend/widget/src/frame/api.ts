// Thin client for the public widget API (same origin as the frame).

export interface Message {
  id: string;
  conversation_id: string;
  sender: 'visitor' | 'assistant' | 'agent' | 'system';
  author_name?: string | null;
  body: string;
  action?: { type: string } | null;
  created_at: string;
}

export interface TicketRef {
  id: string;
  number: number | string;
}

export interface Session {
  visitor_token: string;
  visitor_id: string;
  conversation_id: string;
  messages: Message[];
  unread_count: number;
  config: { workspace_name: string; greeting: string; tickets_enabled: boolean; color?: string };
  ticket?: TicketRef | null;
}

export interface SendResult {
  messages: Message[];
  ticket: TicketRef | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter: number | null = null,
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

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let r: Response;
    try {
      r = await this.fetchFn(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
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
      const err = (json as { error?: { code?: string; message?: string } } | null)?.error;
      const ra = Number(r.headers.get('retry-after'));
      throw new ApiError(
        r.status,
        err?.code ?? `http_${r.status}`,
        err?.message ?? 'Something went wrong. Please try again.',
        Number.isFinite(ra) && ra > 0 ? Math.ceil(ra) : null,
      );
    }
    return json as T;
  }

  session(body: { widget_key: string; visitor_token?: string; page_url: string; referrer: string; locale: string }) {
    return this.call<Session>('POST', '/api/v1/widget/sessions', body);
  }

  send(body: string, pageUrl: string) {
    return this.call<SendResult>('POST', '/api/v1/widget/messages', { body, page_url: pageUrl });
  }

  after(messageId: string) {
    return this.call<{ items: Message[] }>('GET', `/api/v1/widget/messages?after=${encodeURIComponent(messageId)}`);
  }

  read(upTo: string) {
    return this.call<void>('POST', '/api/v1/widget/read', { up_to: upTo });
  }

  eventsUrl() {
    return `${this.base}/api/v1/widget/events?token=${encodeURIComponent(this.token ?? '')}`;
  }
}
