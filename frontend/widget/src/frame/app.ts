// The chat inside the iframe: session, message list, composer, email step, ticket card,
// live agent replies (SSE), read receipts and the unread count for the loader's badge.
import { contrastText, isEmail, safeColor, visitorTokenKey, type ToLoader } from '../shared/protocol';
import { ApiError, type Message, type Session, type TicketCreated, WidgetApi } from './api';
import { h, icon, ICONS } from './dom';

export interface ChatDeps {
  root: HTMLElement;
  key: string;
  api: WidgetApi;
  /** localStorage of the frame, or null when the browser blocks it. */
  storage: Storage | null;
  /** Sends an event to the loader; null when the frame is opened on its own. */
  post: ((msg: ToLoader) => void) | null;
  EventSource?: typeof EventSource | null;
}

interface Pending {
  local: number;
  body: string;
  state: 'sending' | 'failed';
  error?: string;
  retryAt?: number;
}

type Phase = 'waiting' | 'connecting' | 'ready' | 'failed' | 'forbidden';

const SEND_FAILED = "Your message wasn't sent.";

export function rateLimitText(retryAfter: number | null): string {
  const s = retryAfter ?? 30;
  const wait = s >= 90 ? `${Math.ceil(s / 60)} minutes` : `${s} second${s === 1 ? '' : 's'}`;
  return `You're sending messages faster than we can keep up. Please wait ${wait} and try again.`;
}

/** A message body as text nodes; ticket numbers (TKT-10001) never break across lines. */
function bodyText(body: string): HTMLParagraphElement {
  const p = h('p', { class: 'body' });
  body.split(/(TKT-\d+)/).forEach((part, i) => part && p.append(i % 2 ? h('span', { class: 'nw' }, part) : part));
  return p;
}

export class ChatApp {
  private readonly d: ChatDeps;
  private phase: Phase = 'waiting';
  private phaseError = '';
  private messages: Message[] = [];
  private ids = new Set<string>();
  private pending: Pending[] = [];
  private inflight = 0;
  private buffered: Message[] = [];
  private unread = 0;
  private open = false;
  private pageUrl = '';
  private referrer = '';
  private locale = 'en';
  private greeting = '';
  private conversationId = '';
  private localSeq = 0;
  private es: EventSource | null = null;
  private esFailures = 0;
  private started = false;
  private memToken: string | null = null;
  private emailError = '';
  private marking = false;

  // Elements
  private readonly el: {
    shell: HTMLDivElement;
    title: HTMLElement;
    sub: HTMLElement;
    closeBtn: HTMLButtonElement;
    log: HTMLDivElement;
    list: HTMLDivElement;
    tail: HTMLDivElement;
    typing: HTMLDivElement;
    emailForm: HTMLFormElement;
    emailInput: HTMLInputElement;
    emailErr: HTMLDivElement;
    status: HTMLDivElement;
    composer: HTMLFormElement;
    input: HTMLTextAreaElement;
    sendBtn: HTMLButtonElement;
  };
  private readonly nodes = new Map<string, HTMLElement>();

  constructor(deps: ChatDeps) {
    this.d = deps;
    const closeBtn = h('button', { type: 'button', class: 'x', 'aria-label': 'Close chat', onclick: () => this.requestClose() }, icon(ICONS.close, 20, true));
    if (!deps.post) closeBtn.hidden = true;
    const title = h('strong', { id: 'hf-title' }, 'Chat');
    const sub = h('span', { class: 'sub' }, 'We usually answer right away');
    const list = h('div', { class: 'list' });
    const tail = h('div', { class: 'tail' });
    const typing = h(
      'div',
      { class: 'typing', role: 'status', 'aria-label': 'Assistant is typing', hidden: true },
      h('span'), h('span'), h('span'),
    );
    const emailInput = h('input', {
      type: 'email',
      name: 'email',
      required: true,
      autocomplete: 'email',
      inputmode: 'email',
      placeholder: 'you@example.com',
      'aria-label': 'Your email address',
      'aria-describedby': 'hf-email-err',
    });
    const emailErr = h('div', { class: 'ferr', id: 'hf-email-err', role: 'alert' });
    const emailForm = h(
      'form',
      { class: 'email', novalidate: true, hidden: true, 'aria-label': 'Share your email', onsubmit: (e: Event) => { e.preventDefault(); this.submitEmail(); } },
      h('label', { class: 'elabel', for: 'hf-email' }, 'Your email, so our team can reply'),
      h('div', { class: 'erow' }, emailInput, h('button', { type: 'submit', class: 'ebtn' }, 'Send')),
      emailErr,
    );
    emailInput.id = 'hf-email';
    const status = h('div', { class: 'status' });
    const log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation', tabindex: '0' }, list, tail);
    tail.append(typing, emailForm, status);
    const input = h('textarea', {
      rows: '1',
      'aria-label': 'Message',
      placeholder: 'Type your message…',
      maxlength: '4000',
      disabled: true,
    });
    const sendBtn = h('button', { type: 'submit', class: 'send', 'aria-label': 'Send message', disabled: true }, icon(ICONS.send, 20));
    const composer = h(
      'form',
      { class: 'composer', 'aria-label': 'Send a message', onsubmit: (e: Event) => { e.preventDefault(); this.submitComposer(); } },
      input,
      sendBtn,
    );
    const shell = h(
      'div',
      { class: 'hf' },
      h('header', { class: 'hd' }, h('div', { class: 'ttl' }, title, sub), closeBtn),
      log,
      composer,
      h('div', { class: 'ft' }, 'Powered by Handoff'),
    );
    this.el = { shell, title, sub, closeBtn, log, list, tail, typing, emailForm, emailInput, emailErr, status, composer, input, sendBtn };

    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submitComposer();
      }
    });
    input.addEventListener('input', () => this.autosize());
    emailInput.addEventListener('input', () => {
      if (this.emailError) {
        this.emailError = '';
        this.renderEmail();
      }
    });
    document.addEventListener('keydown', (e) => this.onKey(e));
    deps.root.replaceChildren(shell);
    this.setColor('#4f46e5');
    this.renderStatus();
  }

  // ----- public surface (used by main.ts and tests) -----

  /** Starts the session once (after the loader's `init`, or at once when standalone). */
  start(init: { page_url: string; referrer: string; locale: string; color?: string }) {
    if (init.color) this.setColor(init.color);
    if (this.started) return;
    this.started = true;
    this.pageUrl = init.page_url;
    this.referrer = init.referrer;
    this.locale = init.locale || 'en';
    void this.connect();
  }

  setPage(url: string) {
    this.pageUrl = url;
  }

  setOpen(open: boolean, focus = false) {
    this.open = open;
    if (open && focus) this.focusBest();
    this.maybeMarkRead();
  }

  get state() {
    return { phase: this.phase, messages: this.messages.slice(), unread: this.unread, pending: this.pending.slice() };
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

  private async connect() {
    this.phase = 'connecting';
    this.renderStatus();
    const body = {
      widget_key: this.d.key,
      page_url: this.pageUrl,
      referrer: this.referrer,
      locale: this.locale,
    };
    let s: Session;
    try {
      const token = this.token;
      try {
        s = await this.d.api.session(token ? { ...body, visitor_token: token } : body);
      } catch (e) {
        // A stale or foreign visitor token: start over as a new visitor.
        if (token && e instanceof ApiError && [400, 401, 404, 422].includes(e.status)) {
          this.token = null;
          s = await this.d.api.session(body);
        } else throw e;
      }
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(0, 'unknown', 'Something went wrong.');
      this.phase = err.status === 403 ? 'forbidden' : 'failed';
      this.phaseError = err.status === 429 ? rateLimitText(err.retryAfter) : err.message;
      this.renderStatus();
      return;
    }
    this.token = s.visitor_token;
    this.d.api.token = s.visitor_token;
    this.conversationId = s.conversation_id;
    const cfg = s.config;
    if (cfg.color) this.setColor(cfg.color);
    this.el.title.textContent = cfg.workspace_name || 'Chat';
    this.greeting = cfg.greeting || 'Hi! How can we help you today?';
    this.messages = [];
    this.ids.clear();
    this.addMessages(s.messages ?? [], false);
    this.unread = Math.max(0, Number(s.unread_count) || 0);
    this.phase = 'ready';
    this.el.input.disabled = false;
    this.el.sendBtn.disabled = false;
    this.renderStatus();
    this.render(true);
    this.reportUnread();
    // Lets the loader preload the frame on later visits (for the unread badge), or stop doing so.
    this.d.post?.({ event: 'conversation', payload: { active: this.messages.some((m) => m.sender === 'visitor') } });
    if (this.open) this.focusBest();
    this.listen();
    this.maybeMarkRead();
  }

  // ----- live updates -----

  private listen() {
    const ES = this.d.EventSource === undefined ? (globalThis.EventSource ?? null) : this.d.EventSource;
    if (!ES || !this.d.api.token) return;
    const es = new ES(this.d.api.eventsUrl());
    this.es = es;
    let opened = false;
    es.addEventListener('open', () => {
      // After a reconnect, fetch what we missed while disconnected.
      if (opened || this.esFailures > 0) void this.catchUp();
      opened = true;
      this.esFailures = 0;
    });
    es.addEventListener('message.created', (ev) => {
      try {
        const m = JSON.parse((ev as MessageEvent).data) as Message;
        this.onLive(m);
      } catch {
        /* ignore malformed events */
      }
    });
    es.addEventListener('error', () => {
      if (es.readyState === 2 /* CLOSED */) {
        es.close();
        this.esFailures++;
        if (this.esFailures <= 20) setTimeout(() => this.es === es && this.listen(), Math.min(30_000, 1000 * 2 ** this.esFailures));
      }
    });
  }

  private async catchUp() {
    const last = this.messages[this.messages.length - 1];
    if (!last) return;
    try {
      const r = await this.d.api.after(last.id);
      for (const m of r.items ?? []) this.onLive(m);
    } catch {
      /* the stream will bring new ones */
    }
  }

  private onLive(m: Message) {
    if (!m || !m.id || (this.conversationId && m.conversation_id && m.conversation_id !== this.conversationId)) return;
    if (this.inflight > 0) {
      this.buffered.push(m); // merged after our own POST answers, to avoid doubles
      return;
    }
    if (this.ids.has(m.id)) return;
    this.addMessages([m], true);
    if (m.sender === 'agent') {
      this.unread++;
      this.reportUnread();
    }
    this.render(true);
    this.maybeMarkRead();
  }

  // ----- messages -----

  private addMessages(list: Message[], _live: boolean) {
    for (const m of list) {
      if (!m || !m.id || this.ids.has(m.id)) continue;
      this.ids.add(m.id);
      this.messages.push(m);
    }
    this.messages.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
  }

  private submitComposer() {
    const body = this.el.input.value.trim();
    if (!body || this.phase !== 'ready' || this.inflight > 0) return;
    this.el.input.value = '';
    this.autosize();
    void this.send(body);
  }

  private submitEmail() {
    if (this.phase !== 'ready' || this.inflight > 0) return;
    const v = this.el.emailInput.value.trim();
    if (!isEmail(v)) {
      this.emailError = v ? 'Please enter a valid email address, like name@example.com.' : 'Please enter your email address.';
      this.renderEmail();
      this.el.emailInput.focus();
      this.el.log.scrollTop = this.el.log.scrollHeight;
      return;
    }
    this.emailError = '';
    this.el.emailInput.value = '';
    void this.send(v);
  }

  private async send(body: string, reuse?: Pending) {
    const p: Pending = reuse ?? { local: ++this.localSeq, body, state: 'sending' };
    p.state = 'sending';
    p.error = undefined;
    if (!reuse) this.pending.push(p);
    this.inflight++;
    this.render(true);
    try {
      const r = await this.d.api.send(body, this.pageUrl);
      this.pending = this.pending.filter((x) => x !== p);
      this.addMessages(r.messages ?? [], false);
      this.d.post?.({ event: 'conversation', payload: { active: true } });
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(0, 'unknown', 'Something went wrong.');
      p.state = 'failed';
      if (err.status === 429) {
        p.error = rateLimitText(err.retryAfter);
        p.retryAt = Date.now() + (err.retryAfter ?? 30) * 1000;
        setTimeout(() => this.render(false), (err.retryAfter ?? 30) * 1000 + 50);
      } else {
        p.error = err.status === 0 ? err.message : `${SEND_FAILED} ${err.message}`;
        p.retryAt = undefined;
      }
    } finally {
      this.inflight--;
      if (this.inflight === 0 && this.buffered.length) {
        const b = this.buffered;
        this.buffered = [];
        for (const m of b) this.onLive(m);
      }
      this.render(true);
    }
  }

  private retry(p: Pending) {
    if (this.inflight > 0) return;
    void this.send(p.body, p);
  }

  private discard(p: Pending) {
    this.pending = this.pending.filter((x) => x !== p);
    this.render(false);
  }

  // ----- read receipts and unread -----

  private isVisible() {
    const docVisible = typeof document.visibilityState !== 'string' || document.visibilityState === 'visible';
    return (this.d.post ? this.open : true) && docVisible;
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

  onVisibilityChange() {
    this.maybeMarkRead();
  }

  // ----- rendering -----

  private setColor(c: string) {
    const color = safeColor(c);
    this.el.shell.style.setProperty('--c', color);
    this.el.shell.style.setProperty('--t', contrastText(color));
  }

  private nearBottom() {
    const l = this.el.log;
    return l.scrollHeight - l.scrollTop - l.clientHeight < 80;
  }

  private render(scroll: boolean) {
    const stick = scroll || this.nearBottom();
    const { list } = this.el;
    const wanted: HTMLElement[] = [];
    if (this.phase === 'ready') wanted.push(this.node('greeting', () => this.bubble('assistant', this.greeting, null, 'greeting')));
    for (const m of this.messages) {
      wanted.push(this.node(m.id, () => this.bubble(m.sender, m.body, m.sender === 'agent' ? m.author_name || 'Support team' : null, m.id, m.created_at)));
      // The server marks the ticket confirmation; its card goes right under it.
      const a = m.action;
      if (a?.type === 'ticket_created') wanted.push(this.node(`card:${m.id}`, () => this.card(a)));
    }
    // Pending sends are rebuilt every time (their state changes).
    for (const p of this.pending) wanted.push(this.pendingNode(p));
    // Place in order, reusing existing nodes.
    let i = 0;
    for (const n of wanted) {
      if (list.children[i] !== n) list.insertBefore(n, list.children[i] ?? null);
      i++;
    }
    while (list.children.length > wanted.length) list.lastElementChild!.remove();
    this.el.typing.hidden = this.inflight === 0;
    this.renderEmail();
    this.el.sendBtn.disabled = this.phase !== 'ready' || this.inflight > 0;
    if (stick) this.el.log.scrollTop = this.el.log.scrollHeight;
  }

  private node(id: string, make: () => HTMLElement): HTMLElement {
    let n = this.nodes.get(id);
    if (!n) {
      n = make();
      this.nodes.set(id, n);
    }
    return n;
  }

  private bubble(sender: string, body: string, author: string | null, id: string, at?: string): HTMLElement {
    const time = at ? new Date(at) : null;
    const title = time && !isNaN(time.getTime()) ? time.toLocaleString() : undefined;
    if (sender === 'system') return h('div', { class: 'm system', 'data-id': id }, bodyText(body));
    return h(
      'div',
      { class: `m ${sender === 'visitor' ? 'visitor' : sender === 'agent' ? 'agent' : 'assistant'}`, 'data-id': id, title },
      author ? h('div', { class: 'who' }, author) : null,
      bodyText(body),
    );
  }

  private card(t: TicketCreated): HTMLElement {
    const label = t.number;
    return h(
      'div',
      { class: 'card', role: 'status', 'aria-label': `Ticket ${label} created` },
      h('div', { class: 'ci' }, icon(ICONS.check, 18, true)),
      h(
        'div',
        {},
        h('div', { class: 'ct' }, 'Ticket created'),
        h('div', { class: 'cn' }, label),
        h('div', { class: 'cs' }, 'Our team will reply here and by email.'),
      ),
    );
  }

  private pendingNode(p: Pending): HTMLElement {
    const n = this.bubble('visitor', p.body, null, `local:${p.local}`);
    n.classList.add(p.state);
    if (p.state === 'failed') {
      const wait = p.retryAt ? p.retryAt > Date.now() : false;
      return h(
        'div',
        { class: 'pw' },
        n,
        h(
          'div',
          { class: 'err', role: 'alert' },
          h('p', { class: 'etxt' }, icon(ICONS.alert, 16, true), h('span', {}, p.error ?? SEND_FAILED)),
          h(
            'div',
            { class: 'eact' },
            h('button', { type: 'button', class: 'link', disabled: wait || this.inflight > 0, onclick: () => this.retry(p) }, 'Retry'),
            h('button', { type: 'button', class: 'link muted', onclick: () => this.discard(p) }, 'Discard'),
          ),
        ),
      );
    }
    n.setAttribute('aria-busy', 'true');
    return n;
  }

  private emailRequested(): boolean {
    if (this.phase !== 'ready' || this.pending.length > 0) return false;
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const m = this.messages[i];
      if (m.sender === 'visitor') return false;
      if (m.action?.type === 'request_email') return true;
    }
    return false;
  }

  private renderEmail() {
    const show = this.emailRequested();
    const f = this.el.emailForm;
    const wasHidden = f.hidden;
    f.hidden = !show;
    this.el.emailErr.textContent = this.emailError;
    this.el.emailInput.setAttribute('aria-invalid', this.emailError ? 'true' : 'false');
    const btn = f.querySelector('button') as HTMLButtonElement;
    btn.disabled = this.inflight > 0;
    if (show && wasHidden && this.open) setTimeout(() => this.el.emailInput.focus(), 0);
  }

  private renderStatus() {
    const s = this.el.status;
    s.replaceChildren();
    s.className = 'status';
    if (this.phase === 'connecting' || this.phase === 'waiting') {
      s.append(h('div', { class: 'loading', role: 'status' }, 'Connecting…'));
    } else if (this.phase === 'forbidden') {
      s.className = 'status blocked';
      s.append(
        h(
          'div',
          { class: 'notice', role: 'alert' },
          h('strong', {}, 'Chat is unavailable on this website'),
          h('span', {}, this.phaseError || 'This site is not allowed to use this chat.'),
        ),
      );
    } else if (this.phase === 'failed') {
      s.append(
        h(
          'div',
          { class: 'notice', role: 'alert' },
          h('strong', {}, "We couldn't start the chat"),
          h('span', {}, this.phaseError),
          h('button', { type: 'button', class: 'btn', onclick: () => void this.connect() }, 'Retry'),
        ),
      );
    }
    if (this.phase !== 'ready') {
      this.el.input.disabled = true;
      this.el.sendBtn.disabled = true;
    }
  }

  private autosize() {
    const t = this.el.input;
    t.style.height = 'auto';
    t.style.height = `${Math.min(t.scrollHeight || 0, 120)}px`;
  }

  private focusBest() {
    const t = this.emailRequested() ? this.el.emailInput : this.el.input;
    if (!t.disabled) t.focus();
    else this.el.closeBtn.focus();
  }

  private requestClose() {
    this.d.post?.({ event: 'close' });
  }

  private onKey(e: KeyboardEvent) {
    if (e.key === 'Escape') {
      e.preventDefault();
      this.requestClose();
      return;
    }
    if (e.key !== 'Tab') return;
    // Focus trap: Tab cycles inside the chat while it is open.
    const items = Array.from(
      this.el.shell.querySelectorAll<HTMLElement>('button, textarea, input, [tabindex="0"], a[href]'),
    ).filter((x) => !(x as HTMLButtonElement).disabled && !x.closest('[hidden]') && !x.hidden);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    const active = document.activeElement;
    if (e.shiftKey && (active === first || !this.el.shell.contains(active))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (active === last || !this.el.shell.contains(active))) {
      e.preventDefault();
      first.focus();
    }
  }
}
