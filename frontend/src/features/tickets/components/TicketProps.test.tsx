import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Ticket, TicketDetail } from '../../../lib/types';
import { renderAt, stubApi } from '../../../test/render';
import { TicketDetailPage } from './TicketDetailPage';

const WS = '11111111-1111-1111-1111-111111111111';
const VIP = { id: 'tag-vip', name: 'VIP', colour: '#7c3aed' };
const BILLING = { id: 'tag-billing', name: 'Billing', colour: '#2563eb' };

function detail(over: Partial<Ticket> = {}): TicketDetail {
  return {
    ticket: {
      id: 't1',
      number: 'TKT-10001',
      status: 'open',
      summary: 'Refund for order',
      description: '',
      category: 'other',
      priority: 'normal',
      tags: [],
      visitor_email: 'jane@example.com',
      assignee: null,
      conversation_id: 'c1',
      source: 'ai',
      version: 3,
      created_at: '2026-11-24T10:00:00Z',
      updated_at: '2026-11-24T10:00:00Z',
      ...over,
    },
    visitor: {
      id: 'v1',
      email: 'jane@example.com',
      country: null,
      device: { browser: null, os: null, kind: null },
      page_url: null,
      referrer: null,
      first_seen_at: '2026-11-24T09:00:00Z',
      last_seen_at: '2026-11-24T10:00:00Z',
    },
    messages: [],
    events: [],
    notes: [],
    unread_mentions: 0,
    viewers: { ticket_id: 't1', viewers: [], as_of: '2026-11-24T10:00:00Z' },
  };
}

function setup(patchReply?: (body: Record<string, unknown>) => { status?: number; body?: unknown }) {
  let current = detail();
  const stub = stubApi([
    { path: /\/api\/v1\/me$/, reply: () => ({ body: { id: 'u-me', email: 'me@acme.test', name: 'Me', workspaces: [{ id: WS, name: 'Acme', role: 'agent' }] } }) },
    { path: /\/members$/, reply: () => ({ body: { items: [] } }) },
    { path: /\/tags$/, reply: () => ({ body: { items: [BILLING, VIP] } }) },
    { path: /\/tickets\/TKT-10001$/, reply: () => ({ body: current }) },
    {
      method: 'PATCH',
      path: /\/tickets\/t1$/,
      reply: (_u, b) => {
        const body = b as Record<string, unknown>;
        if (patchReply) return patchReply(body);
        const t = current.ticket;
        const tags = Array.isArray(body.tags) ? [BILLING, VIP].filter((x) => (body.tags as string[]).includes(x.id)) : t.tags;
        current = detail({ ...t, ...(body.priority ? { priority: body.priority as Ticket['priority'] } : {}), ...(body.summary ? { summary: String(body.summary) } : {}), tags, version: t.version + 1 });
        return { body: current.ticket };
      },
    },
  ]);
  renderAt(`/w/${WS}/tickets/TKT-10001`, '/w/:ws/tickets/:ticket', <TicketDetailPage />);
  return stub;
}

const patches = (stub: ReturnType<typeof stubApi>) => stub.calls.filter((c) => c.method === 'PATCH').map((c) => c.body);

describe('ticket priority, tags and summary on the detail page', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('changes the priority with the version it saw', async () => {
    const stub = setup();
    fireEvent.change(await screen.findByLabelText('Priority'), { target: { value: 'urgent' } });
    await waitFor(() => expect(patches(stub)).toEqual([{ priority: 'urgent', version: 3 }]));
    // The header shows a priority that is not normal.
    await screen.findByTitle('Priority: Urgent');
  });

  it('adds a tag from the picker, then removes it with its chip', async () => {
    const stub = setup();
    fireEvent.click(await screen.findByRole('button', { name: 'Edit tags' }));
    const picker = await screen.findByRole('dialog', { name: 'Tags' });
    // Type to filter, Enter toggles the first match.
    const filter = within(picker).getByLabelText('Filter tags');
    fireEvent.change(filter, { target: { value: 'vi' } });
    expect(within(picker).queryByText('Billing')).toBeNull();
    fireEvent.keyDown(filter, { key: 'Enter' });
    await waitFor(() => expect(patches(stub)).toEqual([{ tags: ['tag-vip'], version: 3 }]));
    fireEvent.keyDown(filter, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Tags' })).toBeNull());
    fireEvent.click(await screen.findByRole('button', { name: 'Remove tag VIP' }));
    await waitFor(() => expect(patches(stub)[1]).toEqual({ tags: [], version: 4 }));
  });

  it('edits the summary; a 422 stays in the form with the reason', async () => {
    setup(() => ({ status: 422, body: { error: { code: 'validation', message: 'Invalid fields', fields: { summary: ['must be between 1 and 500 characters'] } } } }));
    fireEvent.click(await screen.findByRole('button', { name: 'Edit summary' }));
    const input = screen.getByLabelText('Summary');
    fireEvent.change(input, { target: { value: 'x' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Summary must be between 1 and 500 characters');
    expect(screen.getByLabelText('Summary')).toBeTruthy();
  });

  it('a stale version: the page says so and reloads the ticket', async () => {
    setup(() => ({ status: 409, body: { error: { code: 'version_conflict', message: 'TKT-10001 was changed by someone else.' } } }));
    fireEvent.change(await screen.findByLabelText('Priority'), { target: { value: 'high' } });
    await screen.findByText(/TKT-10001 was changed by someone else\. The ticket was changed by someone else/);
  });
});
