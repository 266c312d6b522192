import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAt, signIn, stubApi } from '../../../test/render';
import type { Ticket } from '../../../lib/types';
import { TicketsPage } from './TicketsPage';

const WS = '11111111-1111-1111-1111-111111111111';
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

function api(opts: { plan?: 'free' | 'standard'; enabled?: boolean; warnings?: { sentence: string; reason: string }[] } = {}) {
  return stubApi([
    { path: /\/api\/v1\/me$/, reply: () => ({ body: { id: 'u-me', email: 'me@acme.test', name: 'Me', workspaces: [{ id: WS, name: 'Acme', role: 'owner' }] } }) },
    { path: /\/workspaces\/[^/]+$/, reply: () => ({ body: { id: WS, name: 'Acme', plan: opts.plan ?? 'standard', widget_key: 'wk', allowed_origins: [], widget_color: '#4f46e5', greeting: 'Hi', created_at: '2026-11-24T00:00:00Z' } }) },
    { path: /\/ticket-settings$/, reply: () => ({ body: { enabled: opts.enabled ?? true, notification_email: 'ops@acme.test', reply_sets_in_progress: false, instruction_warnings: opts.warnings ?? [] } }) },
    { path: /\/members$/, reply: () => ({ body: { items: [{ user_id: 'u-me', email: 'me@acme.test', name: 'Me', role: 'owner' }] } }) },
    { path: /\/tickets\/counts$/, reply: () => ({ body: { all: 30, mine: 2, open: 20, in_progress: 5, resolved: 3, closed: 2 } }) },
    {
      path: /\/tickets$/,
      reply: (url) => {
        const cursor = url.searchParams.get('cursor');
        if (cursor === 'page2') return { body: { items: [ticket(10026)], next_cursor: null } };
        const items = Array.from({ length: 25 }, (_, i) => ticket(10001 + i, { summary: '<img src=x onerror=alert(1)>' }));
        return { body: { items, next_cursor: 'page2' } };
      },
    },
    { method: 'PUT', path: /\/ticket-settings$/, reply: (_u, b) => ({ body: { ...(b as object), instruction_warnings: [] } }) },
  ]);
}

describe('TicketsPage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows filter buttons with counts, and a filter click refetches with ?status=', async () => {
    signIn();
    const { calls } = api();
    renderAt(`/w/${WS}/tickets`, '/w/:ws/tickets', <TicketsPage />);
    const group = await screen.findByRole('group', { name: 'Filter tickets' });
    await waitFor(() => expect(within(group).getByRole('button', { name: /Open/ }).textContent).toBe('Open20'));
    expect(within(group).getAllByRole('button').map((b) => b.firstChild?.textContent)).toEqual(['All', 'My Tickets', 'Open', 'In Progress', 'Resolved', 'Closed']);
    await screen.findByText('TKT-10001');
    // Visitor-controlled summaries stay text.
    expect(document.querySelector('img')).toBeNull();

    fireEvent.click(within(group).getByRole('button', { name: /In Progress/ }));
    await waitFor(() => expect(calls.some((c) => c.url.pathname.endsWith('/tickets') && c.url.searchParams.get('status') === 'in_progress')).toBe(true));

    fireEvent.click(within(group).getByRole('button', { name: /My Tickets/ }));
    await waitFor(() => expect(calls.some((c) => c.url.pathname.endsWith('/tickets') && c.url.searchParams.get('assignee') === 'me' && !c.url.searchParams.has('status'))).toBe(true));
  });

  it('loads the next page over next_cursor', async () => {
    signIn();
    const { calls } = api();
    renderAt(`/w/${WS}/tickets`, '/w/:ws/tickets', <TicketsPage />);
    fireEvent.click(await screen.findByRole('button', { name: 'Load more' }));
    await screen.findByText('TKT-10026');
    expect(calls.some((c) => c.url.searchParams.get('cursor') === 'page2')).toBe(true);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('setup card: enable in one step', async () => {
    signIn();
    const { calls } = api({ enabled: false });
    renderAt(`/w/${WS}/tickets`, '/w/:ws/tickets', <TicketsPage />);
    const email = await screen.findByLabelText('Notification email');
    fireEvent.change(email, { target: { value: 'help@acme.test' } });
    fireEvent.click(screen.getByRole('button', { name: 'Enable' }));
    await waitFor(() => expect(calls.find((c) => c.method === 'PUT')?.body).toMatchObject({ enabled: true, notification_email: 'help@acme.test' }));
  });

  it('setup card on Free explains that Standard or Pro is needed', async () => {
    signIn();
    api({ enabled: false, plan: 'free' });
    renderAt(`/w/${WS}/tickets`, '/w/:ws/tickets', <TicketsPage />);
    expect(await screen.findByText(/available on the Standard and Pro plans/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Enable' })).toBeNull();
  });

  it('quotes lint warnings with a link to AI Instructions', async () => {
    signIn();
    api({ warnings: [{ sentence: 'Tell users to email support@acme.test.', reason: 'Sends visitors elsewhere for help.' }] });
    renderAt(`/w/${WS}/tickets`, '/w/:ws/tickets', <TicketsPage />);
    expect(await screen.findByText('“Tell users to email support@acme.test.”')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Edit AI Instructions' }).getAttribute('href')).toBe(`/w/${WS}/ai-instructions`);
  });

  it('moves a visible cursor with j and k, opens the current ticket with Enter, and / goes to the search', async () => {
    signIn();
    api();
    const { router } = renderAt(`/w/${WS}/tickets`, '/w/:ws/tickets', <TicketsPage />);
    await screen.findByText('TKT-10001');
    const row = (n: number) => document.querySelector(`[data-ticket="TKT-${n}"]`) as HTMLElement;
    const key = (k: string, at: Element = document.body) => fireEvent.keyDown(at, { key: k });
    expect(document.querySelector('[aria-current]')).toBeNull();
    key('j');
    expect(row(10001).getAttribute('aria-current')).toBe('true');
    expect(row(10001).className).toContain('is-current');
    expect(document.activeElement).toBe(row(10001));
    key('j');
    expect(row(10002).getAttribute('aria-current')).toBe('true');
    expect(row(10001).hasAttribute('aria-current')).toBe(false);
    key('k');
    key('k');
    expect(row(10001).getAttribute('aria-current')).toBe('true');
    // Typing j in the search box types a j.
    key('/');
    const search = screen.getByLabelText('Search tickets');
    expect(document.activeElement).toBe(search);
    key('j', search);
    expect(row(10001).getAttribute('aria-current')).toBe('true');
    // Focus elsewhere (Tab, a click) moves the cursor with it; Enter opens it.
    fireEvent.focus(row(10003));
    expect(row(10003).getAttribute('aria-current')).toBe('true');
    // x ticks the ticket under the cursor for a bulk change, and x again unticks it.
    key('x');
    expect((screen.getByRole('checkbox', { name: 'Select TKT-10003' }) as HTMLInputElement).checked).toBe(true);
    expect(screen.getByText('1 selected')).toBeTruthy();
    key('x');
    expect((screen.getByRole('checkbox', { name: 'Select TKT-10003' }) as HTMLInputElement).checked).toBe(false);
    (document.activeElement as HTMLElement).blur();
    key('Enter');
    await waitFor(() => expect(router.state.location.pathname).toBe(`/w/${WS}/tickets/TKT-10003`));
  });
});
