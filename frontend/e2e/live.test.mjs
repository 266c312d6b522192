// Live chat end to end, two browsers against the real server: a visitor chats on the demo
// shop page (frontend/widget/demo-shop.html, served from another origin as on a real site)
// while an agent watches the conversation live on the dashboard's Conversations page; the
// agent takes over ("Dana Owner joined the chat"), both type (each sees the other typing),
// messages go both ways, the assistant stays silent while taken over, the agent hands back
// and the assistant answers again. Screenshots (1280 px and 390 px) of the Conversations
// page, the conversation and the widget go to <repo>/test-output/.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { api, chromiumArgs, chromiumPath, freePort, repoRoot, startServer } from './support/server.mjs';

const OUT = path.join(repoRoot, 'test-output');
const T = 20_000;
const PASSWORD = 'correct horse battery staple';

let server;
let browser;
let owner;
let ws;
let shopUrl;
let shop;

/** The demo shop page, as `serve --demo-bind` serves it, on its own port (another origin). */
async function demoShop(handoffUrl, widgetKey) {
  const port = await freePort();
  const html = readFileSync(path.join(repoRoot, 'frontend', 'widget', 'demo-shop.html'), 'utf8')
    .replaceAll('{{HANDOFF_URL}}', handoffUrl)
    .replaceAll('{{WIDGET_KEY}}', widgetKey);
  shop = http.createServer((req, res) => {
    res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(req.url === '/' ? html : '');
  });
  await new Promise((r) => shop.listen(port, '127.0.0.1', r));
  return `http://127.0.0.1:${port}`;
}

function ok(res, what) {
  assert.ok([200, 201, 204].includes(res.status), `${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function shot(page, name) {
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: path.join(OUT, `${name}.png`) });
}

before(async () => {
  server = await startServer();
  const reg = ok(await api(server.url)('POST', '/api/v1/auth/register', { email: 'dana@acme.test', password: PASSWORD, name: 'Dana Owner' }), 'register');
  owner = api(server.url, reg.access_token);
  ws = ok(await owner('POST', '/api/v1/workspaces', { name: 'Acme Shop' }), 'workspace');
  server.setPlan(ws.id, 'standard');
  ok(await owner('PUT', `/api/v1/workspaces/${ws.id}/ticket-settings`, { enabled: true, notification_email: 'support@acme.test' }), 'tickets');
  ok(
    await owner('POST', `/api/v1/workspaces/${ws.id}/articles`, {
      title: 'Shipping times',
      body: 'How long does shipping take? Orders ship within 1 business day. Standard shipping takes 3 to 5 business days.',
    }),
    'article',
  );
  shopUrl = await demoShop(server.url, ws.widget_key);
  ok(await owner('PATCH', `/api/v1/workspaces/${ws.id}`, { allowed_origins: [shopUrl] }), 'allowed origins');
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
});

after(async () => {
  await browser?.close();
  shop?.close();
  await server?.stop();
});

const chat = (page) => page.frameLocator('#handoff-widget iframe[title="Chat"]');

/** The visitor sends `text` and waits for it to be stored (the pending bubble gone). */
async function visitorSays(page, text) {
  const frame = chat(page);
  const input = frame.getByRole('textbox', { name: 'Message' });
  await input.fill(text);
  await input.press('Enter');
  await frame.locator('.m.visitor[data-id]:not([data-id^="local:"]) .body', { hasText: text }).last().waitFor({ timeout: T });
}

test('an agent watches a chat live, takes over, talks both ways with typing shown, hands back', async () => {
  // The agent signs in first: their dashboard is open, so the team counts as online.
  const agentCtx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const agent = await agentCtx.newPage();
  const agentErrors = [];
  agent.on('pageerror', (e) => agentErrors.push(e.message));
  await agent.goto(`${server.url}/login`);
  await agent.getByLabel('Email').fill('dana@acme.test');
  await agent.getByLabel('Password').fill(PASSWORD);
  await agent.getByRole('button', { name: 'Log in' }).click();
  await agent.waitForURL(new RegExp(`/w/${ws.id}/`));
  await agent.goto(`${server.url}/w/${ws.id}/conversations`);
  await agent.getByRole('heading', { name: 'Conversations' }).waitFor({ timeout: T });

  // The visitor opens the chat on the demo shop and asks a question the assistant answers.
  const visitorCtx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const visitor = await visitorCtx.newPage();
  const visitorErrors = [];
  visitor.on('pageerror', (e) => visitorErrors.push(e.message));
  await visitor.goto(shopUrl);
  await visitor.locator('#handoff-widget button[aria-expanded]').click();
  const frame = chat(visitor);
  await frame.locator('textarea:not([disabled])').waitFor({ timeout: T });
  await visitorSays(visitor, 'How long does shipping take?');
  await frame.locator('.m.assistant .body', { hasText: /business day/ }).last().waitFor({ timeout: T });

  // The conversation appears live on the agent's list, online now.
  const row = agent.getByTestId('conv-row').first();
  await row.getByText('Online now', { exact: true }).waitFor({ timeout: T });
  await row.getByText(/AI:/).waitFor({ timeout: T });
  await shot(agent, 'live-conversations-1280');
  // Filters: online now, and "With the AI".
  // A click, not check(): the box follows the URL, which the router updates a moment later.
  await agent.getByLabel('Online now').click();
  await agent.waitForURL(/online=1/);
  await agent.getByTestId('conv-row').first().waitFor({ timeout: T });
  await agent.getByRole('button', { name: 'Taken over' }).click();
  await agent.getByText('No conversations match').waitFor({ timeout: T });
  await agent.getByRole('button', { name: 'With the AI' }).click();
  await agent.getByTestId('conv-row').first().click();

  // The conversation view: live messages, presence, who answers.
  await agent.getByTestId('presence').getByText('Online now').waitFor({ timeout: T });
  await agent.getByTestId('answerer').getByText('The AI assistant answers this conversation.').waitFor();
  await agent.locator('li.msg-visitor', { hasText: 'How long does shipping take?' }).waitFor({ timeout: T });

  // The visitor types: the agent sees it.
  await frame.getByRole('textbox', { name: 'Message' }).pressSequentially('I need to change my address', { delay: 20 });
  await agent.getByTestId('typing-line').getByText('The visitor is typing…').waitFor({ timeout: T });

  // Take over: the visitor is told who joined; the widget says who they chat with.
  await agent.getByRole('button', { name: 'Take over' }).click();
  await agent.getByTestId('answerer').getByText(/You have this conversation/).waitFor({ timeout: T });
  await frame.locator('.m.system', { hasText: 'Dana Owner joined the chat' }).waitFor({ timeout: T });
  await frame.getByText("You're chatting with Dana Owner").waitFor({ timeout: T });

  // The agent types: the widget shows "Dana Owner is typing…".
  const reply = agent.getByLabel('Your reply');
  await reply.pressSequentially('Hi, I am Dana', { delay: 20 });
  await frame.getByText('Dana Owner is typing…').waitFor({ timeout: T });
  await shot(visitor, 'live-widget-agent-typing-1280');
  await agent.getByRole('button', { name: 'Send' }).click();
  await frame.locator('.m.agent', { hasText: 'Hi, I am Dana' }).waitFor({ timeout: T });
  await frame.getByText('Dana Owner is typing…').waitFor({ state: 'hidden', timeout: T });

  // The visitor sends what they typed, and a question the assistant could answer: the agent
  // sees both live, and the assistant stays silent.
  await frame.getByRole('textbox', { name: 'Message' }).press('Enter');
  // Stored, not only shown as pending: the widget sends one message at a time, so the next
  // one typed before this one's answer would stay in the box.
  await frame.locator('.m.visitor[data-id]:not([data-id^="local:"]) .body', { hasText: 'I need to change my address' }).waitFor({ timeout: T });
  await visitorSays(visitor, 'And how long does shipping take?');
  await agent.locator('li.msg-visitor', { hasText: 'And how long does shipping take?' }).waitFor({ timeout: T });
  const assistantBefore = await frame.locator('.m.assistant[data-id]:not([data-id="greeting"])').count();
  // Give a (wrong) answer time to arrive: it must not.
  await visitor.waitForTimeout(1500);
  assert.equal(await frame.locator('.m.assistant[data-id]:not([data-id="greeting"])').count(), assistantBefore, 'the assistant stayed silent while taken over');
  assert.equal(await agent.locator('li.msg-assistant').count(), 1, 'the agent sees no new assistant message');
  await shot(agent, 'live-conversation-1280');
  await shot(visitor, 'live-widget-taken-over-1280');

  await reply.fill('Sure: your new address is saved. Anything else?');
  await agent.getByRole('button', { name: 'Send' }).click();
  await frame.locator('.m.agent', { hasText: 'your new address is saved' }).waitFor({ timeout: T });

  // Phones: the list, the conversation and the widget at 390 px.
  await agent.setViewportSize({ width: 390, height: 844 });
  await shot(agent, 'live-conversation-390');
  await agent.goto(`${server.url}/w/${ws.id}/conversations`);
  await agent.getByTestId('conv-row').first().getByText('Dana Owner', { exact: true }).waitFor({ timeout: T });
  await shot(agent, 'live-conversations-390');
  await agent.goBack();
  await agent.setViewportSize({ width: 1280, height: 860 });
  await visitor.setViewportSize({ width: 390, height: 844 });
  await shot(visitor, 'live-widget-390');
  await visitor.setViewportSize({ width: 1280, height: 860 });

  // Hand back: the visitor is told, and the assistant answers again.
  await agent.getByRole('button', { name: 'Hand back to AI' }).click();
  await agent.getByTestId('answerer').getByText('The AI assistant answers this conversation.').waitFor({ timeout: T });
  await frame.locator('.m.system', { hasText: 'Dana Owner left the chat' }).waitFor({ timeout: T });
  await frame.getByText('We usually answer right away').waitFor({ timeout: T });
  await visitorSays(visitor, 'How long does shipping take to Berlin?');
  await frame.locator('.m.assistant .body', { hasText: /business day/ }).nth(1).waitFor({ timeout: T });
  await agent.locator('li.msg-assistant').nth(1).waitFor({ timeout: T });

  assert.deepEqual(agentErrors, []);
  assert.deepEqual(visitorErrors, []);
  await agentCtx.close();
  await visitorCtx.close();
});
