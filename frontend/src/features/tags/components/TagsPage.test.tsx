import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAt, stubApi } from '../../../test/render';
import { TagsPage } from './TagsPage';

const WS = '11111111-1111-1111-1111-111111111111';

function setup(role: 'owner' | 'agent') {
  const items = [{ id: 'tag-vip', name: '<b>VIP</b>', colour: '#7c3aed' }];
  const stub = stubApi([
    { path: /\/api\/v1\/me$/, reply: () => ({ body: { id: 'u-me', email: 'me@acme.test', name: 'Me', workspaces: [{ id: WS, name: 'Acme', role }] } }) },
    { path: /\/tags$/, reply: () => ({ body: { items } }) },
    {
      method: 'POST',
      path: /\/tags$/,
      reply: (_u, b) => {
        const body = b as { name: string; colour: string };
        if (body.name === 'VIP') return { status: 409, body: { error: { code: 'tag_exists', message: 'A tag with this name already exists.' } } };
        items.push({ id: 'tag-new', ...body });
        return { status: 201, body: items[items.length - 1] };
      },
    },
  ]);
  renderAt(`/w/${WS}/tags`, '/w/:ws/tags', <TagsPage />);
  return stub;
}

describe('TagsPage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('lets an admin add a tag with a colour; a taken name is said at the field', async () => {
    const stub = setup('owner');
    // Names are text, never HTML.
    expect(await screen.findByText('<b>VIP</b>', { selector: '.tag-name' })).toBeTruthy();
    fireEvent.change(await screen.findByLabelText('Tag name'), { target: { value: 'VIP' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add tag' }));
    await screen.findByText('A tag with this name already exists.');
    fireEvent.change(screen.getByLabelText('Tag name'), { target: { value: '  Billing ' } });
    fireEvent.click(screen.getByLabelText('Colour #dc2626'));
    fireEvent.click(screen.getByRole('button', { name: 'Add tag' }));
    await waitFor(() => expect(stub.calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([
      { name: 'VIP', colour: '#2563eb' },
      { name: 'Billing', colour: '#dc2626' },
    ]));
    await screen.findByText('Billing', { selector: '.tag-admin-row .tag-name' });
  });

  it('shows agents the tags without the controls', async () => {
    setup('agent');
    expect(await screen.findByText('<b>VIP</b>', { selector: '.tag-name' })).toBeTruthy();
    expect(screen.queryByLabelText('Tag name')).toBeNull();
    expect(screen.queryByRole('button', { name: /Delete/ })).toBeNull();
  });
});
