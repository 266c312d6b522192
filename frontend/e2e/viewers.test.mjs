// Collision awareness in real browsers against the real server (issue 13): a visitor chats on
// the demo shop and gets a ticket; Olivia and Alex open it in their own browsers. Each sees
// the other ("Alex Agent is also viewing"), never themselves. Alex types a reply: Olivia sees
// "Alex Agent is typing a reply…" by the header and over her reply box, the visitor's widget
// only "Alex Agent is typing…" (as before: nothing about who views). Alex goes back to the
// list: Olivia's line clears at once; he opens it again and closes the tab: it clears again
// (the keepalive leave). Screenshots at 1280 px and 390 px go to <repo>/test-output/.
import assert from 'node:assert/strict';
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

async function agentPage(email) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await logIn(page, server.url, team.ws.id, email);
  return { ctx, page, errors };
}

test('two agents on one ticket see each other, and who is typing, before they collide', async () => {
  const ws = team.ws.id;
  // The visitor chats; the team makes a ticket of the conversation.
  const { visitorCtx, frame, visitorErrors, ticket } = await visitorTicket(browser, team, 'My parcel never arrived, order 5521', 'Parcel for order 5521 never arrived');
  const url = `${server.url}/w/${ws}/tickets/${ticket.number}`;

  const olivia = await agentPage('olivia@acme.test');
  await olivia.page.goto(url);
  const oliviaLine = olivia.page.getByTestId('others');
  await oliviaLine.waitFor({ state: 'attached', timeout: T });
  assert.equal((await oliviaLine.innerText()).trim(), '', 'alone: nothing, and never myself');

  const alex = await agentPage('alex@acme.test');
  await alex.page.goto(url);
  // Each sees the other, live.
  await oliviaLine.getByText('Alex Agent is also viewing').waitFor({ timeout: T });
  await alex.page.getByTestId('others').getByText('Olivia Owner is also viewing').waitFor({ timeout: T });
  // The server knows both (a page opened now would too).
  const detail = ok(await team.owner('GET', `/api/v1/workspaces/${ws}/tickets/${ticket.number}`), 'detail');
  assert.deepEqual(detail.viewers.viewers.map((v) => v.name).sort(), ['Alex Agent', 'Olivia Owner']);
  await shots(olivia.page, 'viewers-also-viewing');

  // Alex types a reply: Olivia sees it by the header and over her reply box.
  await alex.page.getByLabel('Your reply').pressSequentially('Sorry about that, I am checking with the carrier', { delay: 20 });
  await oliviaLine.getByText('Alex Agent is typing a reply…').waitFor({ timeout: T });
  await olivia.page.getByTestId('reply-typing').getByText(/Alex Agent is typing a reply…/).waitFor({ timeout: T });
  // The visitor sees only what agents' typing always showed.
  await frame.getByText('Alex Agent is typing…').waitFor({ timeout: T });
  const widgetText = await frame.locator('body').innerText();
  assert.ok(!/viewing/i.test(widgetText), widgetText);
  assert.ok(!widgetText.includes('Olivia'), widgetText);
  await shots(olivia.page, 'viewers-typing');
  // Alex's own page shows nothing about himself.
  assert.equal(await alex.page.getByTestId('reply-typing').count(), 0);
  assert.doesNotMatch(await alex.page.getByTestId('others').innerText(), /Alex/);

  // He sends: the typing line goes; he is still there.
  await alex.page.getByRole('button', { name: 'Send' }).click();
  await alex.page.getByText('Reply sent.').waitFor({ timeout: T });
  await olivia.page.getByTestId('reply-typing').waitFor({ state: 'detached', timeout: T });
  await oliviaLine.getByText('Alex Agent is also viewing').waitFor({ timeout: T });
  await frame.locator('.m.agent', { hasText: 'checking with the carrier' }).waitFor({ timeout: T });

  // Alex goes back to the list: gone from Olivia's page at once.
  await alex.page.getByRole('link', { name: /Tickets/ }).first().click();
  await alex.page.waitForURL(new RegExp(`/w/${ws}/tickets$`), { timeout: T });
  await oliviaLine.getByText('Alex Agent is also viewing').waitFor({ state: 'detached', timeout: T });
  assert.equal((await oliviaLine.innerText()).trim(), '');

  // He opens it again, then closes the tab without a word from the page: the keepalive
  // leave on pagehide tells the server, and Olivia's line clears.
  await alex.page.goto(url);
  await oliviaLine.getByText('Alex Agent is also viewing').waitFor({ timeout: T });
  await alex.page.close({ runBeforeUnload: true });
  await oliviaLine.getByText('Alex Agent is also viewing').waitFor({ state: 'detached', timeout: T });
  const later = ok(await team.owner('GET', `/api/v1/workspaces/${ws}/tickets/${ticket.number}`), 'detail');
  assert.deepEqual(later.viewers.viewers.map((v) => v.name), ['Olivia Owner']);

  assert.deepEqual(olivia.errors, []);
  assert.deepEqual(alex.errors, []);
  assert.deepEqual(visitorErrors, []);
  await Promise.all([visitorCtx.close(), alex.ctx.close(), olivia.ctx.close()]);
});
