// Internal notes and @mentions in real browsers against the real server (issue 13): a
// visitor chats on the demo shop and gets a ticket; the owner writes an internal note on it,
// mentioning Alex from the @ list with the keyboard, then replies. The visitor's widget shows
// the reply and never the note. Alex, on the ticket list, gets a toast and a Mentions badge
// live, and a mail; the Mentions page lists the note; opening the ticket reads it and the
// badge goes. Screenshots at 1280 px and 390 px go to <repo>/test-output/.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath, startServer } from './support/server.mjs';
import { T, logIn, mailMatch, makeTeam, ok, shots, visitorTicket, watchErrors } from './support/team.mjs';

const SECRET = 'Refund approved internally, margin is fine';

let server;
let browser;
let team;

before(async () => {
  server = await startServer();
  team = await makeTeam(server);
  ok(await team.agent('PUT', `/api/v1/workspaces/${team.ws.id}/notification-preferences`, { email: 'immediately', delay_minutes: 15 }), 'prefs');
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
});

after(async () => {
  await browser?.close();
  team?.shop.close();
  await server?.stop();
});

test('a note stays with the team, and a mention reaches the teammate', async () => {
  const ws = team.ws.id;
  // The visitor chats on the shop; the team makes a ticket of the conversation.
  const { visitorCtx, visitor, frame, visitorErrors, ticket } = await visitorTicket(browser, team, 'I want a refund for order 1234', 'Refund for order 1234');

  // Alex waits on the ticket list.
  const alexCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const alex = await alexCtx.newPage();
  const alexErrors = watchErrors(alex);
  await logIn(alex, server.url, ws, 'alex@acme.test');
  await alex.goto(`${server.url}/w/${ws}/tickets`);
  await alex.locator(`[data-ticket="${ticket.number}"]`).waitFor({ timeout: T });
  assert.equal(await alex.getByTestId('mentions-badge').count(), 0);

  // Olivia writes a note on the ticket and mentions Alex from the list, keyboard only.
  const oliviaCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const olivia = await oliviaCtx.newPage();
  const oliviaErrors = watchErrors(olivia);
  await logIn(olivia, server.url, ws, 'olivia@acme.test');
  await olivia.goto(`${server.url}/w/${ws}/tickets/${ticket.number}`);
  const note = olivia.getByRole('combobox', { name: 'Internal note' });
  await note.waitFor({ timeout: T });
  await note.pressSequentially(`${SECRET}. <b>@al`, { delay: 10 });
  const list = olivia.getByRole('listbox', { name: 'Mention a teammate' });
  await list.getByRole('option', { name: /Alex Agent/ }).waitFor({ timeout: T });
  await shots(olivia, 'notes-mention-picker');
  await note.press('Enter');
  assert.equal(await note.inputValue(), `${SECRET}. <b>@Alex Agent `);
  await note.pressSequentially('can you check?', { delay: 10 });
  await olivia.getByRole('button', { name: 'Add note' }).click();
  await olivia.getByText('Note added; Alex Agent was notified.').waitFor({ timeout: T });
  const shown = olivia.locator('li.msg-note', { hasText: SECRET });
  await shown.waitFor({ timeout: T });
  await shown.getByText('Internal note', { exact: true }).waitFor();
  await shown.getByText('Only your team sees this').waitFor();
  assert.equal(await shown.locator('mark.mention').innerText(), '@Alex Agent');
  assert.match(await shown.locator('.msg-body').innerText(), /<b>@Alex Agent can you check\?/, 'typed markup is shown as text');
  await olivia.getByText('Olivia Owner added an internal note mentioning Alex Agent').waitFor({ timeout: T });

  // Then replies to the visitor: the widget shows the reply, never the note.
  await olivia.getByLabel('Your reply').fill('We are on it: your refund is being processed.');
  await olivia.getByRole('button', { name: 'Send' }).click();
  await frame.locator('.m.agent', { hasText: 'your refund is being processed' }).waitFor({ timeout: T });
  const widgetText = await frame.locator('body').innerText();
  assert.ok(!widgetText.includes(SECRET), widgetText);
  assert.ok(!/internal note/i.test(widgetText), widgetText);
  await visitor.reload();
  await visitor.locator('#handoff-widget button[aria-expanded]').click();
  await frame.locator('.m.agent', { hasText: 'your refund is being processed' }).waitFor({ timeout: T });
  assert.ok(!(await frame.locator('body').innerText()).includes(SECRET), 'not in the history either');
  await shots(olivia, 'notes-ticket');

  // Alex: a toast and the badge, live; and a mail.
  await alex.getByText(`Olivia Owner mentioned you in ${ticket.number}`).waitFor({ timeout: T });
  await alex.getByTestId('mentions-badge').getByText('1').waitFor({ timeout: T });
  const [mail] = await mailMatch(server.dataDir, 'alex@acme.test', /Olivia Owner mentioned you in ticket TKT-\d+/);
  assert.match(mail, new RegExp(ticket.number));
  await alex.getByRole('link', { name: /Mentions/ }).click();
  const row = alex.getByTestId('mention-row').first();
  await row.getByText(SECRET, { exact: false }).waitFor({ timeout: T });
  assert.equal(await row.getAttribute('data-read'), 'false');
  await shots(alex, 'notes-mentions');
  await row.getByRole('link', { name: new RegExp(ticket.number) }).click();
  await alex.locator('li.msg-note', { hasText: SECRET }).waitFor({ timeout: T });
  await alex.getByTestId('mentions-badge').waitFor({ state: 'detached', timeout: T });
  await alex.getByRole('link', { name: /Mentions/ }).click();
  await alex.getByTestId('mention-row').first().and(alex.locator('[data-read="true"]')).waitFor({ timeout: T });

  assert.deepEqual(oliviaErrors, []);
  assert.deepEqual(alexErrors, []);
  assert.deepEqual(visitorErrors, []);
  await Promise.all([visitorCtx.close(), alexCtx.close(), oliviaCtx.close()]);
});
