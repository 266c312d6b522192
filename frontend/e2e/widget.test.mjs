// The embeddable widget, end to end in headless Chromium, on a host page served from a
// DIFFERENT origin than the Handoff server (as on a real customer site):
// launcher → answerable question → refund → email step (invalid rejected) → TKT- card →
// live agent reply → reload keeps history → unread badge after being away → 390 px phone
// layout → a page whose origin is not allowed cannot open a session.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { api, chromiumArgs, chromiumPath, freePort, repoRoot, startServer } from './support/server.mjs';

const OUT = path.join(repoRoot, 'test-output');
const T = 20_000;

let server;
let owner; // api client with the owner's token
let ws;
let browser;
let context;
const hosts = [];
let allowedUrl;
let blockedUrl;
let ticketRef = null;

/** A tiny customer site on its own port: a shop page embedding the widget script. */
async function hostSite(title, handoffUrl, widgetKey) {
  const port = await freePort();
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<style>body{font:16px/1.5 Georgia,serif;margin:0;background:#fbf8f3;color:#2b2118}
header{padding:20px 28px;font-size:24px;font-weight:700}main{padding:0 28px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:16px}
.grid div{background:#fff;border:1px solid #eadfce;border-radius:12px;height:150px}</style></head>
<body><header>${title}</header><main><p>Everyday goods, shipped fast.</p>
<a href="#top" id="host-link">Host page link</a>
<div class="grid"><div></div><div></div><div></div><div></div></div></main>
<script src="${handoffUrl}/widget.js" data-key="${widgetKey}" async></script></body></html>`;
  const srv = http.createServer((req, res) => {
    if (req.url === '/' || req.url.startsWith('/?')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((r) => srv.listen(port, '127.0.0.1', r));
  hosts.push(srv);
  return `http://127.0.0.1:${port}`;
}

function ok(res, what, status = [200, 201, 204]) {
  assert.ok([].concat(status).includes(res.status), `${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const launcher = (page) => page.locator('#handoff-widget button[aria-expanded]');
const chat = (page) => page.frameLocator('#handoff-widget iframe[title="Chat"]');

async function shot(page, name) {
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: path.join(OUT, `widget-${name}.png`) });
}

async function openChat(page) {
  await launcher(page).click();
  const input = chat(page).getByRole('textbox', { name: 'Message' });
  await input.waitFor({ timeout: T });
  await chat(page).locator('textarea:not([disabled])').waitFor({ timeout: T });
  return input;
}

async function ask(page, text) {
  const frame = chat(page);
  const before = await frame.locator('.m:not(.visitor)').count();
  const input = frame.getByRole('textbox', { name: 'Message' });
  await input.fill(text);
  await input.press('Enter');
  await frame.locator('.m.visitor .body', { hasText: text }).last().waitFor({ timeout: T });
  // Wait for the answer: typing indicator gone and a new non-visitor message.
  await frame.locator('.typing[hidden]').waitFor({ state: 'attached', timeout: T });
  await frame.locator('.m:not(.visitor)').nth(before).waitFor({ timeout: T });
}

async function agentReply(body) {
  return ok(
    await owner('POST', `/api/v1/workspaces/${ws.id}/tickets/${encodeURIComponent(ticketRef)}/replies`, { body, email_visitor: false }),
    'agent reply',
  );
}

before(async () => {
  server = await startServer();
  const reg = ok(
    await api(server.url)('POST', '/api/v1/auth/register', { email: 'owner@acme.test', password: 'correct horse battery staple', name: 'Dana Owner' }),
    'register',
  );
  owner = api(server.url, reg.access_token);
  ws = ok(await owner('POST', '/api/v1/workspaces', { name: 'Acme Shop' }), 'create workspace');
  server.setPlan(ws.id, 'standard');
  ok(await owner('PUT', `/api/v1/workspaces/${ws.id}/ticket-settings`, { enabled: true, notification_email: 'support@acme.test' }), 'enable tickets');
  ok(
    await owner('POST', `/api/v1/workspaces/${ws.id}/articles`, {
      title: 'Shipping times',
      body: 'How long does shipping take? Orders ship within 1 business day. Standard shipping takes 3 to 5 business days; express shipping arrives in 1 to 2 business days.',
    }),
    'create article',
  );
  allowedUrl = await hostSite('Acme Shop', server.url, ws.widget_key);
  blockedUrl = await hostSite('Copycat Shop', server.url, ws.widget_key);
  assert.notEqual(new URL(allowedUrl).origin, new URL(server.url).origin);
  ok(await owner('PATCH', `/api/v1/workspaces/${ws.id}`, { allowed_origins: [allowedUrl], widget_color: '#0f766e' }), 'allowed origins + colour');
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
});

after(async () => {
  await browser?.close();
  for (const s of hosts) s.close();
  await server?.stop();
});

describe('chat widget on a customer site (different origin)', () => {
  test('answer, refund → email (invalid rejected) → ticket card, live agent reply', async () => {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(allowedUrl);
    await launcher(page).waitFor({ timeout: T });
    assert.equal(await launcher(page).getAttribute('aria-label'), 'Open chat');
    // Launcher colour comes from the workspace config (GET /api/v1/widget/config, cross-origin).
    await page.waitForFunction(
      () => getComputedStyle(document.querySelector('#handoff-widget').shadowRoot.querySelector('button.l')).backgroundColor === 'rgb(15, 118, 110)',
      null,
      { timeout: T },
    );
    assert.equal(await page.locator('#handoff-widget iframe').count(), 0, 'no iframe before the first open');
    await shot(page, 'desktop-closed');

    const input = await openChat(page);
    const frame = chat(page);
    await frame.getByText('Acme Shop', { exact: true }).waitFor({ timeout: T });
    // Focus moved into the chat.
    await page.waitForFunction(() => document.activeElement?.id === 'handoff-widget', null, { timeout: T });
    assert.equal(await frame.locator('textarea').evaluate((el) => el === document.activeElement), true, 'composer focused');
    // Focus stays in the chat while it is open (Tab and Shift+Tab cycle inside).
    for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
      await page.keyboard.press(key);
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'handoff-widget', `focus left the chat after ${key}`);
    }

    await ask(page, 'How long does shipping take?');
    const answer = await frame.locator('.m.assistant .body').last().textContent();
    assert.match(answer, /business day|ship/i, `assistant answered from the article: ${answer}`);

    // Shift+Enter is a newline, not a send.
    await input.fill('line one');
    await input.press('Shift+Enter');
    assert.equal(await input.inputValue(), 'line one\n');
    await input.fill('');

    await ask(page, 'I want a refund for my order');
    const email = frame.getByRole('textbox', { name: 'Your email address' });
    // The assistant may offer first and ask for the email after the visitor accepts.
    if (!(await email.isVisible())) await ask(page, 'Yes, please create a ticket');
    await email.waitFor({ timeout: T });
    assert.equal(await email.getAttribute('type'), 'email');

    const visitorCount = await frame.locator('.m.visitor').count();
    await email.fill('not-an-email');
    await email.press('Enter');
    await frame.getByText('Please enter a valid email address', { exact: false }).waitFor({ timeout: T });
    assert.equal(await email.getAttribute('aria-invalid'), 'true');
    assert.equal(await frame.locator('.m.visitor').count(), visitorCount, 'invalid email is not sent');
    await shot(page, 'desktop-email-invalid');

    await email.fill('ann@example.com');
    await email.press('Enter');
    const card = frame.locator('.card');
    await card.waitFor({ timeout: T });
    const number = (await card.locator('.cn').textContent()).trim();
    assert.match(number, /^TKT-\d+$/);
    ticketRef = number;
    await shot(page, 'desktop-ticket');

    // An agent answers from the dashboard/API: it appears live, with the agent's name.
    await agentReply('Hi Ann, I have started your refund. It will reach your card in 3 days.');
    const live = frame.locator('.m.agent', { hasText: 'I have started your refund' });
    await live.waitFor({ timeout: T });
    assert.match(await live.locator('.who').textContent(), /Dana/);
    await shot(page, 'desktop-agent-reply');

    // Escape closes; focus returns to the launcher.
    await page.keyboard.press('Escape');
    await page.locator('#handoff-widget .p').waitFor({ state: 'hidden', timeout: T });
    assert.equal(await launcher(page).getAttribute('aria-label'), 'Open chat');
    assert.equal(await page.evaluate(() => document.getElementById('handoff-widget').shadowRoot.activeElement?.className), 'l');
    assert.deepEqual(errors, []);

    // Reload: the conversation is still there, and nothing is unread.
    await page.reload();
    await launcher(page).waitFor({ timeout: T });
    await openChat(page);
    for (const text of ['How long does shipping take?', 'I want a refund for my order', 'ann@example.com', 'I have started your refund']) {
      await frame.getByText(text, { exact: false }).first().waitFor({ timeout: T });
    }
    await launcher(page).click();
    assert.equal(await page.locator('#handoff-widget .b').isHidden(), true, 'no unread badge after reading');
    await page.close();
  });

  test('away visitor: a reply sent while the page is closed shows as an unread badge of 1', async () => {
    assert.ok(ticketRef, 'needs the ticket from the previous test');
    await agentReply('One more thing: your refund went through today.');
    const page = await context.newPage();
    await page.goto(allowedUrl);
    const badge = page.locator('#handoff-widget .b');
    await badge.waitFor({ state: 'visible', timeout: T });
    assert.equal((await badge.textContent()).trim(), '1');
    assert.equal(await launcher(page).getAttribute('aria-label'), 'Open chat, 1 unread message');
    await shot(page, 'desktop-unread-badge');
    await openChat(page);
    await chat(page).getByText('your refund went through today').waitFor({ timeout: T });
    await badge.waitFor({ state: 'hidden', timeout: T });
    // The frame was preloaded hidden for the badge; opened, it shows the newest reply, not the
    // top of a conversation longer than the chat.
    const log = await chat(page).locator('.log').evaluate((l) => ({ top: l.scrollTop, height: l.scrollHeight, view: l.clientHeight }));
    assert.ok(log.height > log.view + 100, `the conversation is longer than the chat: ${JSON.stringify(log)}`);
    assert.ok(log.height - log.top - log.view < 2, `opened at the end of the conversation: ${JSON.stringify(log)}`);
    await shot(page, 'desktop-reopened-after-reload');
    await page.close();
  });

  test('390 px phone: the chat is full screen and keyboard usable', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await phone.newPage();
    await page.goto(allowedUrl);
    await launcher(page).waitFor({ timeout: T });
    await page.locator('#handoff-widget .w.r').waitFor({ state: 'attached', timeout: T }); // faded in with its colour
    await page.waitForTimeout(250);
    await shot(page, 'phone-closed');
    await openChat(page);
    const box = await page.locator('#handoff-widget iframe').boundingBox();
    assert.equal(Math.round(box.width), 390);
    assert.equal(Math.round(box.height), 844);
    // A failed send shows inline with Retry; Retry sends the same text again.
    let failed = 0;
    await phone.route('**/api/v1/widget/messages', async (route) => {
      if (route.request().method() === 'POST' && failed === 0) {
        failed++;
        await route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'unavailable', message: 'The service is temporarily unavailable.' } }) });
      } else await route.continue();
    });
    const frame = chat(page);
    const input = frame.getByRole('textbox', { name: 'Message' });
    await input.fill('How long does shipping take?');
    await input.press('Enter');
    const err = frame.locator('.err');
    await err.waitFor({ timeout: T });
    assert.match(await err.textContent(), /wasn't sent/);
    await shot(page, 'phone-send-error');
    await err.getByRole('button', { name: 'Retry' }).click();
    await frame.locator('.m.assistant').nth(1).waitFor({ timeout: T });
    assert.equal(await frame.locator('.err').count(), 0);
    assert.equal(await frame.locator('.m.visitor').count(), 1, 'the retried message is shown once');
    assert.equal(failed, 1);
    await shot(page, 'phone-open');
    // The in-chat close button closes the full-screen panel.
    await chat(page).getByRole('button', { name: 'Close chat' }).click();
    await page.locator('#handoff-widget .p').waitFor({ state: 'hidden', timeout: T });
    await launcher(page).waitFor({ state: 'visible', timeout: T });
    await phone.close();
  });

  test('a page whose origin is not allowed cannot open a session', async () => {
    // The API refuses the session for that page origin.
    const res = await api(server.url)('POST', '/api/v1/widget/sessions', {
      widget_key: ws.widget_key,
      page_url: `${blockedUrl}/`,
      referrer: '',
      locale: 'en',
    });
    assert.equal(res.status, 403, JSON.stringify(res.body));

    // The frame is not embeddable there either, and the visitor sees a clear message.
    const page = await context.newPage();
    const sessionCalls = [];
    page.on('response', (r) => {
      if (r.url().includes('/api/v1/widget/sessions')) sessionCalls.push(r.status());
    });
    await page.goto(blockedUrl);
    await launcher(page).click();
    const inLoader = page.locator('#handoff-widget .u');
    const inFrame = chat(page).locator('.notice');
    // With frame-ancestors the browser refuses the frame (the loader says so); without it
    // the frame's session call gets 403 (the frame says so). Either way: a clear message.
    let text = '';
    for (const deadline = Date.now() + T; !text && Date.now() < deadline; await page.waitForTimeout(200)) {
      if (await inLoader.isVisible()) text = await inLoader.textContent();
      else if (await inFrame.isVisible().catch(() => false)) text = await inFrame.textContent();
    }
    assert.match(text, /unavailable/i);
    assert.ok(sessionCalls.every((s) => s === 403), `no session opened: ${sessionCalls}`);
    await shot(page, 'desktop-blocked-origin');
    await page.close();

    const frameRes = await fetch(`${server.url}/widget/frame?key=${encodeURIComponent(ws.widget_key)}`);
    const csp = frameRes.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors/);
    assert.ok(csp.includes(new URL(allowedUrl).origin), csp);
  });
});
