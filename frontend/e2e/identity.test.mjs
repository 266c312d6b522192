// Verified identity in real browsers against the real server (issue 15, item 4): the owner
// makes an identity secret on the Widget page; the shop page identifies its logged-in user
// with a right hash on a laptop and on a phone (one history on both), and with a wrong hash
// in a third browser (anonymous: none of that history); the ticket page shows the visitor as
// verified. Screenshots at 1280 px and 390 px go to <repo>/test-output/.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath, startServer } from './support/server.mjs';
import { T, chatFrame, logIn, makeTeam, ok, shots, watchErrors } from './support/team.mjs';

let server;
let browser;
let team;

before(async () => {
  server = await startServer();
  team = await makeTeam(server);
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
});

after(async () => {
  await browser?.close();
  team?.shop.close();
  await server?.stop();
});

/** A browser on the shop whose page identifies `user` (with `hash`), with the chat open. */
async function shopAs(user, hash, viewport = { width: 1280, height: 860 }) {
  const ctx = await browser.newContext({ viewport });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(team.shop.url);
  await page.waitForFunction(() => typeof window.Handoff === 'function');
  await page.evaluate(([u, h]) => window.Handoff('identify', { user_id: u, email: 'pat@example.com', name: 'Pat Lee', hash: h }), [user, hash]);
  await page.locator('#handoff-widget button[aria-expanded]').click();
  const frame = chatFrame(page);
  await frame.getByRole('textbox', { name: 'Message' }).waitFor({ timeout: T });
  return { ctx, page, frame, errors };
}

test('a verified user has one chat on two devices; a wrong hash stays anonymous; the team sees Verified', async () => {
  const ws = team.ws.id;

  // The owner turns identity verification on, on the Widget page.
  const dash = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const owner = await dash.newPage();
  const ownerErrors = watchErrors(owner);
  await logIn(owner, server.url, ws, 'olivia@acme.test');
  await owner.goto(`${server.url}/w/${ws}/widget`);
  const card = owner.locator('#identity');
  await card.getByText('Off.', { exact: true }).waitFor({ timeout: T });
  await card.getByRole('button', { name: 'Make identity secret' }).click();
  const secret = (await card.locator('code.secret-value').textContent({ timeout: T })).trim();
  assert.match(secret, /^idsec_/);
  await card.getByText('On.', { exact: true }).waitFor({ timeout: T });
  await shots(owner, 'identity-widget-page');

  // The laptop: the shop's server signed the user id; the visitor writes.
  const hash = createHmac('sha256', secret).update('u-1').digest('hex');
  const laptop = await shopAs('u-1', hash);
  const input = laptop.frame.getByRole('textbox', { name: 'Message' });
  await input.fill('Hello from my laptop');
  await input.press('Enter');
  await laptop.frame.locator('.m.visitor[data-id]:not([data-id^="local:"])', { hasText: 'Hello from my laptop' }).waitFor({ timeout: T });

  // The phone, another browser: the same chat.
  const phone = await shopAs('u-1', hash, { width: 390, height: 844 });
  await phone.frame.locator('.m.visitor', { hasText: 'Hello from my laptop' }).waitFor({ timeout: T });

  // A wrong hash (someone who knows the user id): an anonymous chat without that history.
  const forged = await shopAs('u-1', createHmac('sha256', 'idsec_guess').update('u-1').digest('hex'));
  await forged.frame.getByRole('textbox', { name: 'Message' }).waitFor({ timeout: T });
  await forged.page.waitForTimeout(500);
  assert.equal(await forged.frame.locator('.m.visitor', { hasText: 'Hello from my laptop' }).count(), 0);

  // The team: a ticket of Pat's conversation shows them as verified.
  const convs = ok(await team.owner('GET', `/api/v1/workspaces/${ws}/conversations`), 'conversations');
  const pat = convs.items.find((c) => c.visitor.external_id === 'u-1');
  assert.ok(pat, 'the verified visitor is in Conversations');
  assert.equal(convs.items.filter((c) => c.visitor.external_id === 'u-1').length, 1, 'one conversation for both devices');
  const ticket = ok(await team.owner('POST', `/api/v1/workspaces/${ws}/tickets`, { visitor_email: 'pat@example.com', summary: 'Pat says hello', conversation_id: pat.id }), 'ticket');
  await owner.goto(`${server.url}/w/${ws}/tickets/${ticket.number}`);
  await owner.getByText('Verified · user').waitFor({ timeout: T });
  assert.match(await owner.locator('.verified').textContent(), /Verified · user u-1/);
  await shots(owner, 'identity-ticket');

  assert.deepEqual([...laptop.errors, ...phone.errors, ...forged.errors], []);
  assert.deepEqual(ownerErrors, []);
  for (const c of [laptop, phone, forged]) await c.ctx.close();
  await dash.close();
});
