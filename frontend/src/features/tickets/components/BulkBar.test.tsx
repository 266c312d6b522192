import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAt, signIn, stubApi } from '../../../test/render';
import type { BulkResult, Ticket } from '../../../lib/types';
import { bulkSummary } from '../api/bulk';
import { TicketsPage } from './TicketsPage';

const WS = '11111111-1111-1111-1111-111111111111';
const VIP = { id: 'tag-vip', name: 'VIP', colour: '#2563eb' };
const ticket = (n: number, over: Partial<Ticket> = {}): Ticket => ({
  id: `t${n}`,
  number: `TKT-${n}`,
  status: 'open',
  summary: `Summary ${n}`,
  description: '',
  category: 'other',
  priority: 'normal',
  tags: [],
  visitor_email: `v${n}@example.com`,
  assignee: null,
  conversation_id: 'c',
  source: 'ai',
  version: 1,
  created_at: new Date().toISOString(),
  updated_at: new Date().toISOString(),
  ...over,
});
const REFUSAL = 'A ticket cannot move from closed to in_progress. Allowed moves from closed: closed → open.';

function api() {
  return stubApi([
    { path: /\/api\/v1\/me$/, reply: () => ({ body: { id: 'u-me', email: 'me@acme.test', name: 'Me', workspaces: [{ id: WS, name: 'Acme', role: 'owner' }] } }) },
    { path: /\/workspaces\/[^/]+$/, reply: () => ({ body: { id: WS, name: 'Acme', plan: 'standard', widget_key: 'wk', allowed_origins: [], widget_color: '#4f46e5', greeting: 'Hi', created_at: '2026-11-24T00:00:00Z' } }) },
    { path: /\/ticket-settings$/, reply: () => ({ body: { enabled: true, notification_email: 'ops@acme.test', reply_sets_in_progress: false, instruction_warnings: [] } }) },
    {
      path: /\/members$/,
      reply: () => ({
        body: {
          items: [
            { user_id: 'u-me', email: 'me@acme.test', name: 'Me', role: 'owner' },
            { user_id: 'u-kim', email: 'kim@acme.test', name: 'Kim', role: 'agent' },
          ],
        },
      }),
    },
    { path: /\/tags$/, reply: () => ({ body: { items: [VIP] } }) },
    { path: /\/tickets\/counts$/, reply: () => ({ body: { all: 4, mine: 0, open: 3, in_progress: 0, resolved: 0, closed: 1 } }) },
    { path: /\/tickets$/, reply: () => ({ body: { items: [ticket(10001), ticket(10002), ticket(10003, { status: 'closed' }), ticket(10004)], next_cursor: null } }) },
    {
      method: 'POST',
      path: /\/tickets\/bulk$/,
      reply: (): { body: BulkResult } => ({
        body: {
          updated: [
            { ticket: ticket(10001, { status: 'in_progress', tags: [VIP] }), changes: [{ field: 'status', from: 'open', to: 'in_progress' }] },
            { ticket: ticket(10002, { status: 'in_progress', tags: [VIP] }), changes: [{ field: 'status', from: 'open', to: 'in_progress' }] },
          ],
          refused: [{ ticket: 'TKT-10003', code: 'invalid_transition', message: REFUSAL }],
        },
      }),
    },
  ]);
}

describe('BulkBar', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('applies one change to the ticked tickets and says what changed and what was refused', async () => {
    signIn();
    const { calls } = api();
    renderAt(`/w/${WS}/tickets`, '/w/:ws/tickets', <TicketsPage />);
    await screen.findByText('TKT-10001');
    // No bar until something is ticked.
    expect(screen.queryByRole('toolbar', { name: 'Bulk actions' })).toBeNull();
    for (const n of ['TKT-10001', 'TKT-10002', 'TKT-10003']) fireEvent.click(screen.getByRole('checkbox', { name: `Select ${n}` }));
    const bar = await screen.findByRole('toolbar', { name: 'Bulk actions' });
    expect(within(bar).getByText('3 selected')).toBeTruthy();
    // Apply waits for a change.
    const apply = within(bar).getByRole('button', { name: 'Apply to 3' }) as HTMLButtonElement;
    expect(apply.disabled).toBe(true);
    fireEvent.change(within(bar).getByLabelText('Status'), { target: { value: 'in_progress' } });
    fireEvent.change(within(bar).getByLabelText('Add tag'), { target: { value: VIP.id } });
    // Assign to: me, unassigned and the other members.
    const assign = within(bar).getByLabelText('Assign to');
    expect(within(assign).getAllByRole('option').map((o) => o.textContent)).toEqual(['Assign to…', 'Me', 'Unassigned', 'Kim']);
    const listsBefore = calls.filter((c) => c.method === 'GET' && c.url.pathname.endsWith('/tickets')).length;
    fireEvent.click(apply);
    await waitFor(() => expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ tickets: ['t10001', 't10002', 't10003'], status: 'in_progress', add_tags: [VIP.id] }));
    const summary = await screen.findByText('2 tickets updated; TKT-10003 was refused: a closed ticket can’t move to In Progress');
    expect(summary.closest('[role="alert"]')).toBeTruthy();
    // The selection is cleared and the list refreshes.
    await waitFor(() => expect(screen.queryByRole('toolbar', { name: 'Bulk actions' })).toBeNull());
    expect((screen.getByRole('checkbox', { name: 'Select TKT-10001' }) as HTMLInputElement).checked).toBe(false);
    await waitFor(() => expect(calls.filter((c) => c.method === 'GET' && c.url.pathname.endsWith('/tickets')).length).toBeGreaterThan(listsBefore));
  });

  it('selects every ticket on the page, unassigns with null, and clears', async () => {
    signIn();
    const { calls } = api();
    renderAt(`/w/${WS}/tickets`, '/w/:ws/tickets', <TicketsPage />);
    await screen.findByText('TKT-10001');
    const all = screen.getByRole('checkbox', { name: 'Select all 4 tickets on this page' }) as HTMLInputElement;
    fireEvent.click(all);
    const bar = await screen.findByRole('toolbar', { name: 'Bulk actions' });
    expect(within(bar).getByText('4 selected')).toBeTruthy();
    // Unticking one leaves the select-all box half-way.
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select TKT-10004' }));
    expect(within(bar).getByText('3 selected')).toBeTruthy();
    expect(all.checked).toBe(false);
    expect(all.indeterminate).toBe(true);
    fireEvent.change(within(bar).getByLabelText('Assign to'), { target: { value: 'none' } });
    fireEvent.click(within(bar).getByRole('button', { name: 'Apply to 3' }));
    await waitFor(() => expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ tickets: ['t10001', 't10002', 't10003'], assignee_id: null }));
    await screen.findByText(/2 tickets updated/);
    fireEvent.click(all);
    fireEvent.click(within(await screen.findByRole('toolbar', { name: 'Bulk actions' })).getByRole('button', { name: 'Clear selection' }));
    expect(screen.queryByRole('toolbar', { name: 'Bulk actions' })).toBeNull();
  });

  it('words the summary', () => {
    const t = ticket(10001);
    expect(bulkSummary({ updated: [{ ticket: t, changes: [{ field: 'priority', from: 'normal', to: 'high' }] }], refused: [] })).toBe('1 ticket updated');
    expect(bulkSummary({ updated: [{ ticket: t, changes: [] }], refused: [] })).toBe('0 tickets updated; 1 ticket was already so');
    expect(bulkSummary({ updated: [], refused: [{ ticket: 'TKT-10009', code: 'not_found', message: 'Ticket not found.' }] })).toBe('TKT-10009 was refused: Ticket not found.');
    // A refused move without the ticket's status known: the server's sentence.
    const refused = { updated: [], refused: [{ ticket: 'TKT-10003', code: 'invalid_transition', message: REFUSAL }] };
    expect(bulkSummary(refused, { to: 'in_progress' })).toBe(`TKT-10003 was refused: ${REFUSAL}`);
    expect(bulkSummary(refused, { to: 'resolved', statusOf: () => 'closed' })).toBe('TKT-10003 was refused: a closed ticket can’t move to Resolved');
  });
});
