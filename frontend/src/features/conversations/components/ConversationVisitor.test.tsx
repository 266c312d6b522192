import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConversationDetail, Role } from '../../../lib/types';
import { renderAt, signIn, stubApi } from '../../../test/render';
import { ConversationPage } from './ConversationPage';

const WS = '11111111-1111-1111-1111-111111111111';
const VISITOR = {
  id: 'v1',
  email: 'sam@example.com',
  country: 'FR',
  device: { browser: 'Safari', os: 'macOS', kind: 'desktop' },
  page_url: 'https://shop.example.com/cart',
  first_seen_at: '2026-12-02T09:00:00Z',
  last_seen_at: '2026-12-02T10:00:00Z',
  erased_at: null,
};

function detail(visitor: ConversationDetail['visitor'] = VISITOR): ConversationDetail {
  return {
    conversation: { id: 'c1', visitor_id: 'v1', visitor_unread_count: 0, created_at: '2026-12-02T10:00:00Z', last_message_at: '2026-12-02T10:00:00Z', visitor_online: false, taken_over: null },
    visitor,
    messages: [],
    notes: [],
    ticket: null,
  };
}

function setup(role: Role, first: ConversationDetail = detail()) {
  signIn();
  let current = first;
  const stub = stubApi([
    { path: /\/api\/v1\/me$/, reply: () => ({ body: { id: 'u-me', email: 'me@acme.test', name: 'Me', workspaces: [{ id: WS, name: 'Acme', role }] } }) },
    { path: /\/conversations\/c1$/, reply: () => ({ body: current }) },
    { method: 'POST', path: /\/conversations\/c1\/read$/, reply: () => ({ status: 204 }) },
    {
      method: 'POST',
      path: /\/visitors\/v1\/erase$/,
      reply: () => {
        current = detail({ id: 'v1', email: null, device: {}, first_seen_at: VISITOR.first_seen_at, last_seen_at: VISITOR.last_seen_at, erased_at: '2026-12-02T11:00:00Z' });
        return { body: { visitor_id: 'v1', erased_at: '2026-12-02T11:00:00Z', conversations: 1, messages_deleted: 3, attachments_deleted: 0, tickets_anonymised: 0 } };
      },
    },
  ]);
  renderAt(`/w/${WS}/conversations/c1`, '/w/:ws/conversations/:id', <ConversationPage />);
  return stub;
}

describe("the conversation page's visitor panel", () => {
  afterEach(() => vi.unstubAllGlobals());

  it('offers an admin Export data and Erase visitor…, and shows the erased visitor afterwards', async () => {
    const { calls } = setup('owner');
    const panel = await screen.findByRole('complementary', { name: 'Visitor' });
    expect(await within(panel).findByRole('button', { name: 'Export data' })).toBeTruthy();
    fireEvent.click(within(panel).getByRole('button', { name: 'Erase visitor…' }));
    const dialog = screen.getByRole('dialog', { name: 'Erase this visitor?' });
    expect(dialog.textContent).toContain('Everything stored about sam@example.com is deleted');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Erase visitor' }));
    await within(panel).findByText('Visitor erased: 3 messages and 0 files deleted, 0 tickets anonymised.');
    await within(panel).findByText('Erased');
    expect(within(panel).queryByText('sam@example.com')).toBeNull();
    expect(within(panel).queryByRole('button', { name: 'Export data' })).toBeNull();
    expect(calls.filter((c) => c.method === 'POST' && c.url.pathname.endsWith('/erase'))).toHaveLength(1);
  });

  it('shows an agent the visitor without the privacy actions', async () => {
    const { calls } = setup('agent');
    const panel = await screen.findByRole('complementary', { name: 'Visitor' });
    await within(panel).findByText('sam@example.com');
    await waitFor(() => expect(calls.some((c) => c.url.pathname === '/api/v1/me')).toBe(true));
    await new Promise((r) => setTimeout(r, 50));
    expect(within(panel).queryByRole('button', { name: 'Export data' })).toBeNull();
    expect(within(panel).queryByRole('button', { name: 'Erase visitor…' })).toBeNull();
  });
});
