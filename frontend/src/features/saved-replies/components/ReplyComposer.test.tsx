import { fireEvent, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAt, signIn, stubApi } from '../../../test/render';
import { ReplyComposer } from './ReplyComposer';

const WS = '11111111-1111-1111-1111-111111111111';

const item = (shortcut: string, title: string, body: string) => ({
  id: `id-${shortcut}`,
  shortcut,
  title,
  body,
  created_by: null,
  version: 1,
  created_at: '2026-12-02T10:00:00Z',
  updated_at: '2026-12-02T10:00:00Z',
});

function setup({ visitorEmail = 'ann@example.com' as string | null, onSubmit = vi.fn() } = {}) {
  signIn();
  const stub = stubApi([
    { path: /\/api\/v1\/me$/, reply: () => ({ body: { id: 'u-me', email: 'alex@acme.test', name: 'Alex Agent', workspaces: [{ id: WS, name: 'Acme Shop', role: 'agent' }] } }) },
    { path: new RegExp(`/api/v1/workspaces/${WS}$`), reply: () => ({ body: { id: WS, name: 'Acme Shop', plan: 'standard' } }) },
    {
      path: /\/saved-replies$/,
      reply: (url) =>
        // Two pages: the composer follows the cursor.
        url.searchParams.get('cursor')
          ? { body: { items: [item('thanks', 'Thank you', 'Thanks, {{visitor.email}}!')], next_cursor: null } }
          : {
              body: {
                items: [
                  item('greet', 'Greeting', 'Hello from {{workspace.name}}'),
                  item('ref', 'Refund started', 'Hi {{visitor.email}}, the refund for {{ticket.number}} is on its way. {{agent.name}}, {{workspace.name}} {{order.id}}'),
                  item('refund-late', 'Refund is late', 'Sorry, {{visitor.email}}.'),
                ],
                next_cursor: 'page2',
              },
            },
    },
  ]);
  function Host() {
    const [text, setText] = useState('');
    return (
      <>
        <label htmlFor="reply">Your reply</label>
        <ReplyComposer
          ws={WS}
          id="reply"
          value={text}
          onValueChange={setText}
          visitorEmail={visitorEmail}
          ticketNumber="TKT-10001"
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) onSubmit(text);
          }}
        />
        <output data-testid="value">{text}</output>
      </>
    );
  }
  renderAt(`/w/${WS}/tickets/TKT-10001`, '/w/:ws/tickets/:ticket', <Host />);
  const box = screen.getByLabelText('Your reply') as HTMLTextAreaElement;
  const type = (value: string) => fireEvent.change(box, { target: { value } });
  const key = (k: string, extra: Partial<KeyboardEventInit> = {}) => fireEvent.keyDown(box, { key: k, ...extra });
  const options = () => screen.queryAllByRole('option').map((o) => o.querySelector('.saved-shortcut')?.textContent);
  return { stub, box, type, key, options, onSubmit };
}

describe('ReplyComposer', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('opens on / with every saved reply (all pages), moves with the arrows and inserts with Enter', async () => {
    const { stub, box, type, key, options } = setup();
    type('/');
    const list = await screen.findByRole('listbox', { name: 'Saved replies' });
    await waitFor(() => expect(options()).toEqual(['/greet', '/ref', '/refund-late', '/thanks']));
    expect(box.getAttribute('aria-controls')).toBe(list.id);
    const active = () => document.getElementById(box.getAttribute('aria-activedescendant') ?? '')?.querySelector('.saved-shortcut')?.textContent;
    expect(active()).toBe('/greet');
    key('ArrowDown');
    expect(active()).toBe('/ref');
    key('ArrowDown');
    key('ArrowDown');
    expect(active()).toBe('/thanks');
    key('ArrowDown'); // wraps
    expect(active()).toBe('/greet');
    key('ArrowUp'); // wraps back
    expect(active()).toBe('/thanks');
    expect(screen.getAllByRole('option').filter((o) => o.getAttribute('aria-selected') === 'true')).toHaveLength(1);
    key('Enter');
    expect(screen.getByTestId('value').textContent).toBe('Thanks, ann@example.com!');
    expect(screen.queryByRole('listbox')).toBeNull();
    expect(box.getAttribute('aria-activedescendant')).toBeNull();
    expect(stub.calls.filter((c) => c.url.pathname.endsWith('/saved-replies')).map((c) => c.url.searchParams.get('cursor'))).toEqual([null, 'page2']);
  });

  it('filters by what follows the / and fills the variables on Tab', async () => {
    const { type, key, options } = setup();
    type('Thanks for waiting. /REF');
    await waitFor(() => expect(options()).toEqual(['/ref', '/refund-late']));
    // The preview shows the filled text.
    expect(screen.getAllByRole('option')[0].textContent).toContain('Hi ann@example.com, the refund for TKT-10001');
    key('Tab');
    expect(screen.getByTestId('value').textContent).toBe(
      'Thanks for waiting. Hi ann@example.com, the refund for TKT-10001 is on its way. Alex Agent, Acme Shop {{order.id}}',
    );
    // Unknown variables are free text: no warning for them.
    expect(screen.queryByTestId('unfilled-variables')).toBeNull();
  });

  it('closes on Escape for that /, and opens again on the next one', async () => {
    const { type, key, options, box } = setup();
    type('/ref');
    await waitFor(() => expect(options()).toEqual(['/ref', '/refund-late']));
    key('Escape');
    expect(screen.queryByRole('listbox')).toBeNull();
    type('/refu');
    expect(screen.queryByRole('listbox')).toBeNull();
    // Enter is a plain key again (the textarea's own newline): nothing is inserted.
    key('Enter');
    expect(screen.getByTestId('value').textContent).toBe('/refu');
    type('/refu /gr');
    await waitFor(() => expect(options()).toEqual(['/greet']));
    expect(box.value).toBe('/refu /gr');
  });

  it('says so when nothing matches, and lets Enter through', async () => {
    const { type, key, onSubmit } = setup();
    type('/zzz');
    await screen.findByText('No saved reply matches “/zzz”.');
    key('Enter', { ctrlKey: true });
    expect(onSubmit).toHaveBeenCalledWith('/zzz');
  });

  it('inserts the clicked option', async () => {
    const { type, box } = setup();
    type('Hello /');
    const option = await screen.findByText('Greeting');
    fireEvent.mouseDown(option);
    fireEvent.click(option);
    expect(screen.getByTestId('value').textContent).toBe('Hello Hello from Acme Shop');
    await waitFor(() => expect(box.selectionStart).toBe('Hello Hello from Acme Shop'.length));
  });

  it('leaves a variable without a value visible and warns about it', async () => {
    const { type, key } = setup({ visitorEmail: null });
    type('/refund-');
    await screen.findByText('Refund is late');
    key('Enter');
    expect(screen.getByTestId('value').textContent).toBe('Sorry, {{visitor.email}}.');
    expect(screen.getByTestId('unfilled-variables').textContent).toContain('{{visitor.email}}');
    type('Sorry, ann@example.com.');
    expect(screen.queryByTestId('unfilled-variables')).toBeNull();
  });

  it('opens above the box, or below when the box is near the top with room under it', async () => {
    const { type, box } = setup();
    const place = (top: number) =>
      vi.spyOn(box, 'getBoundingClientRect').mockReturnValue({ top, bottom: top + 100, left: 0, right: 400, width: 400, height: 100, x: 0, y: top, toJSON: () => ({}) });
    vi.stubGlobal('innerHeight', 900);
    place(600);
    type('/');
    await screen.findByRole('listbox');
    expect(document.querySelector('.saved-popover')?.classList.contains('is-below')).toBe(false);
    type('');
    place(120);
    type('/');
    await screen.findByRole('listbox');
    expect(document.querySelector('.saved-popover')?.classList.contains('is-below')).toBe(true);
  });

  it('ignores slashes inside words and URLs', async () => {
    const { type } = setup();
    type('see https://acme.test/');
    type('and/or');
    expect(screen.queryByRole('listbox')).toBeNull();
  });
});
