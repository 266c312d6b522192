// The chat's state and everything that talks to the server: the session (the visitor token
// kept in the frame's storage), the conversation, sending with Retry, live messages,
// unread counting and read receipts, and the email step. No DOM: whenever something
// changes, `onChange` listeners are told, and the view renders `state`.
import { browserTags, type Lang, negotiate, pick } from '../shared/i18n';
import { isEmail, visitorTokenKey, type Identity, type ToLoader } from '../shared/protocol';
import { ApiError, type Message, type MessageDelta, type Session, type SessionRequest, type WidgetApi } from './api';
import { LiveStream } from './live';
import { asksForEmail, expectation, merge, type ChatState, type Pending, type Phase } from './state';
import { type Key, rateLimitText, t } from './strings';

/** The visitor's typing is sent at most this often while they type. */
const TYPING_EVERY_MS = 3000;
/** An agent's typing indicator goes away without news for this long. */
const AGENT_TYPING_MS = 6000;

export interface SessionDeps {
  key: string;
  api: WidgetApi;
  /** localStorage of the frame, or null when the browser blocks it. */
  storage: Storage | null;
  /** Sends an event to the loader; null when the frame is opened on its own. */
  post: ((msg: ToLoader) => void) | null;
  /** Injected in tests; undefined means the browser's, null means no live updates. */
  EventSource?: typeof EventSource | null;
  /** Whether the page is visible (read receipts wait for it); default: document.visibilityState. */
  pageVisible?: () => boolean;
  /** The visitor's preferred languages (BCP-47); default: the browser's. */
  languages?: readonly string[];
}

export interface StartInit {
  page_url: string;
  referrer: string;
  locale: string;
  color?: string;
  /** The host page's logged-in user (`Handoff('identify', …)`). */
  identity?: Identity | null;
}

/** A fresh idempotency key: 128 random bits, hex (crypto.randomUUID needs a secure context). */
function newKey(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

const asApiError = (e: unknown) => (e instanceof ApiError ? e : new ApiError(0, 'unknown', 'Something went wrong.'));

/** What the visitor reads about a failed call: the server's reason, else the widget's own words. */
function reason(lang: Lang, e: unknown): string {
  const err = asApiError(e);
  if (err.fromServer) return err.message;
  return t(lang, err.code === 'network' ? 'offline' : err.code === 'unknown' ? 'error' : 'errorTryAgain');
}

function documentVisible(): boolean {
  const v = globalThis.document?.visibilityState;
  return typeof v !== 'string' || v === 'visible';
}

/** `scroll`: the change should bring the conversation's end into view. */
type Listener = (scroll: boolean) => void;

export class ChatSession {
  // The conversation
  private phase: Phase = 'waiting';
  private phaseError = '';
  /** The workspace's name and greeting ('': the widget's own words in the visitor's language). */
  private title = '';
  private greeting = '';
  private color: string | null = null;
  private messages: Message[] = [];
  private pending: Pending[] = [];
  private localSeq = 0;
  private sending = false;
  /** Live messages that arrive during a send, merged after it (so nothing shows twice). */
  private buffered: Message[] = [];
  /** The reply being written (`message.delta`), with the next piece expected. */
  private streaming: { id: string; text: string; next: number } | null = null;
  private emailError = '';
  // Unread and read receipts
  private unread = 0;
  private open = false;
  private marking = false;
  // The connection
  private started = false;
  private identity: Identity | null = null;
  private page: Omit<StartInit, 'color'> = { page_url: '', referrer: '', locale: 'en' };
  private conversationId = '';
  private memToken: string | null = null;
  private readonly listeners: Listener[] = [];
  // Live chat with a human
  private agentName: string | null = null;
  private agentTyping: string | null = null;
  private agentTypingTimer: ReturnType<typeof setTimeout> | undefined;
  private humansOnline = true;
  private visitorEmail: string | null = null;
  private ticketOpen = false;
  private stream: LiveStream | null = null;
  private typingSentAt = 0;
  private awayEmailError = '';

  /** The visitor's languages, and the chat's language: negotiated from those until the session says. */
  private readonly tags: readonly string[];
  private lang: Lang;

  constructor(private readonly d: SessionDeps) {
    this.tags = d.languages ?? browserTags();
    this.lang = negotiate(this.tags);
  }

  private t(key: Key) {
    return t(this.lang, key);
  }

  onChange(fn: Listener) {
    this.listeners.push(fn);
  }

  get state(): ChatState {
    const emailRequested = this.phase === 'ready' && this.pending.length === 0 && asksForEmail(this.messages);
    return {
      lang: this.lang,
      agentName: this.agentName,
      agentTyping: this.agentTyping,
      expectation:
        this.phase === 'ready'
          ? expectation({
              humansOnline: this.humansOnline,
              agentName: this.agentName,
              ticketOpen: this.ticketOpen,
              visitorEmail: this.visitorEmail,
              emailRequested,
            })
          : null,
      awayEmailError: this.awayEmailError,
      phase: this.phase,
      phaseError: this.phaseError,
      title: this.title || this.t('chat'),
      greeting: this.greeting || this.t('greeting'),
      color: this.color,
      messages: this.messages,
      pending: this.pending,
      sending: this.sending,
      streaming: this.streaming && this.streaming.text ? { id: this.streaming.id, text: this.streaming.text } : null,
      unread: this.unread,
      open: this.open,
      emailRequested,
      emailError: this.emailError,
    };
  }

  /** Starts the session once (after the loader's `init`, or at once when standalone). */
  start(init: StartInit) {
    if (init.color) {
      this.color = init.color;
      this.emit(false);
    }
    if (this.started) return;
    this.started = true;
    this.page = { page_url: init.page_url, referrer: init.referrer, locale: init.locale || 'en' };
    this.identity = init.identity ?? null;
    void this.connect();
  }

  /** The host page identified its user (or logged them out: `null`). A verified user's
   * visitor may be another than this browser's, so the session starts again; logging out
   * forgets this browser's visitor, so the next person doesn't see the chat. */
  async identify(next: Identity | null) {
    const was = this.identity;
    this.identity = next;
    if (!this.started || JSON.stringify(was) === JSON.stringify(next)) return;
    if (!next) this.token = null;
    await this.connect();
  }

  setPage(url: string) {
    this.page.page_url = url;
  }

  setOpen(open: boolean) {
    this.open = open;
    this.maybeMarkRead();
  }

  onVisibilityChange() {
    this.maybeMarkRead();
  }

  // ----- session -----

  private get token(): string | null {
    try {
      return this.d.storage?.getItem(visitorTokenKey(this.d.key)) ?? this.memToken;
    } catch {
      return this.memToken;
    }
  }

  private set token(t: string | null) {
    this.memToken = t;
    try {
      if (t) this.d.storage?.setItem(visitorTokenKey(this.d.key), t);
      else this.d.storage?.removeItem(visitorTokenKey(this.d.key));
    } catch {
      /* in memory only */
    }
  }

  /** Opens (or resumes) the visitor's session; also the Retry after a failed start. */
  async connect() {
    this.phase = 'connecting';
    this.emit(false);
    const body: SessionRequest = { widget_key: this.d.key, ...this.page, ...(this.identity ? { identity: this.identity } : {}) };
    let s: Session;
    try {
      const token = this.token;
      try {
        s = await this.d.api.session(token ? { ...body, visitor_token: token } : body);
      } catch (e) {
        // A stale or foreign visitor token: start over as a new visitor.
        if (!(token && e instanceof ApiError && [400, 401, 404, 422].includes(e.status))) throw e;
        this.token = null;
        s = await this.d.api.session(body);
      }
    } catch (e) {
      const err = asApiError(e);
      this.phase = err.status === 403 ? 'forbidden' : 'failed';
      this.phaseError = err.status === 429 ? rateLimitText(this.lang, err.retryAfter) : reason(this.lang, err);
      this.emit(false);
      return;
    }
    this.token = s.visitor_token;
    this.d.api.token = s.visitor_token;
    // The server's choice (the visitor's locale, else the workspace's language).
    this.lang = pick(s.language) ?? negotiate(this.tags, s.config.default_language);
    this.conversationId = s.conversation_id;
    if (s.config.color) this.color = s.config.color;
    this.title = s.config.workspace_name || '';
    // A workspace that never changed its greeting has the English default stored: the
    // visitor gets that default in their language.
    const own = s.config.greeting;
    this.greeting = own && own !== t('en', 'greeting') ? own : '';
    this.messages = merge([], s.messages);
    this.unread = Math.max(0, Number(s.unread_count) || 0);
    this.agentName = s.live?.agent_name ?? null;
    this.humansOnline = s.live?.humans_online ?? true;
    this.visitorEmail = s.live?.visitor_email ?? null;
    this.ticketOpen = Boolean(s.ticket);
    this.phase = 'ready';
    this.emit(true);
    this.reportUnread();
    // Lets the loader preload the frame on later visits (for the unread badge), or stop doing so.
    this.d.post?.({ event: 'conversation', payload: { active: this.messages.some((m) => m.sender === 'visitor') } });
    this.listen();
    this.maybeMarkRead();
  }

  // ----- live updates -----

  private listen() {
    const ES = this.d.EventSource === undefined ? (globalThis.EventSource ?? null) : this.d.EventSource;
    if (!ES || !this.d.api.token) return;
    this.stream?.close();
    this.stream = new LiveStream(ES, () => this.d.api.streamUrl(), {
      message: (m) => this.onLive(m),
      delta: (d) => this.onDelta(d),
      resumed: () => void this.catchUp(),
      typing: (t) => this.onAgentTyping(t.name, t.typing),
      agent: (name) => {
        this.agentName = name;
        if (name) this.humansOnline = true;
        this.emit(false);
      },
      // The ticket was merged: a new session opens the surviving ticket's conversation.
      merged: (id) => {
        if (id !== this.conversationId) void this.connect();
      },
    });
    this.stream.open();
  }

  private onAgentTyping(name: string, typing: boolean) {
    clearTimeout(this.agentTypingTimer);
    this.agentTyping = typing ? name : null;
    if (typing) {
      // Someone is there: the honest expectation is a reply here.
      this.humansOnline = true;
      this.agentTypingTimer = setTimeout(() => {
        this.agentTyping = null;
        this.emit(false);
      }, AGENT_TYPING_MS);
    }
    this.emit(typing);
  }

  /** After a reconnect or a `resync` event: fetch what arrived while the stream was down. */
  private async catchUp() {
    const last = this.messages[this.messages.length - 1];
    if (!last) return;
    try {
      const r = await this.d.api.after(last.id);
      for (const m of r.items) this.onLive(m);
    } catch {
      /* the stream will bring new ones */
    }
  }

  /**
   * A piece of the reply being written: shown in order; a reply joined half-way, or one
   * with a gap, waits for its message. The message (same id) replaces it.
   */
  private onDelta(d: MessageDelta) {
    if (!d?.message_id || typeof d.text !== 'string' || typeof d.seq !== 'number') return;
    if (this.conversationId && d.conversation_id && d.conversation_id !== this.conversationId) return;
    if (this.messages.some((x) => x.id === d.message_id) || this.buffered.some((x) => x.id === d.message_id)) return;
    if (this.streaming?.id !== d.message_id) {
      if (d.seq !== 0) return;
      this.streaming = { id: d.message_id, text: '', next: 0 };
    }
    if (d.seq !== this.streaming.next) return;
    this.streaming.text += d.text;
    this.streaming.next++;
    this.emit(true);
  }

  private onLive(m: Message) {
    if (!m?.id || (this.conversationId && m.conversation_id && m.conversation_id !== this.conversationId)) return;
    if (this.sending) {
      this.buffered.push(m);
      return;
    }
    if (this.messages.some((x) => x.id === m.id)) return;
    if (this.streaming?.id === m.id) this.streaming = null;
    this.messages = merge(this.messages, [m]);
    if (m.action?.type === 'ticket_created') this.ticketOpen = true;
    if (m.sender === 'agent') {
      clearTimeout(this.agentTypingTimer);
      this.agentTyping = null;
      this.humansOnline = true;
      this.unread++;
      this.reportUnread();
    }
    this.emit(true);
    this.maybeMarkRead();
  }

  // ----- messages -----

  /** The composer's text. False when nothing was sent (empty, not ready, or a send is on its way). */
  say(text: string): boolean {
    const body = text.trim();
    if (!body || this.phase !== 'ready' || this.sending) return false;
    void this.send(body);
    return true;
  }

  /** The visitor attaches files (picked or pasted): each is uploaded, then sent as its own message. */
  attach(files: readonly File[]) {
    if (this.phase !== 'ready') return;
    for (const f of files) {
      const name = fileName(f);
      const p: Pending = { local: ++this.localSeq, body: '', key: newKey(), file: name, state: 'sending' };
      this.pending.push(p);
      this.emit(true);
      void this.d.api
        .upload(f, name)
        .then((a) => {
          p.attachmentId = a.id;
          return this.send('', p);
        })
        .catch((e) => {
          p.state = 'failed';
          p.error = reason(this.lang, e);
          this.emit(false);
        });
    }
  }

  /** The visitor types in the composer: the team sees it (throttled; only when someone may be watching). */
  typed(text: string) {
    if (this.phase !== 'ready' || !this.humansOnline) return;
    const now = Date.now();
    if (!text.trim()) {
      this.stoppedTyping();
      return;
    }
    if (now - this.typingSentAt < TYPING_EVERY_MS) return;
    this.typingSentAt = now;
    this.d.api.typing(true).catch(() => undefined);
  }

  private stoppedTyping() {
    if (!this.typingSentAt) return;
    this.typingSentAt = 0;
    this.d.api.typing(false).catch(() => undefined);
  }

  /** The visitor leaves their email while the team is away (replies then come by email). */
  async leaveEmail(value: string): Promise<'sent' | 'invalid'> {
    const v = value.trim();
    if (!isEmail(v)) {
      this.awayEmailError = this.t(v ? 'emailInvalid' : 'emailMissing');
      this.emit(false);
      return 'invalid';
    }
    try {
      await this.d.api.setEmail(v);
    } catch (e) {
      this.awayEmailError = reason(this.lang, e);
      this.emit(false);
      return 'invalid';
    }
    this.awayEmailError = '';
    this.visitorEmail = v.toLowerCase();
    this.emit(true);
    return 'sent';
  }

  /** The email step: checked here first (the server validates again). */
  submitEmail(value: string): 'sent' | 'invalid' | 'busy' {
    if (this.phase !== 'ready' || this.sending) return 'busy';
    const v = value.trim();
    if (!isEmail(v)) {
      this.emailError = this.t(v ? 'emailInvalid' : 'emailMissing');
      this.emit(false);
      return 'invalid';
    }
    this.emailError = '';
    void this.send(v);
    return 'sent';
  }

  /** The visitor edits the email again: the error goes away. */
  clearEmailError() {
    if (!this.emailError) return;
    this.emailError = '';
    this.emit(false);
  }

  retry(local: number) {
    const p = this.pending.find((x) => x.local === local);
    // A file that never uploaded can't be sent again from here: pick it again.
    if (p && !this.sending && (!p.file || p.attachmentId)) void this.send(p.body, p);
  }

  discard(local: number) {
    this.pending = this.pending.filter((x) => x.local !== local);
    this.emit(false);
  }

  private async send(body: string, reuse?: Pending) {
    const p: Pending = reuse ?? { local: ++this.localSeq, body, key: newKey(), state: 'sending' };
    p.state = 'sending';
    p.error = undefined;
    if (!reuse) this.pending.push(p);
    this.stoppedTyping();
    this.sending = true;
    this.emit(true);
    try {
      const r = await this.d.api.send(body, this.page.page_url, p.key, p.attachmentId ? [p.attachmentId] : []);
      this.pending = this.pending.filter((x) => x !== p);
      this.messages = merge(this.messages, r.messages);
      if (r.ticket) this.ticketOpen = true;
      // A ticket made from this message was made for the address in it: replies go there,
      // so the away notice doesn't ask for it again.
      if (!this.visitorEmail && r.messages.some((m) => m.action?.type === 'ticket_created')) {
        const given = body.split(/\s+/).map((w) => w.replace(/^[<("']+|[>)"',.;:!?]+$/g, '')).find(isEmail);
        if (given) this.visitorEmail = given.toLowerCase();
      }
      this.d.post?.({ event: 'conversation', payload: { active: true } });
    } catch (e) {
      const err = asApiError(e);
      p.state = 'failed';
      if (err.status === 429) {
        const wait = (err.retryAfter ?? 30) * 1000;
        p.error = rateLimitText(this.lang, err.retryAfter);
        p.retryAt = Date.now() + wait;
        setTimeout(() => this.emit(false), wait + 50); // Retry becomes available
      } else {
        p.error = err.status === 0 ? reason(this.lang, err) : `${this.t('sendFailed')} ${reason(this.lang, err)}`;
        p.retryAt = undefined;
      }
    } finally {
      this.sending = false;
      // The reply is in (or the send failed): what was streamed gives way to it.
      this.streaming = null;
      const b = this.buffered;
      this.buffered = [];
      for (const m of b) this.onLive(m);
      this.emit(true);
    }
  }

  // ----- read receipts and unread -----

  private isVisible() {
    return (this.d.post ? this.open : true) && (this.d.pageVisible ?? documentVisible)();
  }

  private maybeMarkRead() {
    if (this.phase !== 'ready' || !this.isVisible() || this.unread === 0 || this.marking) return;
    const last = this.messages[this.messages.length - 1];
    if (!last) return;
    this.marking = true;
    const had = this.unread;
    this.unread = 0;
    this.reportUnread();
    this.d.api
      .read(last.id)
      .catch(() => {
        this.unread = Math.max(this.unread, had);
        this.reportUnread();
      })
      .finally(() => {
        this.marking = false;
      });
  }

  private reportUnread() {
    this.d.post?.({ event: 'unread', payload: { count: this.unread } });
  }

  private emit(scroll: boolean) {
    for (const fn of this.listeners) fn(scroll);
  }
}

/** A pasted screenshot comes as `image.png`: give it a name with the time. */
export function fileName(f: File): string {
  if (f.name && f.name !== 'image.png') return f.name;
  const stamp = new Date().toISOString().slice(0, 19).replace(/[T:]/g, '-');
  const ext = (f.type.split('/')[1] ?? 'png').replace('jpeg', 'jpg');
  return `screenshot-${stamp}.${ext}`;
}
