// Shared set-up for e2e tests that need a team: an owner with a confirmed address, an agent
// invited the normal way, a Standard workspace with tickets on, and the demo shop page on
// its own origin. Also logging in, watching a page for errors, screenshots at two widths.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { api, freePort, repoRoot } from './server.mjs';

export const PASSWORD = 'correct horse battery staple';
export const T = 20_000;
export const OUT = path.join(repoRoot, 'test-output');

export function ok(res, what) {
  assert.ok([200, 201, 204].includes(res.status), `${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The text of the file mails (DATA_DIR/mail) to `to`, quoted-printable undone. */
function mailsTo(dataDir, to) {
  const dir = path.join(dataDir, 'mail');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.eml')).sort() : [];
  return files
    .map((f) => readFileSync(path.join(dir, f), 'utf8').replace(/=\r?\n/g, '').replace(/=3D/gi, '='))
    .filter((text) => text.includes(`To: ${to}`) || text.includes(`<${to}>`));
}

/** Waits for a mail to `to` matching `re`; its match. */
export async function mailMatch(dataDir, to, re) {
  const deadline = Date.now() + T;
  for (;;) {
    for (const text of mailsTo(dataDir, to)) {
      const m = text.match(re);
      if (m) return m;
    }
    if (Date.now() > deadline) throw new Error(`no mail for ${to} matching ${re}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The demo shop page, as `serve --demo-bind` serves it, on its own port (another origin). */
export async function demoShop(handoffUrl, widgetKey) {
  const port = await freePort();
  const html = readFileSync(path.join(repoRoot, 'frontend', 'widget', 'demo-shop.html'), 'utf8')
    .replaceAll('{{HANDOFF_URL}}', handoffUrl)
    .replaceAll('{{WIDGET_KEY}}', widgetKey);
  const shop = http.createServer((req, res) => {
    res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(req.url === '/' ? html : '');
  });
  await new Promise((r) => shop.listen(port, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${port}`, close: () => shop.close() };
}

/**
 * Olivia Owner (confirmed address) and Alex Agent (invited, accepted) in "Acme Shop" on
 * Standard with tickets on, and the demo shop allowed to embed the widget.
 * Returns { ws, owner, agent, shop } (owner/agent: JSON clients).
 */
export async function makeTeam(server) {
  const anon = api(server.url);
  const reg = ok(await anon('POST', '/api/v1/auth/register', { email: 'olivia@acme.test', password: PASSWORD, name: 'Olivia Owner' }), 'register owner');
  const owner = api(server.url, reg.access_token);
  const [, verify] = await mailMatch(server.dataDir, 'olivia@acme.test', /verify-email\?token=(ev_[A-Za-z0-9_]+)/);
  ok(await anon('POST', '/api/v1/auth/verify-email', { token: verify }), 'verify email');
  const ws = ok(await owner('POST', '/api/v1/workspaces', { name: 'Acme Shop' }), 'workspace');
  server.setPlan(ws.id, 'standard');
  ok(await owner('PUT', `/api/v1/workspaces/${ws.id}/ticket-settings`, { enabled: true, notification_email: 'support@acme.test' }), 'tickets');
  const agentReg = ok(await anon('POST', '/api/v1/auth/register', { email: 'alex@acme.test', password: PASSWORD, name: 'Alex Agent' }), 'register agent');
  ok(await owner('POST', `/api/v1/workspaces/${ws.id}/invitations`, { email: 'alex@acme.test', role: 'agent' }), 'invite');
  const [, token] = await mailMatch(server.dataDir, 'alex@acme.test', /(?:invitations\/accept|accept-invite)\?token=([A-Za-z0-9_\-.~%]+)/);
  const agent = api(server.url, agentReg.access_token);
  ok(await agent('POST', '/api/v1/invitations/accept', { token: decodeURIComponent(token) }), 'accept');
  const shop = await demoShop(server.url, ws.widget_key);
  ok(await owner('PATCH', `/api/v1/workspaces/${ws.id}`, { allowed_origins: [shop.url] }), 'allowed origins');
  return { ws, owner, agent, shop };
}

export async function logIn(page, base, ws, email) {
  await page.goto(`${base}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(new RegExp(`/w/${ws}/`));
}

/** Page errors and console errors, collected for a final `deepEqual(errors, [])`. */
export function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return errors;
}

/** Full-page screenshots at 1280 px and 390 px, then back to 1280 px. */
export async function shots(page, name) {
  mkdirSync(OUT, { recursive: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.waitForTimeout(150);
  await page.screenshot({ path: path.join(OUT, `${name}-1280.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(150);
  await page.screenshot({ path: path.join(OUT, `${name}-390.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** The chat widget's frame on a page of the demo shop. */
export const chatFrame = (page) => page.frameLocator('#handoff-widget iframe[title="Chat"]');

/**
 * A visitor opens the chat on the demo shop and says `text`; the owner makes a ticket
 * (`summary`, for jane@example.com) of that conversation. Returns { visitorCtx, visitor,
 * frame, visitorErrors, ticket }.
 */
export async function visitorTicket(browser, team, text, summary) {
  const ws = team.ws.id;
  const visitorCtx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const visitor = await visitorCtx.newPage();
  const visitorErrors = [];
  visitor.on('pageerror', (e) => visitorErrors.push(e.message));
  await visitor.goto(team.shop.url);
  await visitor.locator('#handoff-widget button[aria-expanded]').click();
  const frame = chatFrame(visitor);
  const input = frame.getByRole('textbox', { name: 'Message' });
  await input.waitFor({ timeout: T });
  await input.fill(text);
  await input.press('Enter');
  await frame.locator('.m.visitor[data-id]:not([data-id^="local:"])', { hasText: text }).waitFor({ timeout: T });
  const convs = ok(await team.owner('GET', `/api/v1/workspaces/${ws}/conversations`), 'conversations');
  const ticket = ok(
    await team.owner('POST', `/api/v1/workspaces/${ws}/tickets`, { visitor_email: 'jane@example.com', summary, conversation_id: convs.items[0].id }),
    'ticket',
  );
  return { visitorCtx, visitor, frame, visitorErrors, ticket };
}
