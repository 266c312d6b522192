// @vitest-environment jsdom
// The chat as a visitor uses it: what they see, type and click (the session's network and
// state rules are unit-tested without a DOM in session.test.ts).
import { beforeEach, describe, expect, it } from 'vitest';
import type { ToLoader } from '../shared/protocol';
import { visitorTokenKey } from '../shared/protocol';
import type { Message } from './api';
import { ChatApp } from './app';
import { rateLimitText } from './strings';
import { confirmation, FakeES, fakeApi, msg, type Reply, type Route, session, settle, TICKET } from './testing';

const tick = () => new Promise((r) => setTimeout(r, 0));

interface Setup {
  app: ChatApp;
  root: HTMLElement;
  calls: ReturnType<typeof fakeApi>['calls'];
  posted: ToLoader[];
  routes: Record<string, Route>;
}

function setup(routes: Record<string, Route>, opts: { open?: boolean; embedded?: boolean; languages?: string[] } = {}): Setup {
  const posted: ToLoader[] = [];
  const { api, calls } = fakeApi(routes);
  const root = document.createElement('div');
  document.body.replaceChildren(root);
  const app = new ChatApp({
    root,
    key: 'wk',
    api,
    storage: localStorage,
    post: opts.embedded === false ? null : (m) => posted.push(m),
    EventSource: FakeES as unknown as typeof EventSource,
    ...(opts.languages ? { languages: opts.languages } : {}),
  });
  if (opts.open !== false) app.setOpen(true);
  app.start({ page_url: 'https://shop.example/cart', referrer: 'https://google.example/', locale: 'en-GB' });
  return { app, root, calls, posted, routes };
}

const q = (root: HTMLElement, sel: string) => root.querySelector(sel) as HTMLElement;
const texts = (root: HTMLElement, sel: string) => Array.from(root.querySelectorAll(sel)).map((n) => n.textContent);

function type(root: HTMLElement, text: string, shift = false) {
  const t = q(root, 'textarea') as HTMLTextAreaElement;
  t.value = text;
  t.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', shiftKey: shift, bubbles: true, cancelable: true }));
}

beforeEach(() => {
  localStorage.clear();
  FakeES.all = [];
  document.documentElement.lang = '';
});

describe('frame app: session', () => {
  it('starts a session with the page details, shows greeting and history, keeps the token', async () => {
    const history = [msg('visitor', 'Hello'), msg('assistant', 'Hi there'), msg('agent', 'Sam here', { author_name: 'Sam' }), msg('system', 'Ticket TKT-10001 was resolved')];
    const { root, calls } = setup({ 'POST /api/v1/widget/sessions': () => ({ status: 201, body: session(history) }) });
    await settle();
    expect(calls[0].body).toEqual({ widget_key: 'wk', page_url: 'https://shop.example/cart', referrer: 'https://google.example/', locale: 'en-GB' });
    expect(q(root, '#hf-title').textContent).toBe('Acme Shop');
    expect(texts(root, '.m .body')).toEqual(['Hi! Ask me anything.', 'Hello', 'Hi there', 'Sam here', 'Ticket TKT-10001 was resolved']);
    expect(q(root, '.m.agent .who').textContent).toBe('Sam');
    expect(root.querySelectorAll('.m.visitor')).toHaveLength(1);
    expect(root.querySelectorAll('.m.system')).toHaveLength(1);
    expect(localStorage.getItem(visitorTokenKey('wk'))).toBe('vt_1');
    expect(FakeES.last?.url).toBe('https://handoff.example/api/v1/widget/events?ticket=hs_1');
  });

  it('starts over when the stored token is rejected', async () => {
    localStorage.setItem(visitorTokenKey('wk'), 'vt_bad');
    const { calls, root } = setup({
      'POST /api/v1/widget/sessions': (b) =>
        (b as { visitor_token?: string }).visitor_token
          ? { status: 401, body: { error: { code: 'unauthorized', message: 'Bad token' } } }
          : { status: 201, body: session() },
    });
    await settle();
    const sessions = calls.filter((c) => c.path === '/api/v1/widget/sessions');
    expect(sessions).toHaveLength(2);
    expect(sessions[1].body).not.toHaveProperty('visitor_token');
    expect((q(root, 'textarea') as HTMLTextAreaElement).disabled).toBe(false);
  });

  it('shows a clear message when this site is not allowed (403)', async () => {
    const { root } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 403, body: { error: { code: 'forbidden', message: 'This website is not allowed to use this widget.' } } }),
    });
    await settle();
    expect(q(root, '.notice').textContent).toContain('Chat is unavailable on this website');
    expect(q(root, '.notice').textContent).toContain('This website is not allowed to use this widget.');
    expect((q(root, 'textarea') as HTMLTextAreaElement).disabled).toBe(true);
  });

  it('offers Retry when the session call fails', async () => {
    let n = 0;
    const { root } = setup({
      'POST /api/v1/widget/sessions': () => (++n === 1 ? { status: 503, body: { error: { code: 'unavailable', message: 'Try again soon.' } } } : { status: 201, body: session() }),
    });
    await settle();
    const retry = Array.from(root.querySelectorAll('button')).find((b) => b.textContent === 'Retry')!;
    expect(retry).toBeTruthy();
    retry.click();
    await settle();
    expect(texts(root, '.m .body')).toEqual(['Hi! Ask me anything.']);
  });

  it('puts the cursor in the composer once the chat is ready, or in the email field during the email step', async () => {
    const first = setup({ 'POST /api/v1/widget/sessions': () => ({ status: 201, body: session([msg('visitor', 'Hi'), msg('assistant', 'Hello!')]) }) });
    await settle();
    expect(document.activeElement).toBe(q(first.root, 'textarea'));
    const refund = [msg('visitor', 'I want a refund'), msg('assistant', "What's your email?", { action: { type: 'request_email' } })];
    const second = setup({ 'POST /api/v1/widget/sessions': () => ({ status: 201, body: session(refund) }) });
    await settle();
    expect(document.activeElement).toBe(q(second.root, 'input[type=email]'));
  });

  it('renders every message as text, never as HTML', async () => {
    const evil = '<img src=x onerror="window.__pwned=1"><b>bold</b>';
    const { root } = setup({ 'POST /api/v1/widget/sessions': () => ({ status: 201, body: session([msg('agent', evil, { author_name: '<i>Eve</i>' })]) }) });
    await settle();
    expect(root.querySelector('img')).toBeNull();
    expect(root.querySelector('b')).toBeNull();
    expect(root.querySelector('i')).toBeNull();
    expect(q(root, '.m.agent .body').textContent).toBe(evil);
    expect(q(root, '.m.agent .who').textContent).toBe('<i>Eve</i>');
  });
});

describe('frame app: conversation', () => {
  it('Enter sends, Shift+Enter does not; typing indicator while waiting', async () => {
    let answer!: (r: Reply) => void;
    const { root, calls, posted } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: session() }),
      'POST /api/v1/widget/messages': () => new Promise<Reply>((r) => (answer = r)),
    });
    await settle();
    type(root, 'line one', true);
    expect(calls.filter((c) => c.path === '/api/v1/widget/messages')).toHaveLength(0);
    type(root, 'How long does shipping take?');
    await tick();
    const sent = calls.find((c) => c.path === '/api/v1/widget/messages')!;
    expect(sent.body).toEqual({ body: 'How long does shipping take?', page_url: 'https://shop.example/cart' });
    expect(sent.auth).toBe('Bearer vt_1');
    expect(q(root, '.typing').hidden).toBe(false);
    expect(texts(root, '.m.visitor .body')).toEqual(['How long does shipping take?']);
    answer({ status: 201, body: { messages: [msg('visitor', 'How long does shipping take?'), msg('assistant', 'Orders ship in 2-3 days.')], ticket: null } });
    await settle();
    expect(q(root, '.typing').hidden).toBe(true);
    expect(texts(root, '.m .body')).toEqual(['Hi! Ask me anything.', 'How long does shipping take?', 'Orders ship in 2-3 days.']);
    expect(posted).toContainEqual({ event: 'conversation', payload: { active: true } });
  });

  it('email step: invalid email is rejected before sending, valid one is sent, ticket card shown', async () => {
    const ask = msg('visitor', 'I want a refund');
    const offer = msg('assistant', "I can't do refunds myself. What's your email?", { action: { type: 'request_email' } });
    const { root, calls } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: session([ask, offer]) }),
      'POST /api/v1/widget/messages': (b) => ({
        status: 201,
        body: { messages: [msg('visitor', (b as { body: string }).body), confirmation('Thanks! Your ticket is TKT-10001.')], ticket: TICKET },
      }),
    });
    await settle();
    const form = q(root, 'form.email') as HTMLFormElement;
    const input = q(root, 'input[type=email]') as HTMLInputElement;
    expect(form.hidden).toBe(false);
    input.value = 'not-an-email';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
    expect(calls.filter((c) => c.path === '/api/v1/widget/messages')).toHaveLength(0);
    expect(q(root, '#hf-email-err').textContent).toMatch(/valid email/);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    input.value = 'ann@example.com';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
    expect(calls.find((c) => c.path === '/api/v1/widget/messages')!.body).toMatchObject({ body: 'ann@example.com' });
    expect(form.hidden).toBe(true);
    expect(q(root, '.card .cn').textContent).toBe('TKT-10001');
    expect(q(root, '.card').getAttribute('role')).toBe('status');
  });

  it('errors show inline with Retry, which resends the same text', async () => {
    let n = 0;
    const { root, calls } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: session() }),
      'POST /api/v1/widget/messages': (b) =>
        ++n === 1
          ? { status: 500, body: { error: { code: 'internal', message: 'Something went wrong.' } } }
          : { status: 201, body: { messages: [msg('visitor', (b as { body: string }).body), msg('assistant', 'Answer')], ticket: null } },
    });
    await settle();
    type(root, 'Hello?');
    await settle();
    expect(q(root, '.err').textContent).toContain("wasn't sent");
    const retry = Array.from(root.querySelectorAll('.err button')).find((b) => b.textContent === 'Retry') as HTMLButtonElement;
    retry.click();
    await settle();
    expect(calls.filter((c) => c.path === '/api/v1/widget/messages').map((c) => (c.body as { body: string }).body)).toEqual(['Hello?', 'Hello?']);
    expect(root.querySelector('.err')).toBeNull();
    expect(texts(root, '.m .body')).toEqual(['Hi! Ask me anything.', 'Hello?', 'Answer']);
  });

  it('429 gives a friendly wait message using Retry-After', async () => {
    const { root } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: session() }),
      'POST /api/v1/widget/messages': () => ({ status: 429, headers: { 'Retry-After': '12' }, body: { error: { code: 'rate_limited', message: 'Too many requests' } } }),
    });
    await settle();
    type(root, 'spam');
    await settle();
    expect(q(root, '.err').textContent).toContain('Please wait 12 seconds and try again.');
    const retry = Array.from(root.querySelectorAll('.err button')).find((b) => b.textContent === 'Retry') as HTMLButtonElement;
    expect(retry.disabled).toBe(true);
    expect(rateLimitText('en', 120)).toContain('2 minutes');
  });
});

describe('frame app: the ticket card', () => {
  /** The element right after a message's bubble (the card, when it has one). */
  const after = (root: HTMLElement, m: Message) => root.querySelector(`.m[data-id="${m.id}"]`)?.nextElementSibling as HTMLElement | null;

  it('appears under the confirmation the POST response marks', async () => {
    const done = confirmation();
    const { root } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: session() }),
      'POST /api/v1/widget/messages': (b) => ({
        status: 201,
        body: { messages: [msg('visitor', (b as { body: string }).body), done, msg('assistant', 'Anything else?')], ticket: TICKET },
      }),
    });
    await settle();
    type(root, 'ann@example.com');
    await settle();
    expect(root.querySelectorAll('.card')).toHaveLength(1);
    const card = after(root, done)!;
    expect(card.className).toBe('card');
    expect(card.getAttribute('aria-label')).toBe('Ticket TKT-10001 created');
    expect(texts(card, '.ct, .cn, .cs')).toEqual(['Ticket created', 'TKT-10001', 'Our team will reply here and by email.']);
  });

  it('is back under the same message after a reload (history carries the action)', async () => {
    const asked = [msg('visitor', 'I want a refund'), msg('visitor', 'ann@example.com')];
    const done = confirmation();
    const history = [...asked, done, msg('agent', 'Refund started', { author_name: 'Dana' })];
    const { root } = setup({ 'POST /api/v1/widget/sessions': () => ({ status: 201, body: session(history, 0, TICKET) }) });
    await settle();
    expect(root.querySelectorAll('.card')).toHaveLength(1);
    expect(after(root, done)?.querySelector('.cn')?.textContent).toBe('TKT-10001');
    expect(after(root, done)?.nextElementSibling?.textContent).toContain('Refund started');
  });

  it('appears when the marked message arrives live on the event stream', async () => {
    const { root } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: session([msg('visitor', 'ann@example.com')]) }),
    });
    await settle();
    expect(root.querySelector('.card')).toBeNull();
    const done = confirmation();
    FakeES.last!.emit('message.created', done);
    await settle();
    expect(after(root, done)?.querySelector('.cn')?.textContent).toBe('TKT-10001');
  });

  it('is not shown for a message that merely mentions the ticket number', async () => {
    const mention = msg('agent', 'About TKT-10001: we are on it.', { author_name: 'Dana' });
    const { root } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: session([msg('visitor', 'Hi'), mention], 0, TICKET) }),
      'POST /api/v1/widget/messages': (b) => ({
        status: 201,
        body: { messages: [msg('visitor', (b as { body: string }).body), msg('assistant', 'I added this to ticket TKT-10001.')], ticket: TICKET },
      }),
    });
    await settle();
    type(root, 'One more detail about TKT-10001');
    await settle();
    expect(texts(root, '.m .body')).toContain('I added this to ticket TKT-10001.');
    expect(root.querySelector('.card')).toBeNull();
    // The number still never breaks across lines.
    expect(texts(root, '.m.agent .nw')).toEqual(['TKT-10001']);
  });
});

describe('frame app: live replies and unread', () => {
  it('shows agent replies from the stream once, and marks them read when the chat is open', async () => {
    const { root, calls, posted } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: session([msg('visitor', 'Hi')]) }),
      'POST /api/v1/widget/read': () => ({ status: 204 }),
    });
    await settle();
    const reply = msg('agent', 'We are on it', { author_name: 'Dana' });
    FakeES.last!.emit('message.created', reply);
    FakeES.last!.emit('message.created', reply);
    await settle();
    expect(texts(root, '.m.agent .body')).toEqual(['We are on it']);
    expect(q(root, '.m.agent .who').textContent).toBe('Dana');
    expect(calls.filter((c) => c.path === '/api/v1/widget/read').map((c) => c.body)).toEqual([{ up_to: reply.id }]);
    expect(posted.filter((p) => p.event === 'unread').pop()).toEqual({ event: 'unread', payload: { count: 0 } });
  });

  it('counts unread replies while hidden, reports them, and marks read on open', async () => {
    const { app, calls, posted } = setup(
      {
        'POST /api/v1/widget/sessions': () => ({ status: 201, body: session([msg('visitor', 'Hi'), msg('agent', 'Answer while away')], 1) }),
        'POST /api/v1/widget/read': () => ({ status: 204 }),
      },
      { open: false },
    );
    await settle();
    expect(posted).toContainEqual({ event: 'unread', payload: { count: 1 } });
    FakeES.last!.emit('message.created', msg('agent', 'Another one'));
    await settle();
    expect(posted.filter((p) => p.event === 'unread').pop()).toEqual({ event: 'unread', payload: { count: 2 } });
    expect(calls.filter((c) => c.path === '/api/v1/widget/read')).toHaveLength(0);
    app.setOpen(true, true);
    await settle();
    expect(calls.filter((c) => c.path === '/api/v1/widget/read')).toHaveLength(1);
    expect(posted.filter((p) => p.event === 'unread').pop()).toEqual({ event: 'unread', payload: { count: 0 } });
  });

  it('does not double the visitor message when the stream echoes it during a send', async () => {
    let answer!: (r: Reply) => void;
    const { root } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: session() }),
      'POST /api/v1/widget/messages': () => new Promise<Reply>((r) => (answer = r)),
    });
    await settle();
    type(root, 'Where is my order?');
    await tick();
    const mine = msg('visitor', 'Where is my order?');
    const bot = msg('assistant', 'Let me check.');
    FakeES.last!.emit('message.created', mine);
    FakeES.last!.emit('message.created', bot);
    answer({ status: 201, body: { messages: [mine, bot], ticket: null } });
    await settle();
    expect(texts(root, '.m .body')).toEqual(['Hi! Ask me anything.', 'Where is my order?', 'Let me check.']);
  });

  it('Escape asks the loader to close', async () => {
    const { posted } = setup({ 'POST /api/v1/widget/sessions': () => ({ status: 201, body: session() }) });
    await settle();
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(posted).toContainEqual({ event: 'close' });
  });
});

describe('frame app: where the conversation is scrolled when the chat is shown', () => {
  /**
   * jsdom has no layout: this gives the log one. While `hidden` (the frame is preloaded in a
   * display:none panel) it has no size and ignores scrolling, as in a browser.
   */
  function layout(log: HTMLElement, height: number, content: number) {
    const box = { hidden: true, top: 0, height, content };
    Object.defineProperties(log, {
      clientHeight: { configurable: true, get: () => (box.hidden ? 0 : box.height) },
      scrollHeight: { configurable: true, get: () => (box.hidden ? 0 : box.content) },
      scrollTop: {
        configurable: true,
        get: () => (box.hidden ? 0 : box.top),
        set: (v: number) => {
          if (!box.hidden) box.top = Math.max(0, Math.min(v, box.content - box.height));
        },
      },
    });
    return box;
  }
  const END = 2000 - 400;
  const history = () => [...Array.from({ length: 30 }, (_, i) => msg(i % 2 ? 'assistant' : 'visitor', `Message ${i}`)), msg('agent', 'Your refund went through', { author_name: 'Dana' })];
  const routes = () => ({
    'POST /api/v1/widget/sessions': () => ({ status: 201, body: session(history(), 1) }),
    'POST /api/v1/widget/read': () => ({ status: 204 }),
  });

  /** A returning visitor: the frame loads hidden (for the unread badge) and renders the history. */
  async function preloaded() {
    const s = setup(routes(), { open: false });
    const box = layout(q(s.root, '.log'), 400, 2000);
    await settle();
    expect(texts(s.root, '.m .body').at(-1)).toBe('Your refund went through');
    expect(box.top).toBe(0); // rendering hidden could not scroll
    return { ...s, box };
  }
  const show = (app: ChatApp, box: { hidden: boolean }) => {
    box.hidden = false;
    app.setOpen(true, true); // the loader's `visibility` with open: true
  };
  const hide = (app: ChatApp, box: { hidden: boolean }) => {
    app.setOpen(false);
    box.hidden = true;
  };
  const visitorScrolls = (log: HTMLElement, box: { top: number }, top: number) => {
    box.top = top;
    log.dispatchEvent(new Event('scroll'));
  };

  it('opens a preloaded chat at the newest message', async () => {
    const { app, box } = await preloaded();
    show(app, box);
    expect(box.top).toBe(END);
  });

  it('keeps the place of a visitor who scrolled up during this visit, until something new arrives', async () => {
    const { app, box, root } = await preloaded();
    const log = q(root, '.log');
    show(app, box);
    visitorScrolls(log, box, 300);
    hide(app, box);
    show(app, box);
    expect(box.top).toBe(300);

    // Back near the end: the next opening brings the end into view again.
    visitorScrolls(log, box, END - 40);
    hide(app, box);
    show(app, box);
    expect(box.top).toBe(END);

    // Scrolled up, then a reply arrives while the chat is closed: it is shown on opening.
    visitorScrolls(log, box, 300);
    hide(app, box);
    FakeES.last!.emit('message.created', msg('agent', 'One more thing', { author_name: 'Dana' }));
    await settle();
    box.content = 2100;
    show(app, box);
    expect(box.top).toBe(2100 - 400);
  });
});

describe('frame app: live chat with a human', () => {
  const withLive = (live: { agent_name: string | null; humans_online: boolean; visitor_email: string | null }, messages: Message[] = [], ticket: typeof TICKET | null = null) => ({
    ...session(messages, 0, ticket),
    live,
  });

  it('shows who joined, the agent typing with their name, and never the assistant dots while a human has the chat', async () => {
    let answer!: (r: Reply) => void;
    const { root } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: withLive({ agent_name: null, humans_online: true, visitor_email: null }) }),
      'POST /api/v1/widget/messages': () => new Promise<Reply>((r) => (answer = r)),
    });
    await settle();
    const es = FakeES.last!;
    es.opened();
    expect(q(root, '.sub').textContent).toBe('We usually answer right away');
    es.emit('message.created', msg('system', 'Sam Agent joined the chat'));
    es.emit('conversation.updated', { agent_name: 'Sam Agent' });
    await settle();
    expect(texts(root, '.m.system .body')).toEqual(['Sam Agent joined the chat']);
    expect(q(root, '.sub').textContent).toBe("You're chatting with Sam Agent");
    es.emit('typing', { sender: 'agent', name: 'Sam Agent', typing: true });
    await settle();
    expect(q(root, '.typing').hidden).toBe(false);
    expect(q(root, '.tw').textContent).toBe('Sam Agent is typing…');
    // The agent's message ends the indicator.
    es.emit('message.created', msg('agent', 'Hi, Sam here', { author_name: 'Sam Agent' }));
    await settle();
    expect(q(root, '.typing').hidden).toBe(true);
    // Sending while a human has the chat: no assistant "thinking" dots.
    type(root, 'Thanks Sam');
    await tick();
    expect(q(root, '.typing').hidden).toBe(true);
    answer({ status: 201, body: { messages: [msg('visitor', 'Thanks Sam')], ticket: null } });
    await settle();
    // Handed back: the header says so again.
    es.emit('conversation.updated', { agent_name: null });
    await settle();
    expect(q(root, '.sub').textContent).toBe('We usually answer right away');
  });

  it('sends the visitor typing to the team, throttled, and a stop when the composer is cleared', async () => {
    const { root, calls } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: withLive({ agent_name: 'Sam', humans_online: true, visitor_email: null }) }),
      'POST /api/v1/widget/typing': () => ({ status: 204 }),
    });
    await settle();
    const t = q(root, 'textarea') as HTMLTextAreaElement;
    t.value = 'I need';
    t.dispatchEvent(new Event('input'));
    t.value = 'I need to';
    t.dispatchEvent(new Event('input'));
    await settle();
    // Throttled: one `typing: true` for a burst of keystrokes.
    expect(calls.filter((c) => c.path === '/api/v1/widget/typing').map((c) => c.body)).toEqual([{ typing: true }]);
    t.value = '';
    t.dispatchEvent(new Event('input'));
    await settle();
    expect(calls.filter((c) => c.path === '/api/v1/widget/typing').map((c) => c.body)).toEqual([{ typing: true }, { typing: false }]);
  });

  it('when nobody is online: promises an email reply to the known address, or asks for one', async () => {
    const { root } = setup({
      'POST /api/v1/widget/sessions': () => ({
        status: 201,
        body: withLive({ agent_name: null, humans_online: false, visitor_email: 'ann@example.com' }, [confirmation()], TICKET),
      }),
    });
    await settle();
    expect(q(root, '.away').hidden).toBe(false);
    expect(q(root, '.away .at').textContent).toBe("Our team is away right now. We'll reply by email at ann@example.com.");

    localStorage.clear();
    FakeES.all = [];
    const second = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: withLive({ agent_name: 'Sam', humans_online: false, visitor_email: null }) }),
      'POST /api/v1/widget/email': (b) => ((b as { email: string }).email.includes('@') ? { status: 204 } : { status: 422, body: { error: { code: 'validation_failed', message: 'bad' } } }),
    });
    await settle();
    const r = second.root;
    expect(q(r, '.away .at').textContent).toBe("Our team is away right now. Leave your email and we'll reply by email.");
    const input = q(r, '#hf-away-email') as HTMLInputElement;
    input.value = 'nope';
    (q(r, '.away form') as HTMLFormElement).dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
    expect(q(r, '#hf-away-err').textContent).toContain('valid email');
    expect(second.calls.some((c) => c.path === '/api/v1/widget/email')).toBe(false);
    input.value = 'Ann@Example.com';
    (q(r, '.away form') as HTMLFormElement).dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
    expect(second.calls.find((c) => c.path === '/api/v1/widget/email')?.body).toEqual({ email: 'Ann@Example.com' });
    expect(q(r, '.away .at').textContent).toBe("Our team is away right now. We'll reply by email at ann@example.com.");
  });

  it('says nothing about email while the assistant answers and no ticket is open', async () => {
    const { root } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: withLive({ agent_name: null, humans_online: false, visitor_email: null }) }),
    });
    await settle();
    expect(q(root, '.away').hidden).toBe(true);
  });
});

describe('frame app: streamed replies', () => {
  const delta = (seq: number, text: string, id = 'r1') => ({ message_id: id, conversation_id: 'c1', seq, text });

  it('shows the typing indicator until the first words, then the reply as it is written, then the message', async () => {
    let answer!: (r: Reply) => void;
    const { root } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: session() }),
      'POST /api/v1/widget/messages': () => new Promise<Reply>((r) => (answer = r)),
    });
    await settle();
    type(root, 'Which cards do you take?');
    await tick();
    expect(q(root, '.typing').hidden).toBe(false);
    const es = FakeES.last!;
    es.emit('message.delta', delta(0, 'We accept '));
    expect(q(root, '.typing').hidden).toBe(true);
    expect(q(root, '.m.streaming .body').textContent).toBe('We accept ');
    // Out of order or repeated pieces are not glued in.
    es.emit('message.delta', delta(2, ' and <b>PayPal</b>.'));
    es.emit('message.delta', delta(0, 'We accept '));
    expect(q(root, '.m.streaming .body').textContent).toBe('We accept ');
    es.emit('message.delta', delta(1, 'Visa'));
    es.emit('message.delta', delta(2, ' and <b>PayPal</b>.'));
    expect(q(root, '.m.streaming .body').textContent).toBe('We accept Visa and <b>PayPal</b>.');
    expect(root.querySelector('.m.streaming b')).toBeNull();
    // Under the visitor's own message, which is still on its way.
    expect(texts(root, '.m .body')).toEqual(['Hi! Ask me anything.', 'Which cards do you take?', 'We accept Visa and <b>PayPal</b>.']);
    const mine = msg('visitor', 'Which cards do you take?');
    const reply = msg('assistant', 'We accept Visa and <b>PayPal</b>.', { id: 'r1' });
    es.emit('message.created', mine);
    es.emit('message.created', reply);
    answer({ status: 201, body: { messages: [mine, reply], ticket: null } });
    await settle();
    expect(root.querySelector('.m.streaming')).toBeNull();
    expect(q(root, '.typing').hidden).toBe(true);
    expect(texts(root, '.m .body')).toEqual(['Hi! Ask me anything.', 'Which cards do you take?', 'We accept Visa and <b>PayPal</b>.']);
    // A late piece of a reply that is in already changes nothing.
    es.emit('message.delta', delta(3, ' More.'));
    expect(root.querySelector('.m.streaming')).toBeNull();
  });

  it('a reply that broke off is replaced by what the server stored under its id (the ticket offer)', async () => {
    let answer!: (r: Reply) => void;
    const { root } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: session() }),
      'POST /api/v1/widget/messages': () => new Promise<Reply>((r) => (answer = r)),
    });
    await settle();
    type(root, 'Do you ship to Canada?');
    await tick();
    FakeES.last!.emit('message.delta', delta(0, 'Yes, we ship to Can'));
    expect(q(root, '.m.streaming .body').textContent).toBe('Yes, we ship to Can');
    const offer = msg('assistant', "Sorry, I'm having trouble answering right now. What's your email?", { id: 'r1', action: { type: 'request_email' } });
    answer({ status: 201, body: { messages: [msg('visitor', 'Do you ship to Canada?'), offer], ticket: null } });
    await settle();
    expect(root.querySelector('.m.streaming')).toBeNull();
    expect(texts(root, '.m.assistant .body')).toEqual(['Hi! Ask me anything.', offer.body]);
  });

  it('links the article an answer came from (http and https only), the rest stays text', async () => {
    const body = 'From our article “Payment methods”: We accept Visa.\n\nRead the article: https://shop.example/help/payment';
    const answer = msg('assistant', body, {
      sources: [
        { passage_id: 'p1', article_id: 'a1', title: 'Payment methods', url: 'https://shop.example/help/payment' },
        { passage_id: 'p2', article_id: 'a2', title: 'Evil', url: 'javascript:alert(1)' },
      ],
    });
    const sneaky = msg('agent', 'See https://evil.example/x', { sources: [{ passage_id: 'p3', article_id: 'a3', title: 'x', url: 'https://evil.example/x' }] });
    const { root } = setup({ 'POST /api/v1/widget/sessions': () => ({ status: 201, body: session([answer, sneaky]) }) });
    await settle();
    const links = Array.from(root.querySelectorAll('.m a')) as HTMLAnchorElement[];
    expect(links).toHaveLength(1);
    expect(links[0].getAttribute('href')).toBe('https://shop.example/help/payment');
    expect(links[0].getAttribute('rel')).toBe('noopener noreferrer');
    expect(links[0].getAttribute('target')).toBe('_blank');
    expect(links[0].textContent).toBe('https://shop.example/help/payment');
    expect(q(root, '.m.assistant[data-id="' + answer.id + '"] .body').textContent).toBe(body);
  });
});

describe('frame app: languages', () => {
  const composer = (root: HTMLElement) => ({
    placeholder: q(root, 'textarea').getAttribute('placeholder'),
    send: q(root, 'button.send').getAttribute('aria-label'),
    attach: q(root, 'button.attach').getAttribute('title'),
    close: q(root, 'button.x').getAttribute('aria-label'),
    sub: q(root, '.sub').textContent,
    footer: q(root, '.ft').textContent,
  });

  it('speaks English by default (the browser says en-US, and so does the session)', async () => {
    const { root } = setup({ 'POST /api/v1/widget/sessions': () => ({ status: 201, body: session() }) });
    await settle();
    expect(navigator.language).toBe('en-US');
    expect(document.documentElement.lang).toBe('en');
    expect(composer(root)).toEqual({
      placeholder: 'Type your message…',
      send: 'Send message',
      attach: 'Attach a file',
      close: 'Close chat',
      sub: 'We usually answer right away',
      footer: 'Powered by Handoff',
    });
  });

  it("a session answering language 'de' shows the chat in German; the workspace's greeting stays as written", async () => {
    const history = [msg('visitor', 'Refund please'), confirmation(), msg('agent', 'Wir kümmern uns darum.')];
    const { root } = setup({ 'POST /api/v1/widget/sessions': () => ({ status: 201, body: { ...session(history, 0, TICKET), language: 'de' } }) });
    await settle();
    expect(document.documentElement.lang).toBe('de');
    expect(composer(root)).toEqual({
      placeholder: 'Nachricht eingeben…',
      send: 'Nachricht senden',
      attach: 'Datei anhängen',
      close: 'Chat schließen',
      sub: 'Wir antworten in der Regel sofort',
      footer: 'Bereitgestellt von Handoff',
    });
    expect(q(root, '.log').getAttribute('aria-label')).toBe('Unterhaltung');
    expect(texts(root, '.m .body')[0]).toBe('Hi! Ask me anything.');
    expect(q(root, '.card').getAttribute('aria-label')).toBe('Ticket TKT-10001 erstellt');
    expect(q(root, '.card .ct').textContent).toBe('Ticket erstellt');
    expect(q(root, '.card .cs').textContent).toBe('Unser Team antwortet Ihnen hier und per E-Mail.');
    // An agent without a name, and the time of a message, in German.
    expect(q(root, '.m.agent .who').textContent).toBe('Support-Team');
    const last = history[2];
    expect(q(root, `.m[data-id="${last.id}"]`).getAttribute('title')).toBe(new Date(last.created_at).toLocaleString('de'));
  });

  it("before the session: the browser's language (the loading notice, html lang); then the session's", async () => {
    let answer!: (r: Reply) => void;
    const { root } = setup({ 'POST /api/v1/widget/sessions': () => new Promise<Reply>((r) => (answer = r)) }, { languages: ['fr-CA', 'en'] });
    await tick();
    expect(document.documentElement.lang).toBe('fr');
    expect(q(root, '.status').textContent).toBe('Connexion en cours…');
    expect(q(root, 'textarea').getAttribute('placeholder')).toBe('Écrivez votre message…');
    answer({ status: 201, body: { ...session(), language: 'nl', config: { ...session().config, greeting: '' } } });
    await settle();
    expect(document.documentElement.lang).toBe('nl');
    expect(q(root, '.status').textContent).toBe('');
    expect(q(root, 'textarea').getAttribute('placeholder')).toBe('Typ je bericht…');
    // No greeting configured: the widget's own, in the session's language.
    expect(texts(root, '.m .body')).toEqual(['Hoi! Waarmee kunnen we je vandaag helpen?']);
  });

  it('the status screens in the browser language (the server reason as it wrote it)', async () => {
    const { root } = setup(
      { 'POST /api/v1/widget/sessions': () => ({ status: 403, body: { error: { code: 'forbidden', message: 'This website is not allowed to use this widget.' } } }) },
      { languages: ['es-ES'] },
    );
    await settle();
    expect(q(root, '.notice strong').textContent).toBe('El chat no está disponible en este sitio web');
    const failing = setup({ 'POST /api/v1/widget/sessions': () => ({ status: 503, body: {} }) }, { languages: ['pt-BR'] });
    await settle();
    expect(texts(failing.root, '.notice > *')).toEqual(['Não foi possível iniciar o chat', 'Algo deu errado. Tente novamente.', 'Tentar novamente']);
  });

  it('typing, live chat, the away notice and a failed send in German', async () => {
    const { root } = setup({
      'POST /api/v1/widget/sessions': () => ({
        status: 201,
        body: { ...session([confirmation()], 0, TICKET), language: 'de', live: { agent_name: 'Sam', humans_online: false, visitor_email: null } },
      }),
      'POST /api/v1/widget/messages': () => ({ status: 500, body: { error: { code: 'internal', message: 'Interner Fehler.' } } }),
    });
    await settle();
    expect(q(root, '.sub').textContent).toBe('Sie chatten mit Sam');
    expect(q(root, '.away .at').textContent).toBe('Unser Team ist gerade nicht erreichbar. Hinterlassen Sie Ihre E-Mail-Adresse, dann antworten wir Ihnen per E-Mail.');
    expect(q(root, '.away form button').textContent).toBe('Senden');
    (q(root, '#hf-away-email') as HTMLInputElement).value = 'nope';
    (q(root, '.away form') as HTMLFormElement).dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
    expect(q(root, '#hf-away-err').textContent).toBe('Bitte geben Sie eine gültige E-Mail-Adresse ein, z. B. name@example.com.');
    FakeES.last!.emit('typing', { sender: 'agent', name: 'Sam', typing: true });
    await settle();
    expect(q(root, '.tw').textContent).toBe('Sam schreibt…');
    expect(q(root, '.typing').getAttribute('aria-label')).toBe('Sam schreibt');
    type(root, 'Hallo?');
    await settle();
    expect(q(root, '.err .etxt').textContent).toBe('Ihre Nachricht wurde nicht gesendet. Interner Fehler.');
    expect(texts(root, '.err button')).toEqual(['Erneut versuchen', 'Verwerfen']);
  });
});

describe('frame app: files dropped on the chat', () => {
  it('shows the drop hint while files are over the chat and sends a dropped file like a picked one', async () => {
    const file = { id: 'a1', filename: 'receipt.pdf', content_type: 'application/pdf', size: 3, url: '/api/v1/attachments/a1/content?exp=1&sig=ab', links_expire_at: '2026-12-03T12:00:00Z' };
    const { root, calls } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: session() }),
      'POST /api/v1/widget/attachments': () => ({ status: 201, body: file }),
      'POST /api/v1/widget/messages': () => ({ status: 201, body: { messages: [msg('visitor', '', { attachments: [file] })], ticket: null } }),
    });
    await settle();
    const shell = q(root, '.hf');
    const pdf = new File([new Uint8Array([1, 2, 3])], 'receipt.pdf', { type: 'application/pdf' });
    const drag = (type: string, files: File[], types = ['Files']) => {
      const e = new Event(type, { bubbles: true, cancelable: true });
      Object.defineProperty(e, 'dataTransfer', { value: { types, files, dropEffect: 'none' } });
      shell.dispatchEvent(e);
      return e;
    };
    // Text dragged over the chat is none of its business.
    expect(drag('dragenter', [], ['text/plain']).defaultPrevented).toBe(false);
    expect(shell.classList.contains('dropping')).toBe(false);
    expect(drag('dragenter', [pdf]).defaultPrevented).toBe(true);
    expect(shell.classList.contains('dropping')).toBe(true);
    expect(q(root, '.drop').textContent).toBe('Drop files to send them');
    expect(drag('drop', [pdf]).defaultPrevented).toBe(true);
    expect(shell.classList.contains('dropping')).toBe(false);
    await settle();
    expect(calls.find((c) => c.path.startsWith('/api/v1/widget/attachments'))?.path).toContain('filename=receipt.pdf');
    expect(calls.find((c) => c.path === '/api/v1/widget/messages')?.body).toMatchObject({ attachment_ids: ['a1'] });
  });
});
