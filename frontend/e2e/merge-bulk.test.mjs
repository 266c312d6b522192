// Merge and bulk actions in real browsers against the real server (issue 13, part 5): the
// owner ticks three tickets in the list and changes their status and a tag in one action,
// and reads what changed and what was refused; then merges the visitor's chat ticket into
// their other ticket from the detail page and sees the banner. The visitor's open widget
// follows the surviving ticket: the agent's reply there reaches it, live and after a
// reload. Screenshots at 1280 px and 390 px go to <repo>/test-output/.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath, startServer } from './support/server.mjs';
import { T, logIn, makeTeam, ok, shots, watchErrors } from './support/team.mjs';

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

const chat = (page) => page.frameLocator('#handoff-widget iframe[title="Chat"]');

test('bulk status and tag change with a summary; merge with a banner; the widget follows', async () => {
  const ws = team.ws.id;
  const base = `/api/v1/workspaces/${ws}`;

  // The visitor chats on the shop; the team makes a ticket of the conversation.
  const visitorCtx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const visitor = await visitorCtx.newPage();
  const visitorErrors = [];
  visitor.on('pageerror', (e) => visitorErrors.push(e.message));
  await visitor.goto(team.shop.url);
  await visitor.locator('#handoff-widget button[aria-expanded]').click();
  const frame = chat(visitor);
  const input = frame.getByRole('textbox', { name: 'Message' });
  await input.waitFor({ timeout: T });
  await input.fill('My parcel 4417 never arrived');
  await input.press('Enter');
  await frame.locator('.m.visitor[data-id]:not([data-id^="local:"])', { hasText: 'parcel 4417' }).waitFor({ timeout: T });
  const convs = ok(await team.owner('GET', `${base}/conversations`), 'conversations');
  const chatTicket = ok(
    await team.owner('POST', `${base}/tickets`, { visitor_email: 'jane@example.com', summary: 'Parcel 4417 missing (chat)', conversation_id: convs.items[0].id }),
    'chat ticket',
  );
  // The same visitor wrote in again another way (the API finds her by email).
  const mailTicket = ok(await team.owner('POST', `${base}/tickets`, { visitor_email: 'jane@example.com', summary: 'Parcel 4417: second request' }), 'mail ticket');
  // Three more tickets for the bulk change, one of them closed.
  const a = ok(await team.owner('POST', `${base}/tickets`, { visitor_email: 'ann@example.com', summary: 'Wrong size delivered' }), 'a');
  const b = ok(await team.owner('POST', `${base}/tickets`, { visitor_email: 'bob@example.com', summary: 'Invoice needed' }), 'b');
  const c = ok(await team.owner('POST', `${base}/tickets`, { visitor_email: 'cy@example.com', summary: 'Old question' }), 'c');
  ok(await team.owner('POST', `${base}/tickets/${c.number}/status`, { status: 'closed' }), 'close c');
  ok(await team.owner('POST', `${base}/tags`, { name: 'Shipping' }), 'tag');

  // The owner ticks three tickets and moves them to In Progress with a tag.
  const ownerCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const owner = await ownerCtx.newPage();
  const errors = watchErrors(owner);
  await logIn(owner, server.url, ws, 'olivia@acme.test');
  await owner.goto(`${server.url}/w/${ws}/tickets`);
  await owner.locator(`[data-ticket="${c.number}"]`).waitFor({ timeout: T });
  for (const t of [a, b, c]) await owner.getByRole('checkbox', { name: `Select ${t.number}` }).check();
  const bar = owner.getByRole('toolbar', { name: 'Bulk actions' });
  await bar.getByText('3 selected').waitFor({ timeout: T });
  await bar.getByLabel('Status').selectOption('in_progress');
  await bar.getByLabel('Add tag').selectOption({ label: 'Shipping' });
  await shots(owner, 'bulk-bar');
  await bar.getByRole('button', { name: 'Apply to 3' }).click();
  const summary = owner.getByText(`2 tickets updated; ${c.number} was refused:`, { exact: false });
  await summary.waitFor({ timeout: T });
  assert.match(await summary.innerText(), /was refused: a closed ticket can’t move to In Progress/);
  await bar.waitFor({ state: 'detached', timeout: T });
  // The list refreshed: the two moved tickets show In Progress and the tag; the closed one did not change.
  for (const t of [a, b]) {
    const row = owner.locator(`[data-ticket="${t.number}"]`);
    await row.getByText('In Progress').waitFor({ timeout: T });
    await row.getByText('Shipping').waitFor({ timeout: T });
  }
  await owner.locator(`[data-ticket="${c.number}"]`).getByText('Closed').waitFor({ timeout: T });
  assert.equal(await owner.getByRole('checkbox', { name: `Select ${a.number}` }).isChecked(), false);
  await shots(owner, 'bulk-summary');

  // Merge the chat ticket into the visitor's other ticket, from the detail page.
  await owner.goto(`${server.url}/w/${ws}/tickets/${chatTicket.number}`);
  await owner.getByRole('button', { name: 'Merge into…' }).click();
  const dialog = owner.getByRole('dialog', { name: `Merge ${chatTicket.number} into another ticket` });
  await dialog.getByRole('radio').first().waitFor({ timeout: T });
  await dialog.locator('label.merge-option', { hasText: mailTicket.number }).click();
  await dialog.getByTestId('merge-explain').waitFor();
  assert.match(await dialog.getByTestId('merge-explain').innerText(), new RegExp(`${chatTicket.number} will be closed and merged into ${mailTicket.number}`));
  await shots(owner, 'merge-dialog');
  await dialog.getByRole('button', { name: `Merge into ${mailTicket.number}` }).click();
  await dialog.waitFor({ state: 'detached', timeout: T });
  const banner = owner.locator('.merged-banner');
  await banner.getByText(`Merged into ${mailTicket.number}.`).waitFor({ timeout: T });
  await owner.getByText(`${chatTicket.number} was merged into ${mailTicket.number}.`).waitFor({ timeout: T });
  // A merged ticket offers no more changes: no status buttons, no reply box.
  assert.equal(await owner.getByRole('group', { name: 'Change status' }).count(), 0);
  assert.equal(await owner.getByLabel('Your reply').count(), 0);
  await shots(owner, 'merge-banner');

  // The surviving ticket has the chat; the owner replies there.
  await banner.getByRole('link', { name: `Go to ${mailTicket.number}` }).click();
  await owner.waitForURL(new RegExp(`/tickets/${mailTicket.number}$`));
  await owner.getByText('My parcel 4417 never arrived').waitFor({ timeout: T });
  await owner.getByText(`merged ${chatTicket.number} into this ticket`, { exact: false }).waitFor({ timeout: T });
  await owner.getByLabel('Your reply').fill('Found it: your parcel arrives tomorrow.');
  await owner.getByRole('button', { name: 'Send' }).click();

  // The visitor's open widget switched to the surviving ticket: the reply arrives live,
  // with her earlier message, and stays after a reload.
  await frame.locator('.m.agent', { hasText: 'arrives tomorrow' }).waitFor({ timeout: T });
  await frame.locator('.m.visitor', { hasText: 'parcel 4417' }).waitFor({ timeout: T });
  await visitor.reload();
  await visitor.locator('#handoff-widget button[aria-expanded]').click();
  await frame.locator('.m.agent', { hasText: 'arrives tomorrow' }).waitFor({ timeout: T });
  await shots(visitor, 'merge-widget');

  assert.deepEqual(errors, []);
  assert.deepEqual(visitorErrors, []);
  await Promise.all([visitorCtx.close(), ownerCtx.close()]);
});
