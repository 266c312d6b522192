// @vitest-environment node
// The chat's session and state without any DOM: what it asks the server, what it keeps,
// what it tells the loader.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { visitorTokenKey, type ToLoader } from '../shared/protocol';
import { ChatSession } from './session';
import { asksForEmail, merge } from './state';
import { t } from './strings';
import { confirmation, FakeES, fakeApi, memoryStorage, msg, type Reply, type Route, session, settle } from './testing';

function setup(routes: Record<string, Route>, opts: { open?: boolean; storage?: Storage; languages?: string[] } = {}) {
  const { api, calls } = fakeApi({ 'POST /api/v1/widget/read': () => ({ status: 204 }), ...routes });
  const posted: ToLoader[] = [];
  const storage = opts.storage ?? memoryStorage();
  const s = new ChatSession({
    key: 'wk',
    api,
    storage,
    post: (m) => posted.push(m),
    EventSource: FakeES as unknown as typeof EventSource,
    languages: opts.languages ?? ['en-GB'],
  });
  let changes = 0;
  s.onChange(() => changes++);
  s.setOpen(opts.open ?? true);
  s.start({ page_url: 'https://shop.example/cart', referrer: '', locale: 'en-GB' });
  return { s, calls, posted, storage, changes: () => changes };
}

const ids = (s: ChatSession) => s.state.messages.map((m) => m.id);
const reads = (calls: ReturnType<typeof fakeApi>['calls']) => calls.filter((c) => c.path === '/api/v1/widget/read');
const lastUnread = (posted: ToLoader[]) => posted.filter((p) => p.event === 'unread').pop();

beforeEach(() => {
  FakeES.all = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe('session: starting', () => {
  it('opens the session, keeps the token, listens live and tells the loader', async () => {
    const { s, storage, posted, changes } = setup({ 'POST /api/v1/widget/sessions': () => ({ status: 201, body: session([msg('visitor', 'Hi')]) }) });
    expect(s.state.phase).toBe('connecting');
    await settle();
    expect(s.state).toMatchObject({ phase: 'ready', title: 'Acme Shop', greeting: 'Hi! Ask me anything.', color: '#4f46e5', unread: 0 });
    expect(storage.getItem(visitorTokenKey('wk'))).toBe('vt_1');
    // The stream opens with a single-use ticket minted with the token, never the token itself.
    expect(FakeES.all.map((e) => e.url)).toEqual(['https://handoff.example/api/v1/widget/events?ticket=hs_1']);
    expect(posted).toContainEqual({ event: 'conversation', payload: { active: true } });
    expect(changes()).toBeGreaterThanOrEqual(2);
  });

  it('resumes with the stored visitor token', async () => {
    const storage = memoryStorage();
    storage.setItem(visitorTokenKey('wk'), 'vt_old');
    const { calls } = setup({ 'POST /api/v1/widget/sessions': () => ({ status: 201, body: session() }) }, { storage });
    await settle();
    expect((calls[0].body as { visitor_token: string }).visitor_token).toBe('vt_old');
  });

  it('identify: the session carries the host user, starts again for another, and logout forgets the visitor', async () => {
    let n = 0;
    const { s, calls, storage } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: { ...session(), visitor_token: `vt_${++n}` } }),
    });
    const sessions = () => calls.filter((c) => c.path === '/api/v1/widget/sessions');
    await settle();
    expect(sessions()[0].body).not.toHaveProperty('identity');
    const pat = { user_id: 'u-1', email: 'pat@example.com', hash: 'ab12' };
    await s.identify(pat);
    expect(sessions()[1].body).toMatchObject({ identity: pat, visitor_token: 'vt_1' });
    // The same user again: nothing to do.
    await s.identify({ ...pat });
    expect(sessions()).toHaveLength(2);
    // Logged out: a new anonymous visitor, without the old token.
    await s.identify(null);
    const last = sessions().pop()!;
    expect(last.body).not.toHaveProperty('identity');
    expect(last.body).not.toHaveProperty('visitor_token');
    expect(storage.getItem(visitorTokenKey('wk'))).toBe('vt_3');
  });

  it('a rate-limited start says how long to wait', async () => {
    const { s } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 429, headers: { 'Retry-After': '120' }, body: { error: { code: 'rate_limited', message: 'Too many' } } }),
    });
    await settle();
    expect(s.state.phase).toBe('failed');
    expect(s.state.phaseError).toContain('Please wait 2 minutes');
    expect(FakeES.all).toHaveLength(0);
  });
});

describe('session: messages', () => {
  it('sends only when ready and not already sending; the answer replaces the pending copy', async () => {
    let answer!: (r: Reply) => void;
    const { s, calls } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: session() }),
      'POST /api/v1/widget/messages': () => new Promise<Reply>((r) => (answer = r)),
    });
    expect(s.say('too early')).toBe(false);
    await settle();
    expect(s.say('   ')).toBe(false);
    expect(s.say(' Where is my order? ')).toBe(true);
    expect(s.say('and another')).toBe(false);
    expect(s.state).toMatchObject({ sending: true, pending: [{ body: 'Where is my order?', state: 'sending' }] });
    const mine = msg('visitor', 'Where is my order?');
    answer({ status: 201, body: { messages: [mine, msg('assistant', 'Let me check.')], ticket: null } });
    await settle();
    expect(s.state).toMatchObject({ sending: false, pending: [] });
    expect(s.state.messages.map((m) => m.body)).toEqual(['Where is my order?', 'Let me check.']);
    expect(calls.filter((c) => c.path === '/api/v1/widget/messages')).toHaveLength(1);
  });

  it('live messages that arrive during a send are merged after it, once; other conversations are ignored', async () => {
    let answer!: (r: Reply) => void;
    const { s } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: session() }),
      'POST /api/v1/widget/messages': () => new Promise<Reply>((r) => (answer = r)),
    });
    await settle();
    s.say('Hi');
    const mine = msg('visitor', 'Hi');
    const bot = msg('assistant', 'Hello!');
    const agent = msg('agent', 'Dana here');
    for (const m of [mine, bot, agent, msg('agent', 'Not yours', { conversation_id: 'c2' })]) FakeES.last!.emit('message.created', m);
    FakeES.last!.emit('message.created', '{not json', true);
    expect(s.state.messages).toHaveLength(0);
    answer({ status: 201, body: { messages: [mine, bot], ticket: null } });
    await settle();
    expect(ids(s)).toEqual([mine.id, bot.id, agent.id]);
  });

  it('keeps the ticket confirmation with its action, as the server sent it', async () => {
    const answer = [msg('visitor', 'ann@example.com'), confirmation()];
    const { s } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: session() }),
      'POST /api/v1/widget/messages': () => ({ status: 201, body: { messages: answer, ticket: null } }),
    });
    await settle();
    s.say('ann@example.com');
    await settle();
    expect(s.state.messages.at(-1)?.action).toEqual({ type: 'ticket_created', ticket_id: 't1', number: 'TKT-10001' });
  });

  it('a ticket made from the email step knows where replies go: the away notice does not ask again', async () => {
    const answer = [msg('visitor', 'it is <Ann@Example.com>.'), confirmation()];
    const { s } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: { ...session(), live: { agent_name: null, humans_online: false, visitor_email: null } } }),
      'POST /api/v1/widget/messages': () => ({ status: 201, body: { messages: answer, ticket: { id: 't1', number: 'TKT-10001' } } }),
    });
    await settle();
    s.say('it is <Ann@Example.com>.');
    await settle();
    expect(s.state.expectation).toEqual({ kind: 'email', email: 'ann@example.com' });
  });

  it('email step: asked for by the last message, checked before sending', async () => {
    const { s, calls } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: session([msg('visitor', 'Refund please'), msg('assistant', 'Your email?', { action: { type: 'request_email' } })]) }),
      'POST /api/v1/widget/messages': (b) => ({ status: 201, body: { messages: [msg('visitor', (b as { body: string }).body)], ticket: null } }),
    });
    await settle();
    expect(s.state.emailRequested).toBe(true);
    expect(s.submitEmail('')).toBe('invalid');
    expect(s.state.emailError).toBe('Please enter your email address.');
    expect(s.submitEmail('ann@')).toBe('invalid');
    expect(s.state.emailError).toMatch(/valid email/);
    s.clearEmailError();
    expect(s.state.emailError).toBe('');
    expect(calls.filter((c) => c.path === '/api/v1/widget/messages')).toHaveLength(0);
    expect(s.submitEmail(' ann@example.com ')).toBe('sent');
    expect(s.state.emailRequested).toBe(false); // pending
    await settle();
    expect(s.state.emailRequested).toBe(false); // the visitor spoke last
  });

  it('a failed send can be retried or discarded', async () => {
    let n = 0;
    const { s, calls } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: session() }),
      'POST /api/v1/widget/messages': () => (++n < 3 ? { status: 503, body: { error: { code: 'unavailable', message: 'Try again soon.' } } } : { status: 201, body: { messages: [], ticket: null } }),
    });
    await settle();
    s.say('Hello?');
    await settle();
    expect(s.state.pending).toMatchObject([{ state: 'failed', error: "Your message wasn't sent. Try again soon." }]);
    s.retry(s.state.pending[0].local);
    await settle();
    expect(n).toBe(2);
    s.discard(s.state.pending[0].local);
    expect(s.state.pending).toEqual([]);
    // One Idempotency-Key per message, the same on its retry (the server stores it once).
    s.say('Another one');
    await settle();
    const keys = calls.filter((c) => c.method === 'POST' && c.path === '/api/v1/widget/messages').map((c) => c.key);
    expect(keys).toHaveLength(3);
    expect(keys[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).toMatch(/^[0-9a-f]{32}$/);
    expect(keys[2]).not.toBe(keys[0]);
  });
});

describe('session: live stream, unread and read receipts', () => {
  it('counts agent replies while closed, marks read on open, and restores the count when that fails', async () => {
    let readOk = false;
    const { s, calls, posted } = setup(
      {
        'POST /api/v1/widget/sessions': () => ({ status: 201, body: session([msg('visitor', 'Hi'), msg('agent', 'Answer while away')], 1) }),
        'POST /api/v1/widget/read': () => (readOk ? { status: 204 } : { status: 500, body: { error: { code: 'internal', message: 'x' } } }),
      },
      { open: false },
    );
    await settle();
    expect(lastUnread(posted)).toEqual({ event: 'unread', payload: { count: 1 } });
    FakeES.last!.emit('message.created', msg('assistant', 'Not counted'));
    FakeES.last!.emit('message.created', msg('agent', 'Another one'));
    expect(s.state.unread).toBe(2);
    expect(reads(calls)).toHaveLength(0);
    s.setOpen(true);
    expect(s.state.unread).toBe(0);
    await settle();
    expect(reads(calls)).toHaveLength(1);
    expect(lastUnread(posted)).toEqual({ event: 'unread', payload: { count: 2 } });
    readOk = true;
    s.onVisibilityChange();
    await settle();
    expect(reads(calls).map((c) => c.body)).toEqual([{ up_to: ids(s).at(-1) }, { up_to: ids(s).at(-1) }]);
    expect(lastUnread(posted)).toEqual({ event: 'unread', payload: { count: 0 } });
  });

  it('after a dropped stream, reopens it with a fresh ticket and fetches what was missed', async () => {
    const first = msg('visitor', 'Hi');
    const missed = msg('agent', 'Sent while you were offline');
    const { s, calls } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: session([first]) }),
      'GET /api/v1/widget/messages': () => ({ status: 200, body: { items: [missed] } }),
    });
    await settle();
    vi.useFakeTimers();
    FakeES.last!.opened();
    const dropped = FakeES.last!;
    dropped.dropped(false); // the server ended it (e.g. the token expired)
    expect(dropped.readyState).toBe(2); // closed: the browser must not retry a spent ticket
    await vi.advanceTimersByTimeAsync(250);
    vi.useRealTimers();
    expect(FakeES.all.map((e) => e.url.split('?')[1])).toEqual(['ticket=hs_1', 'ticket=hs_2']);
    FakeES.last!.opened();
    await settle();
    expect(calls.filter((c) => c.method === 'GET').map((c) => c.path)).toEqual([`/api/v1/widget/messages?after=${first.id}`]);
    expect(ids(s)).toEqual([first.id, missed.id]);
  });

  it('a resync event (more was missed than the server replays) fetches what was missed', async () => {
    const first = msg('visitor', 'Hi');
    const missed = msg('agent', 'One of many you missed');
    const { s, calls } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: session([first]) }),
      'GET /api/v1/widget/messages': () => ({ status: 200, body: { items: [missed] } }),
    });
    await settle();
    FakeES.last!.opened();
    FakeES.last!.emit('resync', { reason: 'too_many_missed' });
    await settle();
    expect(calls.filter((c) => c.method === 'GET').map((c) => c.path)).toEqual([`/api/v1/widget/messages?after=${first.id}`]);
    expect(ids(s)).toEqual([first.id, missed.id]);
  });

  it('a merged ticket: the session reopens on the surviving conversation, and its stream replaces the old one', async () => {
    const first = msg('visitor', 'Where is my parcel?');
    const reply = msg('agent', 'It arrives tomorrow.', { conversation_id: 'c2' });
    let merged = false;
    const { s, calls } = setup({
      'POST /api/v1/widget/sessions': () => ({
        status: 201,
        body: merged ? { ...session([{ ...first, conversation_id: 'c2' }]), conversation_id: 'c2' } : session([first]),
      }),
    });
    await settle();
    const old = FakeES.last!;
    old.opened();
    // The same conversation (a repeat): nothing to do.
    old.emit('conversation.merged', { conversation_id: 'c1' });
    await settle();
    expect(calls.filter((c) => c.path === '/api/v1/widget/sessions')).toHaveLength(1);
    merged = true;
    old.emit('conversation.merged', { conversation_id: 'c2' });
    await settle();
    expect(calls.filter((c) => c.path === '/api/v1/widget/sessions')).toHaveLength(2);
    expect(old.readyState).toBe(2);
    expect(FakeES.all).toHaveLength(2);
    // A reply on the surviving ticket reaches the visitor.
    FakeES.last!.emit('message.created', reply);
    expect(s.state.messages.map((m) => m.body)).toEqual(['Where is my parcel?', 'It arrives tomorrow.']);
  });

  it('a stream that never opens is retried with backoff', async () => {
    const { calls } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: session([msg('visitor', 'Hi')]) }),
      'GET /api/v1/widget/messages': () => ({ status: 200, body: { items: [] } }),
    });
    await settle();
    vi.useFakeTimers();
    FakeES.last!.dropped(true);
    await vi.advanceTimersByTimeAsync(1999);
    expect(FakeES.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeES.all).toHaveLength(2);
    FakeES.last!.dropped(true);
    await vi.advanceTimersByTimeAsync(3999);
    expect(FakeES.all).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeES.all).toHaveLength(3);
    vi.useRealTimers();
    FakeES.last!.opened();
    await settle();
    expect(calls.filter((c) => c.method === 'GET')).toHaveLength(1);
  });
});

describe('state rules', () => {
  it('merge keeps one copy per id, ordered by time', () => {
    const [a, b, c] = [msg('visitor', 'a'), msg('assistant', 'b'), msg('agent', 'c')];
    expect(merge([c, a], [b, a, { ...c, body: 'changed' }]).map((m) => m.body)).toEqual(['a', 'b', 'c']);
  });

  it('the email step lasts until the visitor speaks', () => {
    const ask = msg('assistant', 'Email?', { action: { type: 'request_email' } });
    expect(asksForEmail([ask])).toBe(true);
    expect(asksForEmail([ask, msg('agent', 'Also…')])).toBe(true);
    expect(asksForEmail([ask, msg('visitor', 'ann@example.com')])).toBe(false);
    expect(asksForEmail([confirmation()])).toBe(false);
  });
});

describe('session: files', () => {
  it('a pasted screenshot is uploaded under a name, then sent as a message with its attachment', async () => {
    const file = { id: 'a1', filename: 'x.png', content_type: 'image/png', size: 3, url: '/api/v1/attachments/a1/content?exp=1&sig=ab', links_expire_at: '2026-12-03T12:00:00Z' };
    const { s, calls } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: session() }),
      'POST /api/v1/widget/attachments': () => ({ status: 201, body: file }),
      'POST /api/v1/widget/messages': () => ({ status: 201, body: { messages: [msg('visitor', '', { attachments: [file] })] } }),
    });
    await settle();
    s.attach([new File([new Uint8Array([1, 2, 3])], 'image.png', { type: 'image/png' })]);
    expect(s.state.pending[0]).toMatchObject({ state: 'sending' });
    expect(s.state.pending[0].file).toMatch(/^screenshot-.*\.png$/);
    await settle();
    const upload = calls.find((c) => c.path.startsWith('/api/v1/widget/attachments'));
    expect(upload?.path).toMatch(/\?filename=screenshot-/);
    expect(upload?.body).toEqual({ blob: 'image/png', size: 3 });
    const sent = calls.find((c) => c.path === '/api/v1/widget/messages');
    expect(sent?.body).toMatchObject({ body: '', attachment_ids: ['a1'] });
    expect(s.state.pending).toEqual([]);
    expect(s.state.messages.at(-1)?.attachments?.[0].id).toBe('a1');
  });

  it('a refused file stays as a failed send with the server\'s reason, and nothing is sent', async () => {
    const { s, calls } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: session() }),
      'POST /api/v1/widget/attachments': () => ({ status: 415, body: { error: { code: 'unsupported_media_type', message: "Files of type text/html can't be attached." } } }),
    });
    await settle();
    s.attach([new File(['<b>x</b>'], 'page.html', { type: 'text/html' })]);
    await settle();
    expect(s.state.pending[0]).toMatchObject({ state: 'failed', file: 'page.html', error: "Files of type text/html can't be attached." });
    expect(calls.some((c) => c.path === '/api/v1/widget/messages')).toBe(false);
  });
});

describe('session: language', () => {
  it("speaks the browser's language until the session answers, then the session's", async () => {
    let answer!: (r: Reply) => void;
    const { s } = setup({ 'POST /api/v1/widget/sessions': () => new Promise<Reply>((r) => (answer = r)) }, { languages: ['it-IT', 'pt-BR'] });
    expect(s.state).toMatchObject({ lang: 'pt', phase: 'connecting', title: 'Chat' });
    answer({ status: 201, body: { ...session(), language: 'de' } });
    await settle();
    expect(s.state).toMatchObject({ lang: 'de', phase: 'ready', title: 'Acme Shop', greeting: 'Hi! Ask me anything.' });
  });

  it("the workspace's greeting as written, else the widget's own in the chat's language", async () => {
    const blank = { ...session(), language: 'fr', config: { ...session().config, greeting: '', workspace_name: '' } };
    const { s } = setup({ 'POST /api/v1/widget/sessions': () => ({ status: 201, body: blank }) });
    await settle();
    expect(s.state).toMatchObject({ lang: 'fr', greeting: 'Bonjour\u00a0! Comment pouvons-nous vous aider aujourd\'hui\u00a0?', title: 'Chat' });
  });

  it('a greeting never changed from the English default is the default in the chat\'s language', async () => {
    const stock = { ...session(), language: 'pt', config: { ...session().config, greeting: 'Hi! How can we help you today?' } };
    const { s } = setup({ 'POST /api/v1/widget/sessions': () => ({ status: 201, body: stock }) });
    await settle();
    expect(s.state).toMatchObject({ lang: 'pt', greeting: t('pt', 'greeting') });
    expect(t('pt', 'greeting')).not.toBe('Hi! How can we help you today?');
  });

  it("without a language from the server: the browser's, else the workspace's default", async () => {
    const old = () => {
      const { language: _, ...rest } = session();
      return { ...rest, config: { ...rest.config, default_language: 'nl' } };
    };
    const a = setup({ 'POST /api/v1/widget/sessions': () => ({ status: 201, body: old() }) }, { languages: ['es-MX'] });
    const b = setup({ 'POST /api/v1/widget/sessions': () => ({ status: 201, body: old() }) }, { languages: ['it'] });
    const c = setup({ 'POST /api/v1/widget/sessions': () => ({ status: 201, body: { ...session(), language: 'klingon' } }) }, { languages: [] });
    await settle();
    expect([a.s.state.lang, b.s.state.lang, c.s.state.lang]).toEqual(['es', 'nl', 'en']);
  });

  it("the widget's own error texts are in the chat's language; the server's reasons stay as it wrote them", async () => {
    let n = 0;
    const { s } = setup({
      'POST /api/v1/widget/sessions': () => ({ status: 201, body: { ...session([msg('visitor', 'Refund'), msg('assistant', 'Email?', { action: { type: 'request_email' } })]), language: 'de' } }),
      'POST /api/v1/widget/messages': () => {
        if (++n === 1) throw new TypeError('Failed to fetch'); // the network
        return n === 2 ? { status: 500, body: {} } : { status: 503, body: { error: { code: 'unavailable', message: 'Try again soon.' } } };
      },
    });
    await settle();
    expect(s.submitEmail('')).toBe('invalid');
    expect(s.state.emailError).toBe('Bitte geben Sie Ihre E-Mail-Adresse ein.');
    s.submitEmail('ann@');
    expect(s.state.emailError).toBe('Bitte geben Sie eine gültige E-Mail-Adresse ein, z. B. name@example.com.');
    s.submitEmail('ann@example.com');
    await settle();
    expect(s.state.pending[0].error).toBe('Der Server ist nicht erreichbar. Bitte prüfen Sie Ihre Internetverbindung.');
    s.retry(s.state.pending[0].local);
    await settle();
    expect(s.state.pending[0].error).toBe('Ihre Nachricht wurde nicht gesendet. Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.');
    s.retry(s.state.pending[0].local);
    await settle();
    expect(s.state.pending[0].error).toBe('Ihre Nachricht wurde nicht gesendet. Try again soon.');
  });

  it('a rate-limited start says how long to wait in the browser language', async () => {
    const { s } = setup(
      { 'POST /api/v1/widget/sessions': () => ({ status: 429, headers: { 'Retry-After': '120' }, body: { error: { code: 'rate_limited', message: 'Too many' } } }) },
      { languages: ['de-DE'] },
    );
    await settle();
    expect(s.state).toMatchObject({ lang: 'de', phase: 'failed' });
    expect(s.state.phaseError).toContain('Bitte warten Sie 2 Minuten');
  });
});
