// Email both ways in a real browser against the real server: a Pro workspace turns on
// replies by email in Settings (sender name and address), an agent replies to a ticket with
// "also email this reply" and the box says where the reply goes; the visitor's answer to that
// mail (posted raw to the inbound endpoint, as a mail provider would) appears live in the
// ticket marked Email, and an answer from someone else is marked as not the visitor.
// Screenshots at 1280 px and 390 px go to <repo>/test-output/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { api, chromiumArgs, chromiumPath, repoRoot, startServer } from './support/server.mjs';

const out = path.join(repoRoot, 'test-output');
mkdirSync(out, { recursive: true });
const DOMAIN = 'reply.e2e.test';
const SECRET = 'e2e-inbound-secret-0123456789';
const VISITOR = 'jane@example.com';

let server;
let browser;

before(async () => {
  server = await startServer({ INBOUND_DOMAIN: DOMAIN, INBOUND_WEBHOOK_SECRET: SECRET });
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The Reply-To address of the newest mail to `to` (file mail under DATA_DIR/mail). */
async function replyAddress(dataDir, to) {
  const dir = path.join(dataDir, 'mail');
  const deadline = Date.now() + 15_000;
  const re = new RegExp(`reply\\+[a-z2-7]{48}@${DOMAIN.replace(/\./g, '\\.')}`);
  for (;;) {
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.eml')).sort() : [];
    for (const f of files.reverse()) {
      const raw = readFileSync(path.join(dir, f), 'utf8');
      if (!raw.includes(`To: ${to}`)) continue;
      const m = raw.match(re);
      if (m) return { address: m[0], messageId: (raw.match(/^Message-ID: (<[^>]+>)/m) ?? [])[1] };
    }
    if (Date.now() > deadline) throw new Error(`no mail with a reply address to ${to} under ${dir}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function postInbound(base, raw) {
  const r = await fetch(`${base}/api/v1/inbound/email`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'message/rfc822' },
    body: raw,
  });
  const body = await r.json();
  assert.equal(r.status, 200, JSON.stringify(body));
  return body;
}

function reply({ from, to, id, parent, text }) {
  return [
    `From: ${from}`,
    `To: Acme Support <${to}>`,
    'Subject: Re: your request TKT-10001 to Acme Shop',
    `Message-ID: ${id}`,
    `In-Reply-To: ${parent}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    text,
    '',
    `On Tue, Dec 1, 2026 at 10:00 AM Acme Support <${to}> wrote:`,
    '> ##- Please type your reply above this line -##',
    '> We refunded you.',
    '',
  ].join('\r\n');
}

test('replies by email: settings, where the reply goes, the visitor answering by mail', async () => {
  const base = server.url;
  const reg = await api(base)('POST', '/api/v1/auth/register', { email: 'owner@acme.test', password: 'correct horse battery staple', name: 'Sam Agent' });
  assert.equal(reg.status, 201, JSON.stringify(reg.body));
  const call = api(base, reg.body.access_token);
  const wsBody = (await call('POST', '/api/v1/workspaces', { name: 'Acme Shop' })).body;
  const ws = wsBody.id;
  server.setPlan(ws, 'pro');
  const enabled = await call('PUT', `/api/v1/workspaces/${ws}/ticket-settings`, { enabled: true, notification_email: 'team@acme.test' });
  assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
  const session = await api(base)('POST', '/api/v1/widget/sessions', { widget_key: wsBody.widget_key, page_url: 'https://shop.acme.test/' });
  const ticket = (await call('POST', `/api/v1/workspaces/${ws}/tickets`, { visitor_email: VISITOR, summary: 'Refund for order 1234', conversation_id: session.body.conversation_id })).body;

  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(`${base}/login`);
    await page.getByLabel('Email').fill('owner@acme.test');
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(new RegExp(`/w/${ws}/`));

    // Settings: the sender and replies by email.
    await page.goto(`${base}/w/${ws}/settings`);
    await page.getByLabel('Sender name').fill('Acme Support');
    await page.getByLabel('Sender address').fill('support@acme.test');
    await page.getByLabel('Visitors can answer by email: their replies come back into the ticket').check();
    await page.getByRole('button', { name: 'Save ticket settings' }).click();
    await page.getByText('Saved.').first().waitFor();
    await page.getByTestId('mail-sender').getByText('Acme Support <support@acme.test>').waitFor();
    await page.getByText('On: each email carries a reply address of its ticket').waitFor();
    await page.screenshot({ path: path.join(out, 'email-settings-1280.png'), fullPage: true });

    // The reply box says where the reply goes.
    await page.goto(`${base}/w/${ws}/tickets/${ticket.number}`);
    const destination = page.getByTestId('reply-destination');
    await destination.getByText('In the chat only').waitFor();
    await page.getByLabel('also email this reply').check();
    await destination.getByText(`Reply by email to ${VISITOR} and in the chat.`).waitFor();
    await page.getByPlaceholder('Type your reply…').fill('We refunded you. Did it arrive?');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Reply sent and emailed to the visitor.').waitFor();

    // The visitor answers the mail; it appears live, marked Email.
    const { address, messageId } = await replyAddress(server.dataDir, VISITOR);
    const first = await postInbound(base, reply({ from: `Jane <${VISITOR}>`, to: address, id: '<e2e-1@mail.example.com>', parent: messageId, text: 'Not yet, can you check again?' }));
    assert.equal(first.result, 'appended');
    const conv = page.getByRole('list', { name: 'Conversation' });
    const answer = conv.locator('li', { hasText: 'Not yet, can you check again?' });
    await answer.waitFor();
    assert.equal(await answer.getByTestId('msg-channel').textContent(), 'Email');
    assert.equal(await conv.locator('li', { hasText: 'We refunded you. Did it arrive?' }).getByTestId('msg-channel').textContent(), 'Chat');
    // Quoted history is not shown.
    assert.equal(await conv.getByText('Please type your reply above this line').count(), 0);

    // Someone else answers: accepted, and marked.
    await postInbound(base, reply({ from: 'Boss <boss@other.test>', to: address, id: '<e2e-2@other.test>', parent: messageId, text: 'I am her manager, please call me.' }));
    const foreign = conv.locator('li', { hasText: 'I am her manager, please call me.' });
    await foreign.getByTestId('msg-foreign').getByText('Sent by boss@other.test, not the visitor').waitFor();
    await page.screenshot({ path: path.join(out, 'email-ticket-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await foreign.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(out, 'email-ticket-390.png'), fullPage: true });
    await page.goto(`${base}/w/${ws}/settings`);
    await page.getByTestId('mail-sender').waitFor();
    await page.screenshot({ path: path.join(out, 'email-settings-390.png'), fullPage: true });
    assert.deepEqual(errors, []);
  } catch (err) {
    await page.screenshot({ path: path.join(out, 'email-failure.png'), fullPage: true }).catch(() => undefined);
    throw err;
  } finally {
    await ctx.close();
  }
});
