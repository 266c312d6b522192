// The visitor's language in real browsers against the real server (issue 15, item 3): a
// browser set to German gets the widget in German, writes in German, and completes a
// handoff in German (the assistant's offer, the email step, the ticket card and the
// confirmation); the same in Portuguese; a browser whose language the widget doesn't
// speak (Italian) gets the workspace's default language, which the owner chooses on the
// Widget page. The ticket page shows the visitor's language. Screenshots at 1280 px and
// 390 px go to <repo>/test-output/.
import assert from 'node:assert/strict';
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
  ok(
    await team.owner('POST', `/api/v1/workspaces/${team.ws.id}/articles`, {
      title: 'Shipping times',
      body: 'Orders ship within 1 business day. Standard shipping takes 3 to 5 business days.',
    }),
    'article',
  );
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
});

after(async () => {
  await browser?.close();
  team?.shop.close();
  await server?.stop();
});

/** A visitor whose browser speaks `locale`, on the shop with the chat open. */
async function visitor(locale, viewport = { width: 1280, height: 860 }) {
  const ctx = await browser.newContext({ locale, viewport });
  const page = await ctx.newPage();
  // Script errors (the demo shop answers its favicon 404, which the console reports).
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(team.shop.url);
  await page.locator('#handoff-widget button[aria-expanded]').click();
  const frame = chatFrame(page);
  await frame.locator('textarea:not([disabled])').waitFor({ timeout: T });
  return { ctx, page, frame, errors };
}

/** Sends `text` from the composer (`label`: its accessible name) and waits for the answer. */
async function say(frame, label, text) {
  const before = await frame.locator('.m:not(.visitor)').count();
  const input = frame.getByRole('textbox', { name: label });
  await input.fill(text);
  await input.press('Enter');
  await frame.locator('.m:not(.visitor)').nth(before).waitFor({ timeout: T });
  return (await frame.locator('.m:not(.visitor) .body').last().textContent()).trim();
}

/** Leaves `email` in the email step (`label`: the field's name, `send`: its button). */
async function leaveEmail(frame, label, send, email) {
  await frame.getByRole('textbox', { name: label, exact: true }).fill(email);
  await frame.getByRole('button', { name: send, exact: true }).click();
}

async function ticketOf(number) {
  const list = ok(await team.owner('GET', `/api/v1/workspaces/${team.ws.id}/tickets?q=${encodeURIComponent(number)}`), 'find ticket');
  assert.equal(list.items.length, 1, `ticket ${number}`);
  return list.items[0];
}

test('a German browser gets the widget in German and completes a handoff in German', async () => {
  const v = await visitor('de-DE');
  const { frame } = v;
  assert.equal(await frame.locator('html').getAttribute('lang'), 'de');
  const input = frame.getByRole('textbox', { name: 'Nachricht' });
  assert.equal(await input.getAttribute('placeholder'), 'Nachricht eingeben…');
  assert.equal(await v.page.locator('#handoff-widget button[aria-expanded]').getAttribute('aria-label'), 'Chat schließen');

  const offer = await say(frame, 'Nachricht', 'Ich möchte eine Rückerstattung für meine Bestellung');
  assert.match(offer, /^Ihre Frage kann ich auf Deutsch leider nicht beantworten/);
  assert.match(offer, /Wie lautet Ihre E-Mail-Adresse\?$/);
  await frame.getByText('Ihre E-Mail-Adresse, damit unser Team Ihnen antworten kann').waitFor({ timeout: T });
  await shots(v.page, 'languages-de-email-step');

  await leaveEmail(frame, 'Ihre E-Mail-Adresse', 'Senden', 'lena@example.de');
  const card = frame.getByRole('status', { name: /^Ticket TKT-\d+ erstellt$/ });
  await card.waitFor({ timeout: T });
  await frame.getByText('Ticket erstellt', { exact: true }).waitFor({ timeout: T });
  const done = (await frame.locator('.m:not(.visitor) .body').last().textContent()).trim();
  const [, number] = done.match(/^Erledigt! Ich habe das Ticket (TKT-\d+) für Sie erstellt\. Unser Team antwortet an lena@example\.de/) ?? [];
  assert.ok(number, done);
  await shots(v.page, 'languages-de-ticket');

  // The team sees the visitor's language on the ticket.
  const t = await ticketOf(number);
  assert.equal(t.language, 'de');
  const dash = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const agent = await dash.newPage();
  const agentErrors = watchErrors(agent);
  await logIn(agent, server.url, team.ws.id, 'alex@acme.test');
  await agent.goto(`${server.url}/w/${team.ws.id}/tickets/${number}`);
  const facts = agent.locator('#ticket-facts');
  await facts.getByText('German', { exact: true }).waitFor({ timeout: T });
  await shots(agent, 'languages-ticket-language');
  assert.deepEqual(agentErrors, []);
  assert.deepEqual(v.errors, []);
  await dash.close();
  await v.ctx.close();
});

test('a Portuguese browser on a phone completes a handoff in Portuguese', async () => {
  const v = await visitor('pt-BR', { width: 390, height: 760 });
  const { frame } = v;
  assert.equal(await frame.locator('html').getAttribute('lang'), 'pt');
  const offer = await say(frame, 'Mensagem', 'Quero um reembolso do meu pedido, por favor');
  assert.match(offer, /^Não consigo responder à sua pergunta em português/);
  assert.match(offer, /Qual é o seu e-mail\?$/);
  await leaveEmail(frame, 'Seu endereço de e-mail', 'Enviar', 'ana@example.com.br');
  await frame.getByRole('status', { name: /^Ticket TKT-\d+ criado$/ }).waitFor({ timeout: T });
  const done = (await frame.locator('.m:not(.visitor) .body').last().textContent()).trim();
  const [, number] = done.match(/^Pronto! Criei o ticket (TKT-\d+) para você\. Nossa equipe vai responder para ana@example\.com\.br/) ?? [];
  assert.ok(number, done);
  await shots(v.page, 'languages-pt-ticket');
  assert.equal((await ticketOf(number)).language, 'pt');
  // A short answer keeps the conversation's language.
  const thanks = await say(frame, 'Mensagem', 'obrigado');
  assert.equal(thanks, `De nada! Nossa equipe vai responder aqui no ticket ${number}.`);
  assert.deepEqual(v.errors, []);
  await v.ctx.close();
});

test("a browser language the widget doesn't speak gets the workspace's default, chosen on the Widget page", async () => {
  const dash = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const owner = await dash.newPage();
  const ownerErrors = watchErrors(owner);
  await logIn(owner, server.url, team.ws.id, 'olivia@acme.test');
  await owner.goto(`${server.url}/w/${team.ws.id}/widget`);
  const card = owner.locator('#appearance');
  await card.getByLabel('Default language').selectOption('fr');
  await card.getByRole('button', { name: 'Save appearance' }).click();
  await card.getByRole('button', { name: 'Save appearance' }).and(owner.locator('[disabled]')).waitFor({ timeout: T });
  await shots(owner, 'languages-widget-settings');
  assert.equal(ok(await team.owner('GET', `/api/v1/workspaces/${team.ws.id}`), 'workspace').default_language, 'fr');
  assert.deepEqual(ownerErrors, []);
  await dash.close();

  const v = await visitor('it-IT');
  assert.equal(await v.frame.locator('html').getAttribute('lang'), 'fr');
  const input = v.frame.getByRole('textbox', { name: 'Message' });
  assert.equal(await input.getAttribute('placeholder'), 'Écrivez votre message…');
  // The assistant answers in the language the visitor writes in, here English.
  const answer = await say(v.frame, 'Message', 'How long does shipping take?');
  assert.match(answer, /^From our article “Shipping times”/);
  assert.deepEqual(v.errors, []);
  await v.ctx.close();
});
