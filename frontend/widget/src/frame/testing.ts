// Fakes for the frame's tests (not part of the bundle): a scripted fetch behind a real
// WidgetApi, an EventSource the test drives, in-memory storage, and message fixtures.
import { type Message, WidgetApi } from './api';

export type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
/** Answers `METHOD /path` (query excluded); gets the parsed JSON body. */
export type Route = (body: unknown) => Reply | Promise<Reply>;
export interface Call {
  method: string;
  path: string;
  body: unknown;
  auth: string | null;
  /** The Idempotency-Key header, when sent. */
  key?: string;
}

export function fakeApi(routes: Record<string, Route>) {
  const calls: Call[] = [];
  let tickets = 0;
  const defaults: Record<string, Route> = {
    'POST /api/v1/widget/stream-tickets': () => ({ status: 201, body: { ticket: `hs_${++tickets}`, expires_in: 30 } }),
  };
  const fetchFn = async (url: string | URL | Request, init?: RequestInit) => {
    const u = new URL(String(url));
    const method = init?.method ?? 'GET';
    const raw = init?.body;
    const body = raw instanceof Blob ? { blob: raw.type, size: raw.size } : raw ? JSON.parse(String(raw)) : undefined;
    const headers = init?.headers as Record<string, string> | undefined;
    const auth = headers?.authorization ?? null;
    const key = headers?.['idempotency-key'];
    calls.push({ method, path: u.pathname + u.search, body, auth, ...(key ? { key } : {}) });
    const route = routes[`${method} ${u.pathname}`] ?? defaults[`${method} ${u.pathname}`];
    if (!route) return new Response('{"error":{"code":"not_found","message":"Not found"}}', { status: 404 });
    const r = await route(body);
    return new Response(r.status === 204 ? null : JSON.stringify(r.body ?? {}), { status: r.status, headers: r.headers });
  };
  return { api: new WidgetApi('https://handoff.example', fetchFn as typeof fetch), calls };
}

export class FakeES {
  static all: FakeES[] = [];
  static get last(): FakeES | undefined {
    return FakeES.all[FakeES.all.length - 1];
  }
  readyState = 0;
  private listeners = new Map<string, ((e: MessageEvent) => void)[]>();
  constructor(public url: string) {
    FakeES.all.push(this);
  }
  addEventListener(name: string, fn: (e: MessageEvent) => void) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
  }
  close() {
    this.readyState = 2;
  }
  /** The server sends an event (`raw`: data as is, not JSON-encoded). */
  emit(name: string, data: unknown, raw = false) {
    for (const fn of this.listeners.get(name) ?? []) fn({ data: raw ? data : JSON.stringify(data) } as MessageEvent);
  }
  /** The connection is (re)established. */
  opened() {
    this.readyState = 1;
    this.emit('open', null);
  }
  /** The connection drops; `gaveUp`: the browser stops retrying (CLOSED) rather than retrying itself. */
  dropped(gaveUp: boolean) {
    this.readyState = gaveUp ? 2 : 0;
    this.emit('error', null);
  }
}

export function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k: string) => m.get(k) ?? null,
    key: (i: number) => [...m.keys()][i] ?? null,
    removeItem: (k: string) => void m.delete(k),
    setItem: (k: string, v: string) => void m.set(k, String(v)),
  };
}

let seq = 0;
/** A message; each one is a second newer than the one made before it. */
export function msg(sender: Message['sender'], body: string, extra: Partial<Message> = {}): Message {
  seq++;
  return {
    id: `m${seq}`,
    conversation_id: 'c1',
    sender,
    channel: 'chat',
    body,
    created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
    ...extra,
  };
}

export const TICKET = { id: 't1', number: 'TKT-10001' };

/** The assistant's ticket confirmation, marked by the server with the ticket_created action. */
export const confirmation = (body = "Done! I've created ticket TKT-10001 for you.") =>
  msg('assistant', body, { action: { type: 'ticket_created', ticket_id: TICKET.id, number: TICKET.number } });

/** A `POST /api/v1/widget/sessions` answer. */
export function session(messages: Message[] = [], unread = 0, ticket: typeof TICKET | null = null) {
  return {
    visitor_token: 'vt_1',
    visitor_id: 'v1',
    conversation_id: 'c1',
    messages,
    unread_count: unread,
    language: 'en',
    config: { workspace_name: 'Acme Shop', greeting: 'Hi! Ask me anything.', tickets_enabled: true, color: '#4f46e5', default_language: 'en' },
    ticket,
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
export const settle = async () => {
  for (let i = 0; i < 5; i++) await tick();
};
