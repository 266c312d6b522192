// Keyboard shortcuts in a real browser against the real server (issue 13), driven the way an
// agent works a queue: on the Tickets list j j Enter opens the second ticket (the cursor row
// is marked and ringed), a assigns it to me, r goes to the reply box where typing (a j too)
// is text and Ctrl+Enter sends, s reaches the status buttons, t opens the tags, ? lists the
// shortcuts in a dialog that keeps the focus and closes on Escape, / and Escape lead back to
// the list (its search box, the cursor on the ticket I came from). Nothing fires while a
// field has the focus. Screenshots at 1280 px and 390 px go to <repo>/test-output/.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath, startServer } from './support/server.mjs';
import { T, logIn, makeTeam, ok, shots, watchErrors } from './support/team.mjs';

let server;
let browser;
let team;
const tickets = [];

before(async () => {
  server = await startServer();
  team = await makeTeam(server);
  for (const [email, summary] of [
    ['ana@example.com', 'Refund for order 1001'],
    ['ben@example.com', 'Cannot change my address'],
    ['cho@example.com', 'Invoice shows the wrong VAT'],
  ]) {
    tickets.push(ok(await team.owner('POST', `/api/v1/workspaces/${team.ws.id}/tickets`, { visitor_email: email, summary }), 'ticket'));
  }
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
});

after(async () => {
  await browser?.close();
  team?.shop.close();
  await server?.stop();
});

/** The element that has the focus, described. */
const focused = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return { tag: el?.tagName.toLowerCase(), label: el?.getAttribute('aria-label') ?? el?.textContent?.trim() ?? '', id: el?.id ?? '', inDialog: Boolean(el?.closest('[role="dialog"]')) };
  });

test('an agent works the queue from the keyboard', async () => {
  const ws = team.ws.id;
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await logIn(page, server.url, ws, 'alex@acme.test');
  await page.goto(`${server.url}/w/${ws}/tickets`);
  const rows = page.locator('a.ticket-row[data-ticket]');
  await rows.nth(2).waitFor({ timeout: T });
  // Newest first: the second row is the second ticket created.
  const order = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-ticket')));
  assert.deepEqual(order, [tickets[2].number, tickets[1].number, tickets[0].number]);
  const second = tickets[1].number;

  // j j: the cursor is on the second row, ringed, aria-current, focused.
  await page.locator('h1').click();
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  const current = page.locator('a.ticket-row[aria-current="true"]');
  assert.equal(await current.count(), 1);
  assert.equal(await current.getAttribute('data-ticket'), second);
  assert.match(await current.getAttribute('class'), /is-current/);
  assert.equal((await focused(page)).label, `${second}: ${tickets[1].summary}`);
  const ring = await current.evaluate((el) => getComputedStyle(el).boxShadow);
  assert.match(ring, /inset/, `a visible ring on the current row: ${ring}`);
  await shots(page, 'shortcuts-list-cursor');

  // In the search box j is a letter: the cursor stays.
  await page.keyboard.press('/');
  assert.equal((await focused(page)).id, 'ticket-search');
  await page.keyboard.type('j');
  assert.equal(await page.getByLabel('Search tickets').inputValue(), 'j');
  assert.equal(await current.getAttribute('data-ticket'), second);
  await page.getByLabel('Search tickets').fill('');
  await page.locator('h1').click();

  // Enter opens it.
  await page.keyboard.press('Enter');
  await page.waitForURL(new RegExp(`/tickets/${second}$`), { timeout: T });
  await page.getByRole('heading', { name: second }).waitFor({ timeout: T });

  // a: assigned to me.
  await page.keyboard.press('a');
  await page.getByRole('button', { name: /Assigned to you/ }).waitFor({ timeout: T });
  const detail = ok(await team.agent('GET', `/api/v1/workspaces/${ws}/tickets/${second}`), 'detail');
  assert.equal(detail.ticket.assignee?.email, 'alex@acme.test');

  // r: the reply box; what I type there is text (a j and an a do nothing else), Ctrl+Enter sends.
  await page.keyboard.press('r');
  const reply = page.getByLabel('Your reply');
  assert.equal(await reply.evaluate((el) => el === document.activeElement), true);
  assert.equal(await reply.inputValue(), '', 'the r itself is not typed');
  await page.keyboard.type('Just a quick j check: a refund is on its way');
  assert.equal(await reply.inputValue(), 'Just a quick j check: a refund is on its way');
  assert.match(page.url(), new RegExp(`/tickets/${second}$`));
  await page.keyboard.press('Control+Enter');
  await page.getByText('Reply sent.').waitFor({ timeout: T });
  const after = ok(await team.agent('GET', `/api/v1/workspaces/${ws}/tickets/${second}`), 'detail');
  assert.ok(after.messages.some((m) => m.sender === 'agent' && m.body === 'Just a quick j check: a refund is on its way'));

  // ? lists the shortcuts: a dialog that holds the focus, closed by Escape.
  await page.locator('h1').click();
  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await dialog.waitFor({ timeout: T });
  for (const what of ['Next ticket', 'Previous ticket', 'Open the ticket under the cursor', 'Select it for a bulk change (again: unselect)', 'Search tickets', 'Assign to me', 'Reply to the visitor', 'Change the status', 'Edit tags', 'Show keyboard shortcuts']) {
    await dialog.getByText(what, { exact: true }).waitFor();
  }
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press('Tab');
    assert.equal((await focused(page)).inDialog, true, 'Tab stays in the dialog');
  }
  // Shortcuts are off under it: r leaves the focus in the dialog, Escape only closes it.
  await page.keyboard.press('r');
  assert.equal((await focused(page)).inDialog, true, 'r did nothing');
  await shots(page, 'shortcuts-dialog');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached', timeout: T });
  assert.match(page.url(), new RegExp(`/tickets/${second}$`), 'Escape closed the dialog only');

  // s: the status buttons; Enter moves it.
  await page.keyboard.press('s');
  assert.equal((await focused(page)).label, 'In Progress');
  await page.keyboard.press('Enter');
  await page.getByText('Status changed to In Progress.').waitFor({ timeout: T });

  // t: the tag editor opens (no tags yet); Escape closes it.
  await page.locator('h1').click();
  await page.keyboard.press('t');
  const picker = page.getByRole('dialog', { name: 'Tags' });
  await picker.waitFor({ timeout: T });
  assert.equal((await focused(page)).tag, 'input');
  await page.keyboard.press('Escape');
  await picker.waitFor({ state: 'detached', timeout: T });

  // Escape: back to the list, the cursor on the ticket I came from; j moves on from there.
  await page.locator('h1').click();
  await page.keyboard.press('Escape');
  await page.waitForURL(new RegExp(`/w/${ws}/tickets$`), { timeout: T });
  await rows.nth(2).waitFor({ timeout: T });
  assert.equal(await current.getAttribute('data-ticket'), second);
  await page.keyboard.press('j');
  assert.equal(await current.getAttribute('data-ticket'), tickets[0].number);
  await page.keyboard.press('k');
  await page.keyboard.press('k');
  assert.equal(await current.getAttribute('data-ticket'), tickets[2].number);

  // / on a ticket: the list's search box.
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: tickets[2].number }).waitFor({ timeout: T });
  await page.locator('h1').click();
  await page.keyboard.press('/');
  await page.waitForURL(new RegExp(`/w/${ws}/tickets$`), { timeout: T });
  await page.waitForFunction(() => document.activeElement?.id === 'ticket-search', null, { timeout: T });
  await page.keyboard.type('VAT');
  await page.waitForURL(/q=VAT/, { timeout: T });
  await page.locator('a.ticket-row[data-ticket]').first().waitFor({ timeout: T });
  assert.equal(await page.locator('a.ticket-row[data-ticket]').count(), 1);

  // The sidebar's button opens the same list.
  await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
  await dialog.waitFor({ timeout: T });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'detached', timeout: T });

  assert.deepEqual(errors, []);
  await ctx.close();
});
