import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAt, stubApi } from '../../../test/render';
import { SavedRepliesPage } from './SavedRepliesPage';

const WS = '11111111-1111-1111-1111-111111111111';

interface Item {
  id: string;
  title: string;
  shortcut: string;
  body: string;
  version: number;
}

function setup(role: 'owner' | 'agent') {
  const items: Item[] = [{ id: 'sr-1', title: '<b>Refund</b> started', shortcut: 'refund', body: 'Hi {{visitor.email}},\nyour refund is on its way.', version: 1 }];
  const out = (i: Item) => ({ ...i, created_by: null, created_at: '2026-12-02T10:00:00Z', updated_at: '2026-12-02T10:00:00Z' });
  const stub = stubApi([
    { path: /\/api\/v1\/me$/, reply: () => ({ body: { id: 'u-me', email: 'me@acme.test', name: 'Me', workspaces: [{ id: WS, name: 'Acme', role }] } }) },
    { path: /\/saved-replies$/, reply: () => ({ body: { items: items.map(out), next_cursor: null } }) },
    {
      method: 'POST',
      path: /\/saved-replies$/,
      reply: (_u, b) => {
        const body = b as Item;
        if (body.shortcut === 'refund')
          return { status: 409, body: { error: { code: 'shortcut_taken', message: 'Another saved reply already uses this shortcut. Choose another one.' } } };
        items.push({ ...body, id: 'sr-new', version: 1 });
        return { status: 201, body: out(items[items.length - 1]) };
      },
    },
    {
      method: 'PATCH',
      path: /\/saved-replies\/sr-1$/,
      reply: (_u, b) => {
        const body = b as Partial<Item> & { version: number };
        if (body.version !== items[0].version) return { status: 409, body: { error: { code: 'version_conflict', message: 'This saved reply was changed by someone else.' } } };
        Object.assign(items[0], body, { version: items[0].version + 1 });
        return { body: out(items[0]) };
      },
    },
    {
      method: 'DELETE',
      path: /\/saved-replies\/sr-1$/,
      reply: () => {
        items.splice(0, 1);
        return { status: 204 };
      },
    },
  ]);
  renderAt(`/w/${WS}/saved-replies`, '/w/:ws/saved-replies', <SavedRepliesPage />);
  return { stub, items };
}

describe('SavedRepliesPage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('lets an admin add a reply with a variable; a taken shortcut is said at the field', async () => {
    const { stub } = setup('owner');
    // Titles and bodies are text, never HTML.
    expect(await screen.findByText('<b>Refund</b> started')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Title'), { target: { value: 'Refund again' } });
    fireEvent.change(screen.getByLabelText('Shortcut'), { target: { value: '/Refund' } });
    fireEvent.change(screen.getByLabelText('Reply text'), { target: { value: 'Hello ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add saved reply' }));
    expect(await screen.findByText('Another saved reply already uses this shortcut. Choose another one.')).toBeTruthy();
    expect(screen.getByLabelText('Shortcut').getAttribute('aria-invalid')).toBe('true');

    // Changing the shortcut takes the server's word back; bad characters are said before anything is sent.
    fireEvent.change(screen.getByLabelText('Shortcut'), { target: { value: 'refund2' } });
    expect(screen.queryByText('Another saved reply already uses this shortcut. Choose another one.')).toBeNull();
    fireEvent.change(screen.getByLabelText('Shortcut'), { target: { value: 'two words' } });
    expect(screen.getByText('Use 1 to 32 lower-case letters, digits, - or _ (no spaces).')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Add saved reply' }) as HTMLButtonElement).disabled).toBe(true);

    fireEvent.change(screen.getByLabelText('Shortcut'), { target: { value: 'hello' } });
    const body = screen.getByLabelText('Reply text') as HTMLTextAreaElement;
    body.setSelectionRange(6, 6);
    fireEvent.click(screen.getByRole('button', { name: '{{agent.name}}' }));
    expect(body.value).toBe('Hello {{agent.name}}');
    fireEvent.click(screen.getByRole('button', { name: 'Add saved reply' }));
    await waitFor(() =>
      expect(stub.calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([
        { title: 'Refund again', shortcut: 'refund', body: 'Hello' },
        { title: 'Refund again', shortcut: 'hello', body: 'Hello {{agent.name}}' },
      ]),
    );
    await screen.findByText('/hello', { selector: '.saved-shortcut' });
    // The form is empty again.
    expect((screen.getByLabelText('Title') as HTMLInputElement).value).toBe('');
  });

  it('edits with the version and deletes after a confirmation', async () => {
    const { stub } = setup('owner');
    await screen.findByText('<b>Refund</b> started');
    fireEvent.click(screen.getByRole('button', { name: 'Edit /refund' }));
    const title = screen.getByLabelText('Title of /refund');
    fireEvent.change(title, { target: { value: 'Refund on its way' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Refund on its way');
    const patch = stub.calls.find((c) => c.method === 'PATCH');
    expect(patch?.body).toEqual({ version: 1, title: 'Refund on its way', shortcut: 'refund', body: 'Hi {{visitor.email}},\nyour refund is on its way.' });

    const confirm = vi.spyOn(window, 'confirm').mockReturnValueOnce(false).mockReturnValueOnce(true);
    fireEvent.click(screen.getByRole('button', { name: 'Delete /refund' }));
    expect(stub.calls.some((c) => c.method === 'DELETE')).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Delete /refund' }));
    await screen.findByText('No saved replies yet');
    expect(confirm).toHaveBeenCalledTimes(2);
    expect(confirm.mock.calls[0][0]).toContain('/refund');
  });

  it('shows agents the replies without the controls', async () => {
    setup('agent');
    const row = (await screen.findByText('<b>Refund</b> started')).closest('li')!;
    expect(within(row).getByText(/your refund is on its way/)).toBeTruthy();
    expect(screen.queryByLabelText('Title')).toBeNull();
    expect(screen.queryByRole('button', { name: /Edit|Delete/ })).toBeNull();
    expect(screen.getByText(/Owners and admins manage the list/)).toBeTruthy();
  });
});
