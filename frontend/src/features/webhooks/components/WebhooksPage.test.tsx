import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAt, signIn, stubApi } from '../../../test/render';
import { WebhooksPage } from './WebhooksPage';

const WS = '11111111-1111-1111-1111-111111111111';
const HOOK = { id: 'h1', url: 'https://crm.example.com/hooks', events: ['ticket.created', 'ticket.assigned'], active: false, created_at: '2026-11-24T10:00:00Z' };
const delivery = (id: string, over: Record<string, unknown>) => ({
  id,
  event: 'ticket.created',
  attempts: 1,
  delivered_at: null,
  status_code: null,
  last_error: null,
  created_at: '2026-11-24T10:00:00Z',
  ...over,
});

function setup(redeliverReply: () => { status?: number; body?: unknown }) {
  signIn();
  const failed = delivery('d-failed', { attempts: 12, status_code: 503, last_error: 'http_503' });
  return stubApi([
    { path: /\/webhooks$/, reply: () => ({ body: { items: [HOOK] } }) },
    {
      path: /\/webhooks\/h1\/deliveries$/,
      reply: () => ({
        body: {
          items: [failed, delivery('d-ok', { delivered_at: '2026-11-24T10:00:01Z', status_code: 204 }), delivery('d-new', { attempts: 0 })],
          next_cursor: null,
        },
      }),
    },
    { method: 'POST', path: /\/webhooks\/h1\/test$/, reply: () => ({ status: 202, body: delivery('d-test', { event: 'webhook.test', attempts: 0 }) }) },
    { method: 'POST', path: /\/deliveries\/d-failed\/redeliver$/, reply: () => ({ status: 202, ...redeliverReply() }) },
  ]);
}

describe('WebhooksPage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('offers ticket.assigned, sends a test event to an endpoint that is off, and opens its deliveries', async () => {
    const { calls } = setup(() => ({ body: {} }));
    renderAt(`/w/${WS}/webhooks`, '/w/:ws/webhooks', <WebhooksPage />);
    expect(await screen.findByRole('checkbox', { name: 'ticket.assigned' })).toBeTruthy();
    fireEvent.click(await screen.findByRole('button', { name: 'Send test event' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.url.pathname.endsWith('/webhooks/h1/test'))).toBe(true));
    expect((await screen.findByRole('status')).textContent).toContain('webhook.test');
    // The deliveries open: only the one that failed after attempts can be redelivered.
    const table = await screen.findByRole('table', { name: 'Recent deliveries' });
    await within(table).findByText('12');
    expect(within(table).getAllByRole('button', { name: /^Redeliver/ })).toHaveLength(1);
  });

  it('redelivers a failed delivery and shows a refusal', async () => {
    const { calls } = setup(() => ({ status: 409, body: { error: { code: 'webhook_inactive', message: 'The webhook is switched off; switch it on to redeliver.' } } }));
    renderAt(`/w/${WS}/webhooks`, '/w/:ws/webhooks', <WebhooksPage />);
    fireEvent.click(await screen.findByRole('button', { name: 'Deliveries' }));
    const table = await screen.findByRole('table', { name: 'Recent deliveries' });
    fireEvent.click(await within(table).findByRole('button', { name: /^Redeliver ticket\.created/ }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.url.pathname.endsWith('/deliveries/d-failed/redeliver'))).toBe(true));
    expect(await screen.findByText('The webhook is switched off; switch it on to redeliver.')).toBeTruthy();
  });
});
