// Webhooks in a real browser against the real server (issue 15, item 2): the owner adds an
// endpoint switched off, sends a test event and sees it delivered, signed, to a real HTTP
// receiver; the receiver goes down, a ticket's assignment fails to get through, and once
// it is back **Redeliver** sends the same delivery again. Screenshots at 1280 px and 390 px
// go to <repo>/test-output/.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath, startServer } from './support/server.mjs';
import { T, logIn, makeTeam, ok, shots, watchErrors } from './support/team.mjs';

let server;
let browser;
let team;
let receiver;
const received = [];
let answer = 204;

before(async () => {
  // The receiver: records each request, answers `answer`.
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(answer).end();
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  // Webhooks reach the public Internet only, unless the operator opens a range.
  server = await startServer({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: '127.0.0.0/8' });
  team = await makeTeam(server);
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
});

after(async () => {
  await browser?.close();
  team?.shop.close();
  await server?.stop();
  receiver?.close();
});

async function waitFor(what, check) {
  const until = Date.now() + T;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('send a test event to an endpoint that is off, then redeliver a failed delivery', async () => {
  const ws = team.ws.id;
  const endpoint = `http://127.0.0.1:${receiver.address().port}/hooks`;
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await logIn(page, server.url, ws, 'olivia@acme.test');
  await page.goto(`${server.url}/w/${ws}/webhooks`);

  // Add an endpoint for ticket.assigned only; the secret is shown once.
  await page.getByLabel('Endpoint URL').fill(endpoint);
  for (const ev of ['ticket.created', 'ticket.updated', 'ticket.replied', 'conversation.message']) {
    await page.getByRole('checkbox', { name: ev }).uncheck();
  }
  await page.getByRole('checkbox', { name: 'ticket.assigned' }).check();
  await page.getByRole('button', { name: 'Add webhook' }).click();
  const secret = (await page.locator('code', { hasText: /^whsec_/ }).first().textContent({ timeout: T })).trim();
  assert.match(secret, /^whsec_/);
  // Switched off before it goes live.
  const row = page.locator('.hook', { hasText: endpoint });
  // (The box follows the server: it changes once the switch is saved.)
  await row.getByRole('checkbox', { name: 'Active' }).click();
  await waitFor('the endpoint to be off', async () => !(await row.getByRole('checkbox', { name: 'Active' }).isChecked()));

  // Send test event: it arrives, signed with the secret, and the log says delivered.
  await row.getByRole('button', { name: 'Send test event' }).click();
  await row.getByRole('status').filter({ hasText: 'webhook.test' }).waitFor({ timeout: T });
  const test = await waitFor('the test event', () => received.find((r) => r.headers['handoff-event'] === 'webhook.test'));
  const sig = Object.fromEntries(test.headers['handoff-signature'].split(',').map((kv) => kv.split('=')));
  const expected = createHmac('sha256', secret).update(`${sig.t}.${test.body}`).digest('hex');
  assert.equal(sig.v1, expected, 'signed with the webhook secret');
  assert.equal(JSON.parse(test.body).event, 'webhook.test');
  const table = row.getByRole('table', { name: 'Recent deliveries' });
  await table.getByRole('row', { name: /webhook\.test/ }).getByText('204').waitFor({ timeout: T });

  // Live, the receiver down: an assignment fails and waits for its retry.
  await row.getByRole('checkbox', { name: 'Active' }).click();
  await waitFor('the endpoint to be on', async () => row.getByRole('checkbox', { name: 'Active' }).isChecked());
  answer = 503;
  const base = `/api/v1/workspaces/${ws}`;
  const ticket = ok(await team.owner('POST', `${base}/tickets`, { visitor_email: 'pat@example.com', summary: 'Where is my order?' }), 'ticket');
  const me = ok(await team.owner('GET', '/api/v1/me'), 'me');
  ok(await team.owner('POST', `${base}/tickets/${ticket.id}/assign`, { assignee_id: me.id }), 'assign');
  const failed = table.getByRole('row', { name: /ticket\.assigned/ });
  await failed.getByText(/503/).waitFor({ timeout: T });
  const firstTry = await waitFor('the failed attempt', () => received.find((r) => r.headers['handoff-event'] === 'ticket.assigned'));
  await shots(page, 'webhooks-deliveries');
  // At 390 px nothing widens the page (the deliveries table scrolls on its own).
  await page.setViewportSize({ width: 390, height: 844 });
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390, 'no sideways scrolling at 390 px');
  await page.setViewportSize({ width: 1280, height: 900 });

  // Back up: Redeliver sends the same delivery (same id, same body) and it gets through.
  answer = 204;
  await failed.getByRole('button', { name: /^Redeliver ticket\.assigned/ }).click();
  await failed.getByText('204').waitFor({ timeout: T });
  const tries = received.filter((r) => r.headers['handoff-delivery'] === firstTry.headers['handoff-delivery']);
  assert.ok(tries.length >= 2, 'sent again');
  assert.equal(tries.at(-1).body, firstTry.body, 'the same body');
  assert.equal(await failed.getByRole('button', { name: /^Redeliver/ }).count(), 0, 'nothing to redeliver once delivered');
  // On a loaded machine the outbox's own retry can win the race with the click: the
  // server then answers 409 (already delivered, or being sent), which the browser logs;
  // the delivery got through either way (checked above).
  assert.deepEqual(errors.filter((e) => !/status of 409/.test(e)), []);
  await ctx.close();
});
