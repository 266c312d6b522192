// Attachments in real browsers against the real server (issue 13): a visitor chats on the
// demo shop and gets a ticket; the owner pastes a screenshot into the reply box (a real
// paste event carrying a PNG file), sends it with a line of text; the dashboard's
// conversation shows its thumbnail, and the visitor's widget shows the picture, which opens
// the full image from its signed link. Screenshots at 1280 px and 390 px go to
// <repo>/test-output/.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath, startServer } from './support/server.mjs';
import { T, logIn, makeTeam, shots, visitorTicket, watchErrors } from './support/team.mjs';

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

/**
 * Pastes a PNG drawn on a canvas into `target`, as the clipboard hands over a screenshot: a
 * paste event whose data holds one file named image.png.
 */
async function pasteImage(target, picture) {
  await target.evaluate(async (el, { width, height, color, label }) => {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const g = canvas.getContext('2d');
    g.fillStyle = color;
    g.fillRect(0, 0, width, height);
    if (label) {
      g.fillStyle = '#fff';
      g.font = '48px sans-serif';
      g.fillText(label, 200, 260);
    }
    const blob = await new Promise((r) => canvas.toBlob(r, 'image/png'));
    const data = new DataTransfer();
    data.items.add(new File([blob], 'image.png', { type: 'image/png' }));
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, picture);
}

test('a pasted screenshot goes with the reply and the widget shows it; the visitor pastes one back', async () => {
  const ws = team.ws.id;
  const { visitorCtx, visitor, frame, visitorErrors, ticket } = await visitorTicket(browser, team, 'The checkout button does nothing', 'Checkout button broken');

  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await logIn(page, server.url, ws, 'olivia@acme.test');
  await page.goto(`${server.url}/w/${ws}/tickets/${ticket.number}`);
  const box = page.getByLabel('Your reply');
  await box.waitFor({ timeout: T });
  await box.fill('Here is where to click:');
  // Paste a 900 × 500 screenshot, as the clipboard hands it over (a file named image.png).
  await pasteImage(box, { width: 900, height: 500, color: '#2563eb', label: 'Click "Pay now"' });
  const chip = page.getByRole('list', { name: 'Files to send' }).getByRole('listitem');
  await chip.waitFor({ timeout: T });
  assert.match(await chip.innerText(), /screenshot-.*\.png/);
  assert.equal(await box.inputValue(), 'Here is where to click:', 'the paste added a file, not text');
  await shots(page, 'attachments-reply-box');
  await page.getByRole('button', { name: 'Send' }).click();

  // The dashboard's conversation shows the thumbnail under the reply.
  const sent = page.locator('li.msg-agent', { hasText: 'Here is where to click:' });
  const thumb = sent.locator('.attachment-image img');
  await thumb.waitFor({ timeout: T });
  await thumb.evaluate((img) => (img.complete ? null : new Promise((r) => img.addEventListener('load', r, { once: true }))));
  assert.ok(await thumb.evaluate((img) => img.complete && img.naturalWidth === 320), 'the 320 px thumbnail loaded');
  await shots(page, 'attachments-ticket');

  // The widget shows the picture; its link opens the full image.
  const inWidget = frame.locator('.m.agent', { hasText: 'Here is where to click:' }).locator('.files img');
  await inWidget.waitFor({ timeout: T });
  await inWidget.evaluate((img) => (img.complete ? null : new Promise((r) => img.addEventListener('load', r, { once: true }))));
  assert.ok(await inWidget.evaluate((img) => img.complete && img.naturalWidth > 0), 'the widget loaded the picture');
  const href = await frame.locator('.m.agent .files a').getAttribute('href');
  const full = await page.request.get(`${server.url}${href}`);
  assert.equal(full.status(), 200);
  assert.equal(full.headers()['content-type'], 'image/png');
  assert.match(full.headers()['content-disposition'], /^inline/);
  await shots(visitor, 'attachments-widget');

  // The visitor pastes a screenshot into the widget: it is sent, and the dashboard shows it.
  const message = frame.getByRole('textbox', { name: 'Message' });
  await pasteImage(message, { width: 1000, height: 400, color: '#dc2626' });
  await frame.locator('.m.visitor[data-id]:not([data-id^="local:"]) .files img').waitFor({ timeout: T });
  const fromVisitor = page.locator('li.msg-visitor .attachment-image img');
  await fromVisitor.waitFor({ timeout: T });
  // The element comes with the message; the picture loads after it (wait for it, on a busy machine too).
  await fromVisitor.evaluate((img) => (img.complete ? null : new Promise((r) => img.addEventListener('load', r, { once: true }))));
  assert.ok(await fromVisitor.evaluate((img) => img.complete && img.naturalWidth === 320), 'the visitor\'s screenshot shows as a thumbnail');
  // A file type that isn't allowed says so in the widget, and nothing is sent.
  await frame.getByTestId('widget-file').setInputFiles({ name: 'page.html', mimeType: 'text/html', buffer: Buffer.from('<b>x</b>') });
  await frame.getByRole('alert').getByText(/can't be attached/).waitFor({ timeout: T });
  await shots(visitor, 'attachments-widget-visitor');
  await shots(page, 'attachments-ticket-visitor');

  assert.deepEqual(errors, []);
  assert.deepEqual(visitorErrors, []);
  await Promise.all([visitorCtx.close(), ctx.close()]);
});
