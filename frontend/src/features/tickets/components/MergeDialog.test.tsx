import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Ticket, TicketDetail } from '../../../lib/types';
import { renderAt, stubApi } from '../../../test/render';
import { normalizeNumber } from './MergeDialog';
import { TicketDetailPage } from './TicketDetailPage';

const WS = '11111111-1111-1111-1111-111111111111';
const ticket = (n: number, over: Partial<Ticket> = {}): Ticket => ({
  id: `t${n}`,
  number: `TKT-${n}`,
  status: 'open',
  summary: `Parcel ${n}`,
  description: '',
  category: 'other',
  priority: 'normal',
  tags: [],
  visitor_email: 'jane@example.com',
  assignee: null,
  conversation_id: `c${n}`,
  source: 'ai',
  version: 3,
  created_at: '2026-11-24T10:00:00Z',
  updated_at: '2026-11-24T10:00:00Z',
  ...over,
});
const detail = (t: Ticket): TicketDetail => ({
  ticket: t,
  visitor: { id: 'v1', email: 'jane@example.com', country: null, device: { browser: null, os: null, kind: null }, page_url: null, referrer: null, first_seen_at: '2026-11-24T09:00:00Z', last_seen_at: '2026-11-24T10:00:00Z' },
  messages: [],
  events: [],
  notes: [],
  unread_mentions: 0,
  viewers: { ticket_id: t.id, viewers: [], as_of: '2026-11-24T10:00:00Z' },
});

function setup(mergeReply: () => { status?: number; body?: unknown }) {
  let current = detail(ticket(10003));
  const stub = stubApi([
    { path: /\/api\/v1\/me$/, reply: () => ({ body: { id: 'u-me', email: 'me@acme.test', name: 'Me', workspaces: [{ id: WS, name: 'Acme', role: 'agent' }] } }) },
    { path: /\/members$/, reply: () => ({ body: { items: [] } }) },
    { path: /\/tags$/, reply: () => ({ body: { items: [] } }) },
    { path: /\/tickets\/TKT-10003$/, reply: () => ({ body: current }) },
    // The search: the ticket itself, another open one of the visitor, a closed one.
    { path: /\/tickets$/, reply: () => ({ body: { items: [ticket(10003), ticket(10002), ticket(10001, { status: 'closed' })], next_cursor: null } }) },
    {
      method: 'POST',
      path: /\/merge$/,
      reply: () => {
        const r = mergeReply();
        if (!r.status) {
          current = detail(ticket(10003, { status: 'closed', merged_into: { id: 't10002', number: 'TKT-10002' }, version: 5 }));
          return { body: { ticket: ticket(10002), merged: current.ticket } };
        }
        return r;
      },
    },
  ]);
  renderAt(`/w/${WS}/tickets/TKT-10003`, '/w/:ws/tickets/:ticket', <TicketDetailPage />);
  return stub;
}

describe('MergeDialog', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('offers the visitor’s open tickets, says what will happen, merges and shows the banner', async () => {
    const { calls } = setup(() => ({}));
    fireEvent.click(await screen.findByRole('button', { name: 'Merge into…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Merge TKT-10003 into another ticket' });
    // The search looked for the visitor's tickets; itself and closed ones are not offered.
    await waitFor(() => expect(calls.some((c) => c.url.pathname.endsWith('/tickets') && c.url.searchParams.get('q') === 'jane@example.com')).toBe(true));
    const options = await within(dialog).findAllByRole('radio');
    expect(options).toHaveLength(1);
    expect((within(dialog).getByRole('button', { name: 'Merge' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(options[0]!);
    expect(within(dialog).getByTestId('merge-explain').textContent).toBe(
      'TKT-10003 will be closed and merged into TKT-10002. Its conversation, internal notes and tags move to TKT-10002, the visitor’s chat continues there, and TKT-10003 keeps a link to it. This can’t be undone.',
    );
    fireEvent.click(within(dialog).getByRole('button', { name: 'Merge into TKT-10002' }));
    await waitFor(() => expect(calls.find((c) => c.method === 'POST' && c.url.pathname.endsWith('/merge'))?.body).toEqual({ into: 't10002', version: 3 }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const banner = await screen.findByText('Merged into TKT-10002.');
    expect(banner.closest('.merged-banner')?.querySelector('a')?.getAttribute('href')).toBe(`/w/${WS}/tickets/TKT-10002`);
    // A merged ticket offers no reply, note or status change.
    expect(screen.queryByRole('button', { name: 'Merge into…' })).toBeNull();
    expect(screen.queryByRole('group', { name: 'Change status' })).toBeNull();
    expect(screen.queryByLabelText('Your reply')).toBeNull();
    expect(screen.getByLabelText('Priority').matches(':disabled')).toBe(true);
    expect(screen.getByRole('link', { name: 'TKT-10002' }).getAttribute('href')).toBe(`/w/${WS}/tickets/TKT-10002`);
  });

  it('takes a typed number, refuses itself, and shows the server’s refusal', async () => {
    const { calls } = setup(() => ({ status: 422, body: { error: { code: 'different_visitor', message: 'TKT-10003 and TKT-10009 are from different visitors.' } } }));
    fireEvent.click(await screen.findByRole('button', { name: 'Merge into…' }));
    const dialog = await screen.findByRole('dialog');
    const input = within(dialog).getByLabelText('Ticket number');
    expect(document.activeElement).toBe(input);
    fireEvent.change(input, { target: { value: '10003' } });
    expect(within(dialog).getByText('A ticket can’t be merged into itself.')).toBeTruthy();
    fireEvent.change(input, { target: { value: 'tkt-10009' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Merge into TKT-10009' }));
    expect(await within(dialog).findByText('TKT-10003 and TKT-10009 are from different visitors.')).toBeTruthy();
    expect(calls.find((c) => c.method === 'POST' && c.url.pathname.endsWith('/merge'))?.body).toEqual({ into: 'TKT-10009', version: 3 });
    // Escape closes it.
    fireEvent.keyDown(document, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('normalizes ticket numbers', () => {
    expect(normalizeNumber(' 10002 ')).toBe('TKT-10002');
    expect(normalizeNumber('tkt-10002')).toBe('TKT-10002');
    expect(normalizeNumber('TKT10002')).toBe('TKT-10002');
    expect(normalizeNumber('0190-uuid')).toBe('0190-uuid');
  });
});
