// Notifications in a real browser against the real server: an agent opts in (Settings:
// email at once, browser notifications, the visitor's acknowledgement mail); a visitor's
// message into their ticket shows as "1 new" in the ticket list live, a browser
// notification pops up while the dashboard is in the background, a reminder mail goes to
// the agent; opening the ticket reads it and the badge goes. Screenshots at 1280 px and
// 390 px go to <repo>/test-output/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { api, chromiumArgs, chromiumPath, repoRoot, startServer } from './support/server.mjs';

const out = path.join(repoRoot, 'test-output');
mkdirSync(out, { recursive: true });
const VISITOR = 'jane@example.com';

let server;
let browser;

before(async () => {
  server = await startServer({});
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The newest file mail to `to` whose text contains `marker`. */
async function mailTo(dataDir, to, marker) {
  const dir = path.join(dataDir, 'mail');
  const deadline = Date.now() + 20_000;
  for (;;) {
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.eml')).sort() : [];
    for (const f of files.reverse()) {
      const raw = readFileSync(path.join(dir, f), 'utf8');
      if (raw.includes(`To: ${to}`) && raw.includes(marker)) return raw;
    }
    if (Date.now() > deadline) throw new Error(`no mail to ${to} with ${marker} under ${dir}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// The page's Notification API and visibility, scripted: the dashboard is "in the
// background" while window.__hidden is true, and notifications are recorded.
const fakeBrowser = () => {
  window.__hidden = false;
  window.__notifications = [];
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => window.__hidden });
  // The permission outlives a page load, as a browser's does.
  class FakeNotification {
    static get permission() {
      return localStorage.getItem('e2e.permission') ?? 'default';
    }
    static async requestPermission() {
      localStorage.setItem('e2e.permission', 'granted');
      return 'granted';
    }
    constructor(title, opts) {
      window.__notifications.push({ title, body: opts?.body ?? '', tag: opts?.tag ?? '' });
    }
    close() {}
  }
  window.Notification = FakeNotification;
};

test('notifications: opt in, a new reply badge live, a browser notification in the background, a reminder mail, read', async () => {
  const base = server.url;
  const reg = await api(base)('POST', '/api/v1/auth/register', { email: 'owner@acme.test', password: 'correct horse battery staple', name: 'Sam Agent' });
  assert.equal(reg.status, 201, JSON.stringify(reg.body));
  const call = api(base, reg.body.access_token);
  const wsBody = (await call('POST', '/api/v1/workspaces', { name: 'Acme Shop' })).body;
  const ws = wsBody.id;
  server.setPlan(ws, 'standard');
  const enabled = await call('PUT', `/api/v1/workspaces/${ws}/ticket-settings`, { enabled: true, notification_email: 'team@acme.test' });
  assert.equal(enabled.status, 200, JSON.stringify(enabled.body));

  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await ctx.addInitScript(fakeBrowser);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(`${base}/login`);
    await page.getByLabel('Email').fill('owner@acme.test');
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(new RegExp(`/w/${ws}/`));

    // Settings: the acknowledgement mail, email at once, browser notifications.
    await page.goto(`${base}/w/${ws}/settings`);
    await page.getByLabel('Send the visitor an acknowledgement email when a ticket is created').check();
    await page.getByRole('button', { name: 'Save ticket settings' }).click();
    await page.getByText('Saved.').first().waitFor();
    const prefs = page.getByRole('region', { name: 'Your notifications' });
    await prefs.getByLabel('Immediately').check();
    await prefs.getByRole('button', { name: 'Save notifications' }).click();
    await prefs.getByText('Saved.').waitFor();
    await prefs.getByLabel('Browser notifications when the dashboard is in the background').check();
    await prefs.getByText('On in this browser.').waitFor();
    await page.screenshot({ path: path.join(out, 'notify-settings-1280.png'), fullPage: true });

    // A visitor's ticket: acknowledged by mail, in the ticket's thread.
    const session = await api(base)('POST', '/api/v1/widget/sessions', { widget_key: wsBody.widget_key, page_url: 'https://shop.acme.test/' });
    const visitor = api(base, session.body.visitor_token);
    const ticket = (await call('POST', `/api/v1/workspaces/${ws}/tickets`, { visitor_email: VISITOR, summary: 'Refund for order 1234', conversation_id: session.body.conversation_id })).body;
    const ack = await mailTo(server.dataDir, VISITOR, `We got your request ${ticket.number}`);
    assert.match(ack, /^Message-ID: </m);
    assert.match(ack, /^From: "?Acme Shop"? </m);

    // The visitor writes into the ticket: "1 new" in the list, live.
    await page.goto(`${base}/w/${ws}/tickets`);
    const row = page.locator(`[data-ticket="${ticket.number}"]`);
    await row.waitFor();
    assert.equal(await row.getByTestId('unread').count(), 0);
    // In the background now: the next message pops a browser notification.
    await page.evaluate(() => {
      window.__hidden = true;
    });
    const said = await visitor('POST', '/api/v1/widget/messages', { body: 'Any news on my refund?' });
    assert.equal(said.status, 201, JSON.stringify(said.body));
    await row.getByTestId('unread').getByText('1 new').waitFor();
    await page.waitForFunction(() => window.__notifications.length > 0);
    const shown = await page.evaluate(() => window.__notifications);
    assert.equal(shown.length, 1, JSON.stringify(shown));
    assert.match(shown[0].title, new RegExp(`${ticket.number}`));
    assert.equal(shown[0].body, 'Any news on my refund?');
    await page.evaluate(() => {
      window.__hidden = false;
    });
    await page.screenshot({ path: path.join(out, 'notify-list-1280.png'), fullPage: true });

    // The reminder mail ("immediately").
    const reminder = await mailTo(server.dataDir, 'owner@acme.test', 'Any news on my refund?');
    assert.match(reminder, new RegExp(`Subject: .*${ticket.number}`));

    // Opening the ticket reads it: the badge goes, in the detail and in the list.
    await row.click();
    await page.getByRole('list', { name: 'Conversation' }).getByText('Any news on my refund?').waitFor();
    await page.getByTestId('unread-banner').waitFor({ state: 'detached' }).catch(() => {});
    await page.goto(`${base}/w/${ws}/tickets`);
    await row.waitFor();
    await page.waitForFunction((n) => !document.querySelector(`[data-ticket="${n}"] [data-testid="unread"]`), ticket.number);

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/w/${ws}/settings`);
    await page.getByRole('region', { name: 'Your notifications' }).waitFor();
    await page.screenshot({ path: path.join(out, 'notify-settings-390.png'), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});
