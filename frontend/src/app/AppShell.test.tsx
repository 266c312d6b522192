import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Role } from '../lib/types';
import { renderAt, signIn, stubApi } from '../test/render';
import { AppShell } from './AppShell';

const WS = '11111111-1111-1111-1111-111111111111';

function setup(role: Role) {
  signIn();
  stubApi([
    { path: /\/api\/v1\/me$/, reply: () => ({ body: { id: 'u-me', email: 'me@acme.test', name: 'Me', email_verified: true, is_operator: false, workspaces: [{ id: WS, name: 'Acme', role }] } }) },
    { path: /\/workspaces\/[^/]+$/, reply: () => ({ body: { id: WS, name: 'Acme', plan: 'free', widget_key: 'wk', allowed_origins: [], widget_color: '#4f46e5', greeting: 'Hi', created_at: '2026-11-24T00:00:00Z' } }) },
    { path: /\/mentions$/, reply: () => ({ body: { items: [], unread_count: 0 } }) },
  ]);
  renderAt(`/w/${WS}/tickets`, '/w/:ws/*', <AppShell />);
}

describe('the sidebar', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('has Audit log after Settings for owners and admins', async () => {
    setup('admin');
    const nav = screen.getByRole('navigation', { name: 'Main' });
    const link = await within(nav).findByRole('link', { name: 'Audit log' });
    expect(link.getAttribute('href')).toBe(`/w/${WS}/audit-log`);
    const names = within(nav).getAllByRole('link').map((a) => a.textContent);
    expect(names.indexOf('Audit log')).toBe(names.indexOf('Settings') + 1);
  });

  it('has no Audit log for agents', async () => {
    setup('agent');
    const nav = screen.getByRole('navigation', { name: 'Main' });
    // Once the role is known, the owners' and admins' pages go.
    await vi.waitFor(() => expect(within(nav).queryByRole('link', { name: 'Webhooks' })).toBeNull());
    expect(within(nav).queryByRole('link', { name: 'Audit log' })).toBeNull();
    expect(within(nav).getByRole('link', { name: 'Settings' })).toBeTruthy();
  });
});
