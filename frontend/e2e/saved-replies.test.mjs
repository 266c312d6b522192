// Saved replies in real browsers against the real server (issue 13 part 2): the owner creates
// saved replies with variables on the Saved replies page; a visitor gets a ticket through the
// widget on a customer site; an agent opens the ticket, types `/ref` in the reply box, picks a
// reply with the keyboard, sees the variables filled in, sends it, and the visitor's widget
// shows the filled text. Screenshots (1280 px and 390 px) of the page and of the open list go
// to SHOTS_DIR (default <repo>/test-output/).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath, repoRoot, startServer } from './support/server.mjs';
import { T, logIn as logInAt, makeTeam } from './support/team.mjs';

const out = process.env.SHOTS_DIR ?? path.join(repoRoot, 'test-output');
mkdirSync(out, { recursive: true });
const BODY = 'Hi {{visitor.email}}, your refund for {{ticket.number}} is on its way: 3 to 5 business days.\n— {{agent.name}}, {{workspace.name}}';

let server;
let browser;
let ws;
let shop;

before(async () => {
  server = await startServer();
  // Olivia Owner (confirmed address), Alex Agent (invited), the demo shop allowed.
  ({ ws, shop } = await makeTeam(server));
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
});

after(async () => {
  await browser?.close();
  shop?.close();
  await server?.stop();
});

const logIn = (page, email) => logInAt(page, server.url, ws.id, email);

function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    // A 409 answered on purpose is logged by the browser as a failed request; nothing else may be.
    if (m.type() === 'error' && !/status of 409/.test(m.text())) errors.push(m.text());
  });
  return errors;
}

async function shots(page, name, { fullPage = true, before390 } = {}) {
  await page.screenshot({ path: path.join(out, `${name}-1280.png`), fullPage });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(200);
  if (before390) await before390();
  await page.screenshot({ path: path.join(out, `${name}-390.png`), fullPage });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.waitForTimeout(100);
}

const chat = (page) => page.frameLocator('#handoff-widget iframe[title="Chat"]');

async function ask(page, text) {
  const frame = chat(page);
  const before = await frame.locator('.m:not(.visitor)').count();
  const input = frame.getByRole('textbox', { name: 'Message' });
  await input.fill(text);
  await input.press('Enter');
  await frame.locator('.m.visitor .body', { hasText: text }).last().waitFor({ timeout: T });
  await frame.locator('.typing[hidden]').waitFor({ state: 'attached', timeout: T });
  await frame.locator('.m:not(.visitor)').nth(before).waitFor({ timeout: T });
}

test('the owner writes saved replies; an agent inserts one with / and the keyboard; the visitor gets it filled in', async () => {
  // The owner creates saved replies on the Saved replies page (next to Tags).
  const ownerCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const op = await ownerCtx.newPage();
  const ownerErrors = watchErrors(op);
  await logIn(op, 'olivia@acme.test');
  await op.getByRole('link', { name: 'Saved replies' }).click();
  await op.getByRole('heading', { name: 'Saved replies', exact: true }).waitFor();
  const add = async (title, shortcut, body) => {
    await op.getByLabel('Title', { exact: true }).fill(title);
    await op.getByLabel('Shortcut', { exact: true }).fill(shortcut);
    await op.getByLabel('Reply text', { exact: true }).fill(body);
    await op.getByRole('button', { name: 'Add saved reply' }).click();
    await op.locator('.saved-admin-row .saved-shortcut', { hasText: new RegExp(`^/${shortcut.replace(/^\//, '').toLowerCase()}$`) }).waitFor({ timeout: T });
  };
  await add('Refund is late', 'refund-late', 'Sorry {{visitor.email}}, the refund for {{ticket.number}} is taking longer than usual.');
  // The variable buttons insert at the caret.
  await op.getByLabel('Title', { exact: true }).fill('Refund started');
  await op.getByLabel('Shortcut', { exact: true }).fill('/Refund');
  await op.getByLabel('Reply text', { exact: true }).fill(BODY.replace('{{workspace.name}}', ''));
  await op.getByRole('button', { name: '{{workspace.name}}' }).click();
  assert.equal(await op.getByLabel('Reply text', { exact: true }).inputValue(), BODY);
  await op.getByRole('button', { name: 'Add saved reply' }).click();
  await op.locator('.saved-admin-row .saved-shortcut', { hasText: /^\/refund$/ }).waitFor({ timeout: T });
  await add('Thanks', 'thanks', 'Thanks for your patience, {{visitor.email}}!');
  // A taken shortcut is refused at the field.
  await op.getByLabel('Title', { exact: true }).fill('Another refund');
  await op.getByLabel('Shortcut', { exact: true }).fill('refund');
  await op.getByLabel('Reply text', { exact: true }).fill('Again');
  await op.getByRole('button', { name: 'Add saved reply' }).click();
  await op.getByText('Another saved reply already uses this shortcut. Choose another one.').waitFor({ timeout: T });
  await op.getByLabel('Shortcut', { exact: true }).fill('');
  await op.getByLabel('Title', { exact: true }).fill('');
  await op.getByLabel('Reply text', { exact: true }).fill('');
  assert.deepEqual(await op.locator('.saved-admin-row .saved-shortcut').allInnerTexts(), ['/refund', '/refund-late', '/thanks']);
  await shots(op, 'saved-replies-page');
  assert.deepEqual(ownerErrors, []);

  // A visitor asks for a refund in the widget and gets a ticket.
  const visitorCtx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const visitor = await visitorCtx.newPage();
  const visitorErrors = [];
  visitor.on('pageerror', (e) => visitorErrors.push(e.message));
  await visitor.goto(shop.url);
  await visitor.locator('#handoff-widget button[aria-expanded]').click();
  const frame = chat(visitor);
  await frame.locator('textarea:not([disabled])').waitFor({ timeout: T });
  await ask(visitor, 'I want a refund for my order');
  const email = frame.getByRole('textbox', { name: 'Your email address' });
  if (!(await email.isVisible())) await ask(visitor, 'Yes, please create a ticket');
  await email.waitFor({ timeout: T });
  await email.fill('ann@example.com');
  await email.press('Enter');
  const card = frame.locator('.card');
  await card.waitFor({ timeout: T });
  const number = (await card.locator('.cn').textContent()).trim();
  assert.match(number, /^TKT-\d+$/);

  // The agent: read-only Saved replies, then the ticket's reply box.
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  try {
    await logIn(page, 'alex@acme.test');
    await page.getByRole('link', { name: 'Saved replies' }).click();
    await page.locator('.saved-admin-row', { hasText: 'Refund started' }).waitFor({ timeout: T });
    assert.equal(await page.getByLabel('Title', { exact: true }).count(), 0, 'agents do not get the form');
    assert.equal(await page.getByRole('button', { name: /Edit|Delete/ }).count(), 0);

    await page.goto(`${server.url}/w/${ws.id}/tickets/${number}`);
    await page.getByRole('heading', { name: number }).waitFor({ timeout: T });
    const box = page.getByLabel('Your reply');
    await box.click();
    await box.pressSequentially('/ref', { delay: 30 });
    const list = page.getByRole('listbox', { name: 'Saved replies' });
    await list.waitFor({ timeout: T });
    const options = list.getByRole('option');
    assert.deepEqual(await options.locator('.saved-shortcut').allInnerTexts(), ['/refund', '/refund-late']);
    const activeShortcut = () =>
      page.evaluate(() => {
        const id = document.activeElement?.getAttribute('aria-activedescendant');
        return id ? document.getElementById(id)?.querySelector('.saved-shortcut')?.textContent : null;
      });
    assert.equal(await activeShortcut(), '/refund');
    await page.keyboard.press('ArrowDown');
    assert.equal(await activeShortcut(), '/refund-late');
    // The preview shows the filled text.
    assert.match(await options.nth(0).innerText(), new RegExp(`Hi ann@example\\.com, your refund for ${number}`));
    await shots(page, 'saved-replies-popover', {
      fullPage: false,
      before390: async () => {
        await box.scrollIntoViewIfNeeded();
        await list.waitFor();
      },
    });
    await page.keyboard.press('ArrowUp');
    assert.equal(await activeShortcut(), '/refund');
    await page.keyboard.press('Enter');
    await list.waitFor({ state: 'detached', timeout: T });
    const filled = `Hi ann@example.com, your refund for ${number} is on its way: 3 to 5 business days.\n— Alex Agent, Acme Shop`;
    assert.equal(await box.inputValue(), filled);
    // Typing goes on after the inserted text.
    await page.keyboard.type(' Thanks!');
    assert.equal(await box.inputValue(), `${filled} Thanks!`);
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Reply sent').waitFor({ timeout: T });

    // The visitor's open widget shows the filled text, from the agent.
    const reply = frame.locator('.m.agent', { hasText: `your refund for ${number} is on its way` });
    await reply.waitFor({ timeout: T });
    const shown = await reply.locator('.body').innerText();
    assert.ok(shown.includes('Hi ann@example.com'), shown);
    assert.ok(shown.includes('Alex Agent, Acme Shop Thanks!'), shown);
    assert.ok(!shown.includes('{{'), `no placeholder left: ${shown}`);
    assert.match(await reply.locator('.who').textContent(), /Alex/);
    await visitor.screenshot({ path: path.join(out, 'saved-replies-widget-1280.png') });

    // Escape closes the list and keeps what was typed.
    await box.fill('');
    await box.pressSequentially('/th', { delay: 30 });
    await list.waitFor({ timeout: T });
    await page.keyboard.press('Escape');
    await list.waitFor({ state: 'detached', timeout: T });
    assert.equal(await box.inputValue(), '/th');

    // The conversation's Reply box has the same list.
    await page.goto(`${server.url}/w/${ws.id}/conversations`);
    await page.getByTestId('conv-row').first().click();
    const convBox = page.getByLabel('Your reply');
    await convBox.waitFor({ timeout: T });
    await convBox.click();
    await convBox.pressSequentially('Also: /than', { delay: 30 });
    await list.waitFor({ timeout: T });
    assert.deepEqual(await options.locator('.saved-shortcut').allInnerTexts(), ['/thanks']);
    await page.screenshot({ path: path.join(out, 'saved-replies-popover-conversation-1280.png') });
    await page.keyboard.press('Tab');
    assert.equal(await convBox.inputValue(), 'Also: Thanks for your patience, ann@example.com!');
    assert.deepEqual(errors, []);
    assert.deepEqual(visitorErrors, []);
  } catch (err) {
    await page.screenshot({ path: path.join(out, 'saved-replies-failure.png'), fullPage: true }).catch(() => undefined);
    throw err;
  } finally {
    await ctx.close();
    await visitorCtx.close();
    await ownerCtx.close();
  }
});
