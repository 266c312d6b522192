import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Ticket, TicketDetail } from '../../../lib/types';
import { onTyping } from '../../../lib/live-typing';
import { renderAt, stubApi } from '../../../test/render';
import { onViewers } from '../api/viewers';
import { TicketDetailPage, splitDescription } from './TicketDetailPage';

const WS = '11111111-1111-1111-1111-111111111111';

function detail(over: Partial<Ticket> = {}): TicketDetail {
  return {
    ticket: {
      id: 't1',
      number: 'TKT-10001',
      status: 'open',
      summary: 'Refund for order',
      description: '',
      category: 'cannot_perform_action',
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
      country: 'DE',
      device: { browser: 'Firefox', os: 'Linux', kind: 'desktop' },
      page_url: 'https://shop.example.com/orders',
      referrer: null,
      first_seen_at: '2026-11-24T09:00:00Z',
      last_seen_at: '2026-11-24T10:00:00Z',
    },
    messages: [{ id: 'm1', conversation_id: 'c1', sender: 'visitor', channel: 'chat', body: 'I want a refund for my order', created_at: '2026-11-24T10:00:00Z' }],
    events: [{ id: 'e1', kind: 'created', actor: { type: 'assistant' }, data: {}, created_at: '2026-11-24T10:00:00Z' }],
    notes: [{ id: 'n1', conversation_id: 'c1', ticket_id: 't1', author_user_id: 'u2', author_name: 'Kim', body: 'Refund approved, @Ann Lee please confirm', mentions: [{ user_id: 'u1', name: 'Ann Lee' }], created_at: '2026-11-24T10:05:00Z' }],
    unread_mentions: 0,
    viewers: { ticket_id: 't1', viewers: [], as_of: '2026-11-24T10:00:00Z' },
  };
}

describe('splitDescription', () => {
  it("puts the assistant's handoff summary on top and the transcript below", () => {
    const d = 'Problem: Refund for order 4471\nFacts:\n- Order numbers: 4471\nMood: calm\n\nConversation:\nVisitor: refund 4471';
    expect(splitDescription(d)).toEqual({
      brief: 'Problem: Refund for order 4471\nFacts:\n- Order numbers: 4471\nMood: calm',
      rest: 'Conversation:\nVisitor: refund 4471',
    });
    expect(splitDescription('Typed by an agent')).toEqual({ brief: '', rest: 'Typed by an agent' });
  });
});

describe('TicketDetailPage', () => {
  afterEach(() => vi.unstubAllGlobals());

  function setup(
    statusReply: () => { status?: number; body?: unknown },
    viewing: () => { status?: number; body?: unknown } = () => ({ status: 404 }),
    role: 'agent' | 'admin' = 'agent',
  ) {
    let current = detail();
    const stub = stubApi([
      { method: 'POST', path: /\/tickets\/t1\/viewing$/, reply: viewing },
      { method: 'DELETE', path: /\/tickets\/t1\/viewing$/, reply: () => ({ status: 204 }) },
      { method: 'POST', path: /\/conversations\/c1\/typing$/, reply: () => ({ status: 204 }) },
      { path: /\/api\/v1\/me$/, reply: () => ({ body: { id: 'u-me', email: 'me@acme.test', name: 'Me', workspaces: [{ id: WS, name: 'Acme', role }] } }) },
      { path: /\/members$/, reply: () => ({ body: { items: [{ user_id: 'u-me', email: 'me@acme.test', name: 'Me', role: 'agent' }, { user_id: 'u2', email: 'kim@acme.test', name: 'Kim', role: 'admin' }] } }) },
      { path: /\/tickets\/TKT-10001$/, reply: () => ({ body: current }) },
      { method: 'POST', path: /\/status$/, reply: statusReply },
      {
        method: 'POST',
        path: /\/assign-to-me$/,
        reply: () => {
          current = detail({ assignee: { id: 'u-me', name: 'Me', email: 'me@acme.test' }, version: 4 });
          return { body: current.ticket };
        },
      },
      {
        method: 'POST',
        path: /\/notes$/,
        reply: (_u, b) => ({
          status: 201,
          body: { id: 'n2', conversation_id: 'c1', ticket_id: 't1', author_user_id: 'u-me', author_name: 'Me', body: (b as { body: string }).body, mentions: [{ user_id: 'u2', name: 'Kim' }], created_at: new Date().toISOString() },
        }),
      },
      {
        method: 'POST',
        path: /\/visitors\/v1\/erase$/,
        reply: () => {
          const d = detail({ visitor_email: 'erased' });
          current = { ...d, visitor: { id: 'v1', email: null, device: {}, first_seen_at: d.visitor.first_seen_at, last_seen_at: d.visitor.last_seen_at, erased_at: '2026-11-25T08:00:00Z' }, messages: [] };
          return { body: { visitor_id: 'v1', erased_at: '2026-11-25T08:00:00Z', conversations: 1, messages_deleted: 7, attachments_deleted: 1, tickets_anonymised: 1 } };
        },
      },
      { method: 'POST', path: /\/replies$/, reply: (_u, b) => ({ status: 201, body: { id: 'm2', conversation_id: 'c1', sender: 'agent', author_name: 'Me', body: (b as { body: string }).body, created_at: new Date().toISOString() } }) },
    ]);
    const view = renderAt(`/w/${WS}/tickets/TKT-10001`, '/w/:ws/tickets/:ticket', <TicketDetailPage />);
    return {
      ...stub,
      view,
      setCurrent: (d: TicketDetail) => {
        current = d;
      },
    };
  }

  it('shows visitor info with country name and flag, device and a link to the page', async () => {
    setup(() => ({ body: {} }));
    expect(await screen.findByText('Germany')).toBeTruthy();
    expect(screen.getByText('🇩🇪')).toBeTruthy();
    expect(screen.getByText('Firefox on Linux · Desktop')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'https://shop.example.com/orders' }).getAttribute('href')).toBe('https://shop.example.com/orders');
    expect(screen.getByRole('button', { name: 'Copy visitor email' })).toBeTruthy();
    expect(screen.getByText('Ticket created by the AI assistant')).toBeTruthy();
    // An agent: no privacy actions.
    expect(screen.queryByRole('button', { name: 'Export data' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Erase visitor…' })).toBeNull();
  });

  it('an admin erases the visitor from the Visitor card, which then shows the erased state', async () => {
    const stub = setup(() => ({ body: {} }), undefined, 'admin');
    const card = await screen.findByRole('region', { name: 'Visitor' });
    expect(within(card).getByRole('button', { name: 'Export data' })).toBeTruthy();
    fireEvent.click(await within(card).findByRole('button', { name: 'Erase visitor…' }));
    const dialog = screen.getByRole('dialog', { name: 'Erase this visitor?' });
    expect(dialog.textContent).toContain('Everything stored about jane@example.com is deleted');
    const loads = stub.calls.filter((c) => c.url.pathname.endsWith('/tickets/TKT-10001')).length;
    fireEvent.click(within(dialog).getByRole('button', { name: 'Erase visitor' }));
    await within(card).findByText('Visitor erased: 7 messages and 1 file deleted, 1 ticket anonymised.');
    // The ticket was loaded again: the card shows "Erased", no email link, no buttons.
    expect(stub.calls.filter((c) => c.url.pathname.endsWith('/tickets/TKT-10001')).length).toBeGreaterThan(loads);
    expect(within(card).getByText('Erased')).toBeTruthy();
    expect(within(card).getByRole('time').getAttribute('datetime')).toBe('2026-11-25T08:00:00Z');
    expect(within(card).queryByRole('link')).toBeNull();
    expect(within(card).queryByRole('button', { name: 'Export data' })).toBeNull();
    expect(within(card).queryByRole('button', { name: 'Erase visitor…' })).toBeNull();
  });

  it('sends the version with a status change; on 409 it refetches and tells the user', async () => {
    const stub = setup(() => ({ status: 409, body: { error: { code: 'version_conflict', message: 'The ticket was changed by someone else.' } } }));
    const btn = await screen.findByRole('button', { name: 'In Progress' });
    stub.setCurrent(detail({ status: 'resolved', version: 5 }));
    fireEvent.click(btn);
    await screen.findByText(/The ticket was changed by someone else\./);
    expect(stub.calls.find((c) => c.url.pathname.endsWith('/status'))?.body).toEqual({ status: 'in_progress', version: 3 });
    // Refetched: the control now offers the moves from resolved.
    await screen.findByRole('button', { name: 'Reopen' });
    expect(screen.queryByRole('button', { name: 'In Progress' })).toBeNull();
  });

  it('Assign to me, then reply with the email checkbox', async () => {
    const stub = setup(() => ({ body: {} }));
    fireEvent.click(await screen.findByRole('button', { name: 'Assign to me' }));
    await screen.findByRole('button', { name: /Assigned to you/ });
    expect((screen.getByLabelText('Assigned To') as HTMLSelectElement).value).toBe('u-me');

    fireEvent.change(screen.getByLabelText('Your reply'), { target: { value: 'Your refund is on its way.' } });
    fireEvent.click(screen.getByLabelText('also email this reply'));
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await screen.findByText('Your refund is on its way.');
    expect(stub.calls.find((c) => c.url.pathname.endsWith('/replies'))?.body).toEqual({ body: 'Your refund is on its way.', email_visitor: true });
    expect(screen.getByText(/visitor will see your message when they return/)).toBeTruthy();
  });

  it('shows notes inline as internal, and mentions a teammate from the @ list with the keyboard', async () => {
    const stub = setup(() => ({ body: {} }));
    const note = (await screen.findByText('Only your team sees this')).closest('li');
    expect(note?.getAttribute('data-sender')).toBe('note');
    expect(note?.querySelector('mark.mention')?.textContent).toBe('@Ann Lee');
    const box = screen.getByRole('combobox', { name: 'Internal note' }) as HTMLTextAreaElement;
    fireEvent.change(box, { target: { value: 'Can you check this, @ki', selectionStart: 23 } });
    const list = await screen.findByRole('listbox', { name: 'Mention a teammate' });
    expect(list.textContent).toContain('Kim');
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(box.value).toBe('Can you check this, @Kim ');
    expect(screen.queryByRole('listbox')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Add note' }));
    await screen.findByText('Note added; Kim was notified.');
    expect(stub.calls.find((c) => c.url.pathname.endsWith('/notes'))?.body).toEqual({ body: 'Can you check this, @Kim' });
  });

  it('keyboard: r goes to the reply box, where keys type text; a assigns to me; s and t reach the status and the tags', async () => {
    const stub = setup(() => ({ body: {} }));
    const key = (k: string, at: Element = document.body) => fireEvent.keyDown(at, { key: k });
    await screen.findByRole('button', { name: 'Assign to me' });
    key('r');
    const reply = screen.getByLabelText('Your reply');
    expect(document.activeElement).toBe(reply);
    // In the reply box, a is a letter.
    key('a', reply);
    expect(stub.calls.some((c) => c.url.pathname.endsWith('/assign-to-me'))).toBe(false);
    reply.blur();
    key('a');
    await screen.findByRole('button', { name: /Assigned to you/ });
    expect(stub.calls.filter((c) => c.url.pathname.endsWith('/assign-to-me'))).toHaveLength(1);
    key('s');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'In Progress' }));
    key('t');
    expect(await screen.findByRole('dialog', { name: 'Tags' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Done' }).getAttribute('aria-expanded')).toBe('true');
    // With the tag picker open, shortcuts are off: r leaves the focus where it is.
    const filter = screen.getByLabelText('Filter tags');
    expect(document.activeElement).toBe(filter);
    key('r', document.body);
    expect(document.activeElement).toBe(filter);
  });

  it('shows who else has the ticket open and who types a reply (never me), and says when I leave', async () => {
    const now = () => new Date().toISOString();
    const stub = setup(
      () => ({ body: {} }),
      () => ({ body: { ticket_id: 't1', as_of: now(), expires_at: now(), renew_seconds: 20, viewers: [{ user_id: 'u-me', name: 'Me', since: now() }, { user_id: 'u2', name: 'Kim', since: now() }] } }),
    );
    const others = (await screen.findByTestId('others')).querySelector('.others-text') as HTMLElement;
    await waitFor(() => expect(others.textContent).toBe('Kim is also viewing'));
    expect(stub.calls.filter((c) => c.method === 'POST' && c.url.pathname.endsWith('/viewing'))).toHaveLength(1);
    // Kim types in her reply box (the conversation's typing event).
    act(() => onTyping({ conversation_id: 'c1', sender: 'agent', user_id: 'u2', name: 'Kim', typing: true }));
    expect(others.textContent).toBe('Kim is typing a reply…');
    expect(screen.getByTestId('reply-typing').textContent).toContain('Kim is typing a reply…');
    // My own typing (in another tab) is no news.
    act(() => onTyping({ conversation_id: 'c1', sender: 'agent', user_id: 'u-me', name: 'Me', typing: true }));
    expect(others.textContent).toBe('Kim is typing a reply…');
    act(() => onTyping({ conversation_id: 'c1', sender: 'agent', user_id: 'u2', name: 'Kim', typing: false }));
    act(() => onTyping({ conversation_id: 'c1', sender: 'agent', user_id: 'u-me', name: 'Me', typing: false }));
    expect(screen.queryByTestId('reply-typing')).toBeNull();
    // Kim left (the stream's event).
    act(() => onViewers({ ticket_id: 't1', as_of: new Date(Date.now() + 1000).toISOString(), viewers: [{ user_id: 'u-me', name: 'Me', since: now() }] }));
    expect(others.textContent).toBe('');
    // My typing goes out as the conversation's typing signal.
    fireEvent.input(screen.getByLabelText('Your reply'), { target: { value: 'On it' } });
    await waitFor(() => expect(stub.calls.find((c) => c.url.pathname.endsWith('/conversations/c1/typing'))?.body).toEqual({ typing: true }));
    // Leaving the page: my viewing ends, and so does my typing.
    stub.view.unmount();
    await waitFor(() => expect(stub.calls.some((c) => c.method === 'DELETE' && c.url.pathname.endsWith('/tickets/t1/viewing'))).toBe(true));
    expect(stub.calls.filter((c) => c.url.pathname.endsWith('/typing')).map((c) => c.body)).toEqual([{ typing: true }, { typing: false }]);
  });
});
