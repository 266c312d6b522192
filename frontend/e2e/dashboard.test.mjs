// The dashboard's whole workday in a real browser against the real server and database:
// sign up → create a workspace (standard) → enable tickets → a visitor conversation through
// the widget API creates a ticket → it appears live in the list → filter → open it →
// Assign to me → In Progress → reply → the visitor sees the reply → Resolved → Closed → Reopen.
// Screenshots of the list and the detail page at 1280 px and 390 px go to <repo>/test-output/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { api, chromiumArgs, chromiumPath, repoRoot, startServer } from './support/server.mjs';

const out = path.join(repoRoot, 'test-output');
mkdirSync(out, { recursive: true });

let server;
let browser;

before(async () => {
  // The test plays the CDN in front of the server: its country header is believed only
  // from a trusted proxy.
  server = await startServer({ TRUSTED_PROXIES: '127.0.0.1' });
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * An access token of the signed-in dashboard page, the way the page gets one: a refresh by
 * cookie from the page's own origin (under the page's refresh lock, so the two never race).
 */
/** Full-page screenshots at 1280 and 390 px wide. */
async function shotsOf(page, name) {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: path.join(out, `${name}-1280.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(out, `${name}-390.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function dashboardAccessToken(page) {
  const body = await page.evaluate(() =>
    navigator.locks.request('handoff-token-refresh', async () => {
      const res = await fetch('/api/v1/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      return res.json();
    }),
  );
  assert.ok(body.access_token, JSON.stringify(body));
  return body.access_token;
}

/** The accept link of the newest invitation mailed to `to` (file mail under DATA_DIR/mail). */
async function invitationLink(dataDir, to) {
  return mailLink(dataDir, to, /https?:\/\/[^\s"<>]+(?:invitations\/accept|accept-invite)\?token=[A-Za-z0-9_\-.~%]+/);
}

/** The first link matching `re` in a mail to `to` (file mail under DATA_DIR/mail). */
async function mailLink(dataDir, to, re) {
  const dir = path.join(dataDir, 'mail');
  const deadline = Date.now() + 15_000;
  for (;;) {
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.eml')) : [];
    for (const f of files) {
      const raw = readFileSync(path.join(dir, f), 'utf8');
      const text = raw.replace(/=\r?\n/g, '').replace(/=3D/gi, '=');
      if (!text.includes(to)) continue;
      const m = text.match(re);
      if (m) return m[0];
    }
    if (Date.now() > deadline) throw new Error(`no mail for ${to} matching ${re} under ${dir}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Chats as a visitor until the assistant creates a ticket; returns { visitorToken, ticket }. */
async function visitorCreatesTicket(base, widgetKey) {
  const headers = {
    'content-type': 'application/json',
    'x-country-code': 'DE',
    'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  };
  const post = async (p, body, token) => {
    const r = await fetch(base + p, { method: 'POST', headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
  const session = await post('/api/v1/widget/sessions', { widget_key: widgetKey, page_url: 'https://shop.example.com/orders/1234', locale: 'en' });
  assert.equal(session.status, 201, `widget session: ${JSON.stringify(session.body)}`);
  const token = session.body.visitor_token;
  const script = ['I want a refund for my order', 'jane@example.com'];
  let ticket = null;
  for (let i = 0; i < 5 && !ticket; i++) {
    // After the refund request the assistant asks for the email; accept an offer if it asks first.
    const body = script[i] ?? 'jane@example.com';
    const r = await post('/api/v1/widget/messages', { body, page_url: 'https://shop.example.com/orders/1234' }, token);
    assert.equal(r.status, 201, `widget message: ${JSON.stringify(r.body)}`);
    ticket = r.body.ticket;
    const last = r.body.messages.at(-1);
    if (!ticket && i === 0 && !(last?.action?.type === 'request_email')) script.splice(1, 0, 'Yes, please create a ticket');
  }
  assert.ok(ticket, 'the assistant created a ticket');
  return { visitorToken: token, ticket };
}

test('a ticket from a widget conversation is worked through its whole workflow in the dashboard', async () => {
  const base = server.url;
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  try {
    await workday(page, base, consoleErrors);
  } catch (err) {
    await page.screenshot({ path: path.join(out, 'dashboard-failure.png'), fullPage: true }).catch(() => undefined);
    throw err;
  } finally {
    await ctx.close();
  }
});

async function workday(page, base, consoleErrors) {

  // Sign up.
  await page.goto(`${base}/signup`);
  await page.getByLabel('Your name').fill('Sam Agent');
  await page.getByLabel('Work email').fill('sam@acme.test');
  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Create account' }).click();

  // Create a workspace (on Free); the instance operator puts it on Standard.
  await page.waitForURL('**/workspaces/new');
  await page.getByLabel('Workspace name').fill('Acme Shop');
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await page.waitForURL(/\/w\/[0-9a-f-]+\/tickets$/);
  const ws = new URL(page.url()).pathname.split('/')[2];
  await page.getByText('Support tickets are available on the Standard and Pro plans.').waitFor();
  server.setPlan(ws, 'standard');
  await page.reload();

  // Enable tickets in one step.
  const email = page.getByLabel('Notification email');
  await email.fill('support@acme.test');
  await page.getByRole('button', { name: 'Enable' }).click();
  await page.getByText('No tickets yet').waitFor();
  const filters = page.getByRole('group', { name: 'Filter tickets' });
  await filters.waitFor();

  // The widget key, read with the dashboard's own token.
  const me = api(base, await dashboardAccessToken(page));
  const session = { user: (await me('GET', '/api/v1/me')).body };
  const wsRes = await me('GET', `/api/v1/workspaces/${ws}`);
  assert.equal(wsRes.status, 200);

  // A visitor asks for a refund; the assistant hands off to a ticket. It shows up live.
  const { visitorToken, ticket } = await visitorCreatesTicket(base, wsRes.body.widget_key);
  const num = typeof ticket.number === 'number' ? `TKT-${ticket.number}` : String(ticket.number).startsWith('TKT-') ? ticket.number : `TKT-${ticket.number}`;
  const row = page.locator(`[data-ticket="${num}"]`);
  await row.waitFor({ timeout: 15_000 });
  await page.getByText(`New ticket ${num}`).waitFor();
  assert.match(await row.innerText(), /jane@example\.com/);
  // Counts refresh live too.
  await filters.getByRole('button', { name: 'Open 1 ticket', exact: true }).waitFor();
  await filters.getByRole('button', { name: 'All 1 ticket', exact: true }).waitFor();

  // Filters.
  await filters.getByRole('button', { name: /^Closed/ }).click();
  await page.getByText('No tickets match these filters').waitFor();
  await filters.getByRole('button', { name: /^Open/ }).click();
  await row.waitFor();
  assert.match(page.url(), /filter=open/);
  await page.getByLabel('Search tickets').fill('refund');
  await page.waitForURL(/q=refund/);
  await row.waitFor();
  await page.getByLabel('Search tickets').fill('');
  await filters.getByRole('button', { name: /^All/ }).click();
  await page.waitForURL((u) => u.pathname.endsWith('/tickets') && u.search === '');
  await row.waitFor();

  // Screenshots of the list.
  await page.screenshot({ path: path.join(out, 'dashboard-list-1280.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await row.waitFor();
  await page.screenshot({ path: path.join(out, 'dashboard-list-390.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });

  // Open it with the keyboard: rows are links with a visible focus ring.
  await page.getByLabel('Search tickets').focus();
  let focusedRow = false;
  for (let i = 0; i < 8 && !focusedRow; i++) {
    await page.keyboard.press('Tab');
    focusedRow = await page.evaluate((n) => document.activeElement?.getAttribute('data-ticket') === n, num);
  }
  assert.ok(focusedRow, 'the ticket row is reachable with Tab');
  const ring = await page.evaluate(() => getComputedStyle(document.activeElement).boxShadow);
  assert.notEqual(ring, 'none', 'the focused row shows a focus ring');
  await page.keyboard.press('Enter');
  await page.waitForURL(new RegExp(`/tickets/${num}$`));
  await page.getByRole('heading', { name: num }).waitFor();
  await page.getByText('I want a refund for my order').first().waitFor();
  await page.getByText('Germany').waitFor();

  // Assign to me.
  await page.getByRole('button', { name: 'Assign to me' }).click();
  await page.getByRole('button', { name: /Assigned to you/ }).waitFor();
  assert.equal(await page.getByLabel('Assigned To').inputValue(), session.user.id);

  // In Progress.
  const statusGroup = page.getByRole('group', { name: 'Change status' });
  await statusGroup.getByRole('button', { name: 'In Progress' }).click();
  await page.locator('.ticket-head .badge').filter({ hasText: 'In Progress' }).waitFor();

  // Reply.
  const replyText = 'Hi Jane, your refund for order 1234 is on its way.';
  await page.getByLabel('Your reply').fill(replyText);
  await page.getByRole('button', { name: 'Send' }).click();
  await page.locator('.msg-agent .msg-body', { hasText: replyText }).waitFor();

  // The visitor sees the reply through the widget API.
  const visitor = api(base, visitorToken);
  const msgs = await visitor('GET', '/api/v1/widget/messages');
  assert.equal(msgs.status, 200);
  assert.ok(msgs.body.items.some((m) => m.sender === 'agent' && m.body === replyText), 'the visitor API returns the agent reply');

  // The visitor answers; the open detail page shows it live.
  const answer = await visitor('POST', '/api/v1/widget/messages', { body: 'Thanks, that was quick!' });
  assert.equal(answer.status, 201);
  await page.locator('.msg-visitor .msg-body', { hasText: 'Thanks, that was quick!' }).waitFor({ timeout: 15_000 });

  // Screenshots of the detail page.
  for (const close of await page.getByRole('button', { name: 'Dismiss notification' }).all()) await close.click();
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(out, 'dashboard-detail-1280.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(out, 'dashboard-detail-390.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });

  // Resolved → Closed → Reopen; only the allowed moves are offered at each step.
  await statusGroup.getByRole('button', { name: 'Resolved' }).click();
  await page.locator('.ticket-head .badge').filter({ hasText: 'Resolved' }).waitFor();
  assert.deepEqual(await statusGroup.getByRole('button').allInnerTexts(), ['Closed', 'Reopen']);
  await statusGroup.getByRole('button', { name: 'Closed' }).click();
  await page.locator('.ticket-head .badge').filter({ hasText: 'Closed' }).waitFor();
  assert.deepEqual(await statusGroup.getByRole('button').allInnerTexts(), ['Reopen']);
  await statusGroup.getByRole('button', { name: 'Reopen' }).click();
  await page.locator('.ticket-head .badge').filter({ hasText: 'Open' }).waitFor();

  // The conversation behind the ticket, read-only, links back to it.
  await page.getByRole('link', { name: 'Open conversation' }).click();
  await page.getByRole('heading', { name: 'Conversation with jane@example.com' }).waitFor();
  await page.locator('.msg-agent .msg-body', { hasText: replyText }).waitFor();
  await page.getByRole('link', { name: `Open ticket ${num}` }).waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Conversations' }).click();
  await page.locator('.conv-row').filter({ hasText: 'jane@example.com' }).filter({ hasText: num }).waitFor();
  await page.locator('.conv-row').filter({ hasText: num }).click();
  await page.getByRole('link', { name: `Open ticket ${num}` }).click();
  await page.getByRole('heading', { name: num }).waitFor();

  // The server agrees, and the timeline recorded it.
  const final = await me('GET', `/api/v1/workspaces/${ws}/tickets/${num}`);
  assert.equal(final.status, 200);
  assert.equal(final.body.ticket.status, 'open');
  assert.equal(final.body.ticket.assignee?.id, session.user.id);
  await page.locator('.timeline li').nth(4).waitFor();

  assert.deepEqual(consoleErrors.filter((e) => !/favicon|ERR_ABORTED|net::ERR/.test(e)), []);
}

test('setup screens: widget snippet and allowed origins, team invite, API key shown once, silent token refresh, log out', async () => {
  const base = server.url;
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const page = await ctx.newPage();
  try {
    // Sign up through the API (the UI path is covered above), then log in through the UI.
    const anon = api(base);
    const reg = await anon('POST', '/api/v1/auth/register', { email: 'owner@acme.test', password: 'correct horse battery staple', name: 'Olive Owner' });
    assert.equal(reg.status, 201);
    const owner = api(base, reg.body.access_token);
    const created = await owner('POST', '/api/v1/workspaces', { name: 'Setup Shop' });
    server.setPlan(created.body.id, 'pro');
    assert.equal(created.status, 201);
    const ws = created.body.id;

    await page.goto(`${base}/login`);
    await page.getByLabel('Email').fill('owner@acme.test');
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(new RegExp(`/w/${ws}/tickets`));

    // A new account confirms its address (the link mailed at sign-up) before it invites.
    await page.getByText('Confirm your email address.').waitFor();
    await page.screenshot({ path: path.join(out, 'dashboard-verify-banner-1280.png') });
    const verify = await mailLink(server.dataDir, 'owner@acme.test', /https?:\/\/[^\s"<>]+\/verify-email\?token=ev_[A-Za-z0-9_]+/);
    assert.ok(verify.startsWith(`${base}/verify-email?token=ev_`), verify);
    await page.goto(verify);
    await page.getByText('Your email address owner@acme.test is confirmed.').waitFor();
    const meLoaded = page.waitForResponse((r) => r.url().endsWith('/api/v1/me') && r.status() === 200);
    await page.goto(`${base}/w/${ws}/tickets`);
    await meLoaded;
    await page.getByRole('link', { name: 'Widget' }).waitFor();
    // The confirmed user's /me renders without the banner.
    await page.getByText('Confirm your email address.').waitFor({ state: 'detached', timeout: 5000 });

    // Widget install: the snippet with this workspace's key, copyable.
    await page.getByRole('link', { name: 'Widget' }).click();
    const snippet = `<script src="${base}/widget.js" data-key="${created.body.widget_key}" async></script>`;
    await page.getByText(snippet).waitFor();
    await page.getByRole('button', { name: 'Copy widget snippet' }).click();
    await page.getByText('Copied').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), snippet);

    // Allowed origins: add one (normalised to its origin) and save.
    await page.getByLabel('Add a website').fill('https://shop.example.com/some/page');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByText('https://shop.example.com', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Save websites' }).click();
    await page.getByText('Saved.').waitFor();
    const wsNow = await owner('GET', `/api/v1/workspaces/${ws}`);
    assert.deepEqual(wsNow.body.allowed_origins, ['https://shop.example.com']);

    // Team: invite an agent; the invitation is listed as pending.
    await page.getByRole('link', { name: 'Team' }).click();
    await page.locator('.member').filter({ hasText: 'owner@acme.test' }).waitFor();
    await page.getByLabel('Email').fill('agent@acme.test');
    await page.getByLabel('Role', { exact: true }).selectOption('agent');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByText('Invitation sent to agent@acme.test').waitFor();
    await page.getByRole('heading', { name: 'Pending invitations' }).waitFor();

    // The invitee follows the emailed link, signs up and lands in the workspace.
    const link = await invitationLink(server.dataDir, 'agent@acme.test');
    assert.ok(link.startsWith(`${base}/invitations/accept?token=`), link);
    const invitee = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const ip = await invitee.newPage();
    await ip.goto(link);
    await ip.waitForURL(/\/login\?next=/);
    await ip.getByRole('link', { name: 'Create an account' }).click();
    await ip.getByLabel('Your name').fill('Andy Agent');
    await ip.getByLabel('Work email').fill('agent@acme.test');
    await ip.getByLabel('Password').fill('correct horse battery staple');
    await ip.getByRole('button', { name: 'Create account' }).click();
    await ip.waitForURL(new RegExp(`/w/${ws}/tickets`));
    // Agents don't see the admin screens.
    await ip.getByRole('button', { name: 'Menu' }).click();
    await ip.getByRole('link', { name: 'Conversations' }).waitFor();
    assert.equal(await ip.getByRole('link', { name: 'API keys' }).count(), 0);
    await invitee.close();
    await page.reload();
    await page.locator('.member').filter({ hasText: 'agent@acme.test' }).waitFor();

    // API keys: read-only unless more is chosen; shown once; scoped; revocable.
    await page.getByRole('link', { name: 'API keys' }).click();
    assert.equal(await page.getByRole('checkbox', { name: /Read tickets/ }).isChecked(), true);
    assert.equal(await page.getByRole('checkbox', { name: /Work tickets/ }).isChecked(), false);
    await page.getByLabel('Name', { exact: true }).fill('Reporting');
    await page.getByRole('button', { name: 'Create key' }).click();
    const reader = (await page.locator('.secret-value').innerText()).trim();
    assert.match(reader, /^hk_/);
    assert.equal((await api(base, reader)('GET', `/api/v1/workspaces/${ws}/tickets`)).status, 200);
    const refused = await api(base, reader)('POST', `/api/v1/workspaces/${ws}/tickets`, { visitor_email: 'crm@example.com', summary: 'From the CRM' });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'missing_scope');
    assert.match(refused.body.error.message, /tickets:write/);
    await page.getByRole('button', { name: 'I’ve saved it' }).click();
    await page.locator('.secret-value').waitFor({ state: 'detached' });
    // A second key that works tickets and reads the knowledge base.
    await page.getByLabel('Name', { exact: true }).fill('CRM sync');
    await page.getByRole('checkbox', { name: /Work tickets/ }).check();
    await page.getByRole('checkbox', { name: /Read the knowledge base/ }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.locator('.secret-value').innerText()).trim();
    assert.match(key, /^hk_/);
    const byKey = await api(base, key)('POST', `/api/v1/workspaces/${ws}/tickets`, { visitor_email: 'crm@example.com', summary: 'From the CRM' });
    // Its scope is enough; this workspace has tickets switched off, which the API says next.
    assert.equal(byKey.status, 409, JSON.stringify(byKey.body));
    assert.equal(byKey.body.error.code, 'tickets_disabled');
    assert.equal((await api(base, key)('GET', `/api/v1/workspaces/${ws}/articles`)).status, 200);
    assert.equal((await api(base, key)('GET', `/api/v1/workspaces/${ws}/webhooks`)).status, 403);
    await page.getByRole('button', { name: 'I’ve saved it' }).click();
    const crmRow = page.locator('.key').filter({ hasText: 'CRM sync' });
    await crmRow.getByLabel('Scopes of CRM sync').getByText('tickets:write').waitFor();
    assert.deepEqual(await crmRow.locator('.scope-pill').allInnerTexts(), ['tickets:read', 'tickets:write', 'kb:read']);
    assert.deepEqual(await page.locator('.key').filter({ hasText: 'Reporting' }).locator('.scope-pill').allInnerTexts(), ['tickets:read']);
    await page.getByRole('heading', { name: 'Connect an AI client (MCP)' }).waitFor();
    assert.equal((await page.locator('.mcp-url code').innerText()).trim(), `${base}/mcp`);
    await shotsOf(page, 'dashboard-api-keys');
    page.once('dialog', (d) => d.accept());
    await crmRow.getByRole('button', { name: 'Revoke' }).click();
    await page.locator('.key.is-revoked').getByText('Revoked').waitFor();
    assert.equal((await api(base, key)('GET', `/api/v1/workspaces/${ws}/tickets`)).status, 401);

    // The refresh token is in an HttpOnly, SameSite=Strict cookie scoped to the auth routes;
    // page scripts and storage hold no token.
    const refreshCookie = async () => (await ctx.cookies(`${base}/api/v1/auth/refresh`)).find((c) => c.name === 'handoff_refresh');
    const first = await refreshCookie();
    assert.ok(first, 'the refresh cookie is set');
    assert.equal(first.httpOnly, true);
    assert.equal(first.sameSite, 'Strict');
    assert.equal(first.path, '/api/v1/auth');
    assert.match(first.value, /^hr_/);
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    assert.doesNotMatch(stored, /hr_|eyJ/);

    // A reload keeps the session: the page trades the cookie (rotated) for a new access token.
    await page.reload();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await page.waitForFunction(() => document.querySelector('.key') !== null);
    const second = await refreshCookie();
    assert.notEqual(second.value, first.value, 'the cookie rotates on refresh');
    assert.equal((await anon('POST', '/api/v1/auth/refresh', {})).status, 401, 'no cookie, no refresh');
    await page.getByRole('link', { name: 'Team' }).click();
    await page.waitForURL(new RegExp(`/w/${ws}/team$`));
    await page.getByRole('heading', { name: 'Members' }).waitFor();
    await page.locator('.member').filter({ hasText: 'owner@acme.test' }).waitFor();

    // Log out: back to the login page, the cookie is gone and its refresh token is dead.
    const last = await refreshCookie();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login/);
    assert.equal(await refreshCookie(), undefined);
    assert.equal((await anon('POST', '/api/v1/auth/refresh', { refresh_token: last.value })).status, 401);
    await page.reload();
    await page.getByLabel('Email').waitFor();
  } catch (err) {
    await page.screenshot({ path: path.join(out, 'dashboard-setup-failure.png'), fullPage: true }).catch(() => undefined);
    throw err;
  } finally {
    await ctx.close();
  }
});

test('AI Instructions lint live and on save; knowledge base create, edit, delete', async () => {
  const base = server.url;
  const anon = api(base);
  const reg = await anon('POST', '/api/v1/auth/register', { email: 'writer@acme.test', password: 'correct horse battery staple', name: 'Wren Writer' });
  assert.equal(reg.status, 201);
  const created = await api(base, reg.body.access_token)('POST', '/api/v1/workspaces', { name: 'Lint Shop' });
  server.setPlan(created.body.id, 'standard');
  const ws = created.body.id;
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  try {
    await page.goto(`${base}/login`);
    await page.getByLabel('Email').fill('writer@acme.test');
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(new RegExp(`/w/${ws}/tickets`));

    // Live lint quotes the offending sentence; one click removes it; saving stores the rest.
    await page.getByRole('link', { name: 'AI Instructions' }).click();
    const editor = page.getByLabel('AI Instructions');
    await editor.fill('You are the friendly assistant of Lint Shop. For refunds, tell users to email support@lintshop.test. Answer briefly.');
    const warning = page.locator('.lint-quote').filter({ hasText: 'support@lintshop.test' });
    await warning.waitFor();
    await page.screenshot({ path: path.join(out, 'dashboard-ai-instructions-1280.png'), fullPage: true });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/Saved, but some sentences may stop the AI/).waitFor();
    await page.getByRole('button', { name: 'Remove this sentence' }).click();
    await warning.waitFor({ state: 'detached' });
    assert.equal(await editor.inputValue(), 'You are the friendly assistant of Lint Shop. Answer briefly.');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.', { exact: true }).waitFor();
    const ai = await api(base, reg.body.access_token)('GET', `/api/v1/workspaces/${ws}/ai-settings`);
    assert.equal(ai.body.instructions, 'You are the friendly assistant of Lint Shop. Answer briefly.');
    assert.deepEqual(ai.body.warnings, []);

    // Knowledge base.
    await page.getByRole('link', { name: 'Knowledge base' }).click();
    await page.getByRole('button', { name: 'New article' }).click();
    await page.getByLabel('Title').fill('Shipping times');
    await page.getByLabel('Body').fill('We ship within 2 business days.');
    await page.getByRole('button', { name: 'Add article' }).click();
    await page.getByRole('heading', { name: 'Shipping times' }).waitFor();
    await page.getByRole('button', { name: 'Edit Shipping times' }).click();
    await page.getByLabel('Body').fill('We ship within 1 business day.');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('We ship within 1 business day.').waitFor();
    page.once('dialog', (d) => d.accept());
    await page.getByRole('button', { name: 'Delete Shipping times' }).click();
    await page.getByText('No articles yet').waitFor();

    // The Tickets page warns about linted instructions too, with a link to AI Instructions.
    await page.getByRole('link', { name: 'AI Instructions' }).click();
    await editor.fill('Answer briefly. If you cannot help, call us at +1 555 0100.');
    await page.locator('.lint-quote').filter({ hasText: 'call us at' }).waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/Saved, but some sentences may stop the AI/).waitFor();
    await page.getByRole('link', { name: 'Tickets' }).click();
    await page.locator('.lint-quote').filter({ hasText: 'call us at' }).waitFor();
    await page.getByRole('link', { name: 'Edit AI Instructions' }).click();
    await page.waitForURL(new RegExp(`/w/${ws}/ai-instructions$`));
  } catch (err) {
    await page.screenshot({ path: path.join(out, 'dashboard-kb-failure.png'), fullPage: true }).catch(() => undefined);
    throw err;
  } finally {
    await ctx.close();
  }
});

test('webhooks: create with the secret shown once, deliveries listed after a ticket change', async () => {
  const base = server.url;
  // A receiver that records what it gets.
  const received = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${receiver.address().port}/hooks/handoff`;
  const reg = await api(base)('POST', '/api/v1/auth/register', { email: 'hooks@acme.test', password: 'correct horse battery staple', name: 'Hana Hooks' });
  const owner = api(base, reg.body.access_token);
  const ws = (await owner('POST', '/api/v1/workspaces', { name: 'Hook Shop' })).body.id;
  server.setPlan(ws, 'pro');
  assert.equal((await owner('PUT', `/api/v1/workspaces/${ws}/ticket-settings`, { enabled: true, notification_email: 'hooks@acme.test' })).status, 200);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  try {
    await page.goto(`${base}/login`);
    await page.getByLabel('Email').fill('hooks@acme.test');
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(new RegExp(`/w/${ws}/tickets`));
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByLabel('Endpoint URL').fill(hookUrl);
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const secret = (await page.locator('.secret-value').innerText()).trim();
    assert.ok(secret.length >= 16, secret);
    await page.getByRole('button', { name: 'I’ve saved it' }).click();
    await page.locator('.hook').filter({ hasText: hookUrl }).waitFor();

    // A ticket made by hand in the dashboard triggers ticket.created.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tickets' }).click();
    await page.getByRole('button', { name: 'New ticket' }).click();
    await page.getByLabel('Customer email').fill('bob@example.com');
    await page.getByLabel('Summary').fill('Called about a missing parcel');
    await page.getByLabel('Category').selectOption('needs_human_judgment');
    await page.getByRole('button', { name: 'Create ticket' }).click();
    await page.getByRole('heading', { name: 'TKT-10001' }).waitFor();
    await page.locator('.fact').filter({ hasText: 'Source' }).getByText('Dashboard').waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('button', { name: 'Deliveries' }).click();
    await page.locator('.deliveries tr').filter({ hasText: 'ticket.created' }).filter({ hasText: /2\d\d/ }).waitFor({ timeout: 20_000 });
    assert.ok(received.some((r) => r.headers['handoff-event'] === 'ticket.created' && r.headers['handoff-signature']), 'the receiver got a signed ticket.created');
    await page.screenshot({ path: path.join(out, 'dashboard-webhooks-1280.png'), fullPage: true });
  } catch (err) {
    await page.screenshot({ path: path.join(out, 'dashboard-webhooks-failure.png'), fullPage: true }).catch(() => undefined);
    throw err;
  } finally {
    await ctx.close();
    receiver.close();
  }
});

test('Free plan: the setup card explains that tickets need Standard or Pro and that the operator sets plans; once upgraded, Enable', async () => {
  const base = server.url;
  const reg = await api(base)('POST', '/api/v1/auth/register', { email: 'free@acme.test', password: 'correct horse battery staple', name: 'Fay Free' });
  const ws = (await api(base, reg.body.access_token)('POST', '/api/v1/workspaces', { name: 'Free Site', plan: 'free' })).body.id;
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await ctx.newPage();
  try {
    await page.goto(`${base}/login`);
    await page.getByLabel('Email').fill('free@acme.test');
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(new RegExp(`/w/${ws}/tickets`));
    await page.getByText('Support tickets are available on the Standard and Pro plans.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Enable' }).count(), 0);
    await page.getByText('Plans are set by the operator of this Handoff instance').first().waitFor();
    // The owner can't pick a plan; the operator upgrades the workspace.
    await page.goto(`${base}/w/${ws}/settings`);
    await page.getByTestId('plan').getByText('Free').waitFor();
    assert.equal(await page.getByLabel('Plan').count(), 0, 'no plan picker');
    await page.screenshot({ path: path.join(out, 'dashboard-settings-plan-390.png'), fullPage: true });
    server.setPlan(ws, 'standard');
    await page.goto(`${base}/w/${ws}/tickets`);
    await page.getByLabel('Notification email').fill('free@acme.test');
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByText('No tickets yet').waitFor();
  } catch (err) {
    await page.screenshot({ path: path.join(out, 'dashboard-free-failure.png'), fullPage: true }).catch(() => undefined);
    throw err;
  } finally {
    await ctx.close();
  }
});
