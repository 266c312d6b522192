// The agent's workspace in a real browser against the real server and database (issue 13):
// an owner creates tags; an agent tags tickets from the list and the detail page, filters the
// list by a tag, sets a priority and sorts by it, edits the summary, sees each change in the
// timeline, and meets a 409 when someone else changed the ticket first.
// Screenshots at 1280 px and 390 px go to <repo>/test-output/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { api, chromiumArgs, chromiumPath, repoRoot, startServer } from './support/server.mjs';

const out = path.join(repoRoot, 'test-output');
mkdirSync(out, { recursive: true });
const PASSWORD = 'correct horse battery staple';
const T = 15_000;

let server;
let browser;
let owner;
let ws;

function ok(res, what) {
  assert.ok([200, 201, 204].includes(res.status), `${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The first match of `re` (its group 1) in a mail to `to` (file mail under DATA_DIR/mail). */
async function mailToken(dataDir, to, re) {
  const dir = path.join(dataDir, 'mail');
  const deadline = Date.now() + T;
  for (;;) {
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.eml')) : [];
    for (const f of files) {
      const text = readFileSync(path.join(dir, f), 'utf8').replace(/=\r?\n/g, '').replace(/=3D/gi, '=');
      if (!text.includes(to)) continue;
      const m = text.match(re);
      if (m) return decodeURIComponent(m[1]);
    }
    if (Date.now() > deadline) throw new Error(`no mail for ${to} matching ${re}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

before(async () => {
  server = await startServer();
  const anon = api(server.url);
  const reg = ok(await anon('POST', '/api/v1/auth/register', { email: 'olivia@acme.test', password: PASSWORD, name: 'Olivia Owner' }), 'register owner');
  owner = api(server.url, reg.access_token);
  // Invitations need a confirmed address: follow the link of the confirmation mail.
  const verify = await mailToken(server.dataDir, 'olivia@acme.test', /verify-email\?token=(ev_[A-Za-z0-9_]+)/);
  ok(await anon('POST', '/api/v1/auth/verify-email', { token: verify }), 'verify email');
  ws = ok(await owner('POST', '/api/v1/workspaces', { name: 'Acme Shop' }), 'workspace');
  server.setPlan(ws.id, 'standard');
  ok(await owner('PUT', `/api/v1/workspaces/${ws.id}/ticket-settings`, { enabled: true, notification_email: 'support@acme.test' }), 'tickets');
  // An agent, invited the normal way.
  const agentReg = ok(await anon('POST', '/api/v1/auth/register', { email: 'alex@acme.test', password: PASSWORD, name: 'Alex Agent' }), 'register agent');
  ok(await owner('POST', `/api/v1/workspaces/${ws.id}/invitations`, { email: 'alex@acme.test', role: 'agent' }), 'invite');
  const token = await mailToken(server.dataDir, 'alex@acme.test', /(?:invitations\/accept|accept-invite)\?token=([A-Za-z0-9_\-.~%]+)/);
  ok(await api(server.url, agentReg.access_token)('POST', '/api/v1/invitations/accept', { token }), 'accept');
  for (const [email, summary] of [
    ['jane@example.com', 'Refund for order 1234'],
    ['max@example.com', 'Cannot change my password'],
    ['lee@example.com', 'Invoice shows the wrong amount'],
  ]) {
    ok(await owner('POST', `/api/v1/workspaces/${ws.id}/tickets`, { visitor_email: email, summary, description: 'From the e2e test' }), 'ticket');
  }
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function logIn(page, email) {
  await page.goto(`${server.url}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(new RegExp(`/w/${ws.id}/`));
}

function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    // A 409 answered on purpose is logged by the browser as a failed request; nothing else may be.
    if (m.type() === 'error' && !/status of 409/.test(m.text())) errors.push(m.text());
  });
  return errors;
}

async function shots(page, name) {
  await page.screenshot({ path: path.join(out, `${name}-1280.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(150);
  await page.screenshot({ path: path.join(out, `${name}-390.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
}

test('tags and priority: the owner creates tags, an agent applies them, filters and sorts', async () => {
  // The owner creates two tags on the Tags page.
  const ownerCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const op = await ownerCtx.newPage();
  const ownerErrors = watchErrors(op);
  await logIn(op, 'olivia@acme.test');
  await op.getByRole('link', { name: 'Tags' }).click();
  await op.getByRole('heading', { name: 'Tags', exact: true }).waitFor();
  await op.getByLabel('Tag name').fill('VIP');
  await op.getByLabel('Colour #7c3aed').check();
  await op.getByRole('button', { name: 'Add tag' }).click();
  await op.locator('.tag-admin-row', { hasText: 'VIP' }).waitFor();
  await op.getByLabel('Tag name').fill('Billing');
  await op.getByRole('button', { name: 'Add tag' }).click();
  await op.locator('.tag-admin-row', { hasText: 'Billing' }).waitFor();
  // A taken name is refused at the field.
  await op.getByLabel('Tag name').fill('vip');
  await op.getByRole('button', { name: 'Add tag' }).click();
  await op.getByText('A tag with this name already exists.').waitFor();
  await shots(op, 'tags-page');
  assert.deepEqual(ownerErrors, []);

  // The agent sees the tags but no controls to manage them.
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  try {
    await logIn(page, 'alex@acme.test');
    await page.goto(`${server.url}/w/${ws.id}/tags`);
    await page.locator('.tag-admin-row', { hasText: 'VIP' }).waitFor();
    assert.equal(await page.getByLabel('Tag name').count(), 0, 'agents do not get the add form');
    assert.equal(await page.getByRole('button', { name: /Delete/ }).count(), 0);

    // From the list: tag TKT-10002 with VIP through the row's tag button.
    await page.getByRole('link', { name: /^Tickets/ }).first().click();
    const row2 = page.locator('.ticket-row-wrap', { has: page.locator('[data-ticket="TKT-10002"]') });
    await row2.waitFor({ timeout: T });
    await row2.getByRole('button', { name: 'Tags of TKT-10002' }).click();
    const picker = row2.getByRole('dialog', { name: 'Tags' });
    await picker.getByLabel('VIP').click();
    await row2.locator('.tag-chip', { hasText: 'VIP' }).waitFor({ timeout: T });
    await page.keyboard.press('Escape');
    await picker.waitFor({ state: 'detached' });

    // Filter the list by the tag: only TKT-10002 is left.
    await page.getByLabel('Tag', { exact: true }).selectOption({ label: 'VIP' });
    await page.waitForURL(/tag=/);
    await page.locator('[data-ticket="TKT-10001"]').waitFor({ state: 'detached', timeout: T });
    // The filtered page replaces the list: wait for its row, then check it is the only one.
    await page.locator('[data-ticket="TKT-10002"]').waitFor({ timeout: T });
    assert.deepEqual(await page.locator('[data-ticket]').evaluateAll((els) => els.map((e) => e.getAttribute('data-ticket'))), ['TKT-10002']);
    await page.getByLabel('Tag', { exact: true }).selectOption({ label: 'Any tag' });
    await page.locator('[data-ticket="TKT-10001"]').waitFor({ timeout: T });

    // The detail page: priority, a second tag, the summary.
    await page.locator('[data-ticket="TKT-10001"]').click();
    await page.getByRole('heading', { name: 'TKT-10001' }).waitFor();
    await page.getByLabel('Priority').selectOption('urgent');
    await page.getByTitle('Priority: Urgent').waitFor({ timeout: T });
    await page.getByRole('button', { name: 'Edit tags' }).click();
    await page.getByRole('dialog', { name: 'Tags' }).getByLabel('Filter tags').fill('bil');
    await page.keyboard.press('Enter');
    await page.locator('.ticket-side .tag-chip', { hasText: 'Billing' }).waitFor({ timeout: T });
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Edit summary' }).click();
    await page.getByLabel('Summary', { exact: true }).fill('Refund for order 1234 (paid twice)');
    await page.keyboard.press('Enter');
    await page.locator('.ticket-summary', { hasText: 'Refund for order 1234 (paid twice)' }).waitFor({ timeout: T });
    await page.getByLabel('Category').selectOption('cannot_perform_action');
    // Each change is in the timeline, with who made it.
    const timeline = page.locator('#timeline');
    await timeline.getByText('Alex Agent changed priority from Normal to Urgent').waitFor({ timeout: T });
    await timeline.getByText('Alex Agent added the tag Billing').waitFor();
    await timeline.getByText('Alex Agent changed the summary to “Refund for order 1234 (paid twice)”').waitFor();
    await timeline.getByText('Alex Agent set the category to Cannot perform action').waitFor({ timeout: T });
    await shots(page, 'ticket-tags-priority');

    // Someone else changes the ticket first: the agent's next change is refused, said, and reloaded.
    const current = ok(await owner('GET', `/api/v1/workspaces/${ws.id}/tickets/TKT-10001`), 'read');
    ok(await owner('PATCH', `/api/v1/workspaces/${ws.id}/tickets/TKT-10001`, { version: current.ticket.version, priority: 'high' }), 'owner edit');
    await page.getByLabel('Category').selectOption('other');
    await page.getByText(/was changed by someone else/).first().waitFor({ timeout: T });
    await page.getByTitle('Priority: High').waitFor({ timeout: T });
    assert.equal(await page.getByLabel('Category').inputValue(), 'cannot_perform_action', 'the stale change was not applied');

    // Back on the list: sort by priority, the high one first, chips and priority shown.
    await page.getByRole('link', { name: /Tickets/ }).first().click();
    await page.getByLabel('Sort').selectOption('priority_desc');
    await page.waitForURL(/sort=priority_desc/);
    await page.waitForFunction(() => document.querySelector('[data-ticket]')?.getAttribute('data-ticket') === 'TKT-10001', null, { timeout: T });
    const first = page.locator('[data-ticket="TKT-10001"]');
    assert.match(await first.innerText(), /High/);
    assert.match(await first.innerText(), /Billing/);
    await shots(page, 'ticket-list-tags');
    assert.deepEqual(errors, []);
  } catch (err) {
    await page.screenshot({ path: path.join(out, 'agent-workspace-failure.png'), fullPage: true }).catch(() => undefined);
    throw err;
  } finally {
    await ctx.close();
    await ownerCtx.close();
  }
});
