// Privacy in real browsers against the real server (issue 15, item 5): the owner exports a
// visitor's data from the ticket page (a JSON download), erases the visitor (the widget's
// history is gone, the ticket stays as an anonymous shell), sets the retention policy in
// Settings, and reads all of it in the Audit log. Screenshots at 1280 px and 390 px go to
// <repo>/test-output/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath, startServer } from './support/server.mjs';
import { T, logIn, makeTeam, ok, shots, visitorTicket, watchErrors } from './support/team.mjs';

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

test('export a visitor, erase them, set the retention policy, read the audit log', async () => {
  const ws = team.ws.id;
  const said = 'My name is Quentin Zylberstein and my parcel 88412 never came';
  const { visitorCtx, ticket } = await visitorTicket(browser, team, said, 'Parcel 88412 missing');
  await visitorCtx.close();

  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await logIn(page, server.url, ws, 'olivia@acme.test');
  await page.goto(`${server.url}/w/${ws}/tickets/${ticket.number}`);
  await page.getByText(said).first().waitFor({ timeout: T });

  // Export data: a JSON file with what the visitor said.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export data' }).click()]);
  assert.match(download.suggestedFilename(), /^visitor-[0-9a-f-]+\.json$/);
  const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(exported.visitor.email, 'jane@example.com');
  assert.ok(exported.conversations[0].messages.some((m) => m.body === said));
  assert.equal(exported.tickets[0].ticket.number, ticket.number);

  // Erase visitor…: confirmed in a dialog; the ticket stays, without them.
  await page.getByRole('button', { name: 'Erase visitor…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Erase this visitor?' });
  await dialog.waitFor({ timeout: T });
  await shots(page, 'privacy-erase-dialog');
  await dialog.getByRole('button', { name: 'Erase visitor', exact: true }).click();
  await page.getByText(/^Visitor erased: \d+ messages? and 0 files deleted, 1 ticket anonymised\.$/).waitFor({ timeout: T });
  await page.getByText('Erased', { exact: true }).first().waitFor({ timeout: T });
  assert.equal(await page.getByText(said).count(), 0, 'the visitor’s words are gone from the page');
  await shots(page, 'privacy-erased-ticket');
  const detail = ok(await team.owner('GET', `/api/v1/workspaces/${ws}/tickets/${ticket.number}`), 'ticket');
  assert.equal(detail.ticket.summary, 'erased');
  assert.equal(detail.messages.length, 0);

  // Settings → Privacy.
  await page.goto(`${server.url}/w/${ws}/settings`);
  await page.getByLabel('Delete conversations without a ticket after … days').fill('90');
  await page.getByLabel('Anonymise closed tickets after … days').fill('365');
  await page.getByRole('button', { name: 'Save privacy settings' }).click();
  await page.getByText('Saved.').first().waitFor({ timeout: T });
  assert.deepEqual(ok(await team.owner('GET', `/api/v1/workspaces/${ws}/privacy`), 'privacy'), { conversations_without_ticket_days: 90, closed_tickets_days: 365 });

  // The audit log lists the three, newest first.
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByRole('heading', { name: 'Audit log' }).waitFor({ timeout: T });
  const rows = page.locator('tbody tr');
  await rows.first().waitFor({ timeout: T });
  const text = await rows.allTextContents();
  const at = (s) => text.findIndex((r) => r.includes(s));
  assert.ok(at('Changed the privacy settings') >= 0, text.join('\n'));
  assert.ok(at('Erased a visitor') > at('Changed the privacy settings'), text.join('\n'));
  assert.ok(at('Exported a visitor') > at('Erased a visitor'), text.join('\n'));
  assert.ok(text.every((r) => !r.includes('Zylberstein') && !r.includes('jane@example.com')), 'the log holds no visitor data');
  await shots(page, 'privacy-audit-log');
  assert.deepEqual(errors, []);
  await ctx.close();
});
