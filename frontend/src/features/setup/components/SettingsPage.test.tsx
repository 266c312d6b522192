import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAt, signIn, stubApi } from '../../../test/render';
import { SettingsPage } from './SettingsPage';

const WS = '11111111-1111-1111-1111-111111111111';

function api(mail: { queued: number; waiting_for_quota: number; next_send_at: string | null; sent_this_hour: number }, role: 'owner' | 'agent' = 'owner') {
  return stubApi([
    { path: /\/api\/v1\/me$/, reply: () => ({ body: { id: 'u-me', email: 'me@acme.test', name: 'Me', email_verified: true, is_operator: false, workspaces: [{ id: WS, name: 'Acme', role }] } }) },
    { path: /\/privacy$/, reply: () => ({ body: { conversations_without_ticket_days: 90, closed_tickets_days: 365 } }) },
    { path: /\/workspaces\/[^/]+$/, reply: () => ({ body: { id: WS, name: 'Acme', plan: 'standard', widget_key: 'wk', allowed_origins: [], widget_color: '#4f46e5', greeting: 'Hi', created_at: '2026-11-24T00:00:00Z' } }) },
    { path: /\/ticket-settings$/, reply: () => ({ body: { enabled: true, notification_email: 'ops@acme.test', reply_sets_in_progress: false, instruction_warnings: [] } }) },
    { path: /\/members$/, reply: () => ({ body: { items: [{ user_id: 'u-me', email: 'me@acme.test', name: 'Me', role: 'owner' }] } }) },
    { path: /\/mail-status$/, reply: () => ({ body: { ...mail, quota_per_hour: 200, recipient_quota_per_hour: 20 } }) },
  ]);
}

describe('SettingsPage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('says when mail waits for the hourly quota, and that nothing is lost', async () => {
    signIn();
    api({ queued: 3, waiting_for_quota: 3, next_send_at: '2026-12-02T03:00:00Z', sent_this_hour: 200 });
    renderAt(`/w/${WS}/settings`, '/w/:ws/settings', <SettingsPage />);
    const alert = await screen.findByText(/3 mails wait because the hourly mail limit was reached/);
    expect(alert.textContent).toContain('nothing is lost');
    expect(screen.getByText(/Sent this hour:/).textContent).toContain('200 of 200');
    expect(screen.getByText('Standard')).toBeTruthy();
  });

  it('shows no warning when nothing waits', async () => {
    signIn();
    api({ queued: 0, waiting_for_quota: 0, next_send_at: null, sent_this_hour: 4 });
    renderAt(`/w/${WS}/settings`, '/w/:ws/settings', <SettingsPage />);
    await screen.findByText('No mail waiting.');
    expect(screen.queryByText(/hourly mail limit/)).toBeNull();
  });

  it('has the Privacy card for owners and admins', async () => {
    signIn();
    api({ queued: 0, waiting_for_quota: 0, next_send_at: null, sent_this_hour: 0 });
    renderAt(`/w/${WS}/settings`, '/w/:ws/settings', <SettingsPage />);
    const card = await screen.findByRole('region', { name: 'Privacy' });
    expect(await within(card).findByDisplayValue('90')).toBeTruthy();
    expect(within(card).getByRole('button', { name: 'Save privacy settings' })).toBeTruthy();
  });

  it('has no Privacy card for agents, and does not ask for it', async () => {
    signIn();
    const { calls } = api({ queued: 0, waiting_for_quota: 0, next_send_at: null, sent_this_hour: 0 }, 'agent');
    renderAt(`/w/${WS}/settings`, '/w/:ws/settings', <SettingsPage />);
    await screen.findByText('Only owners and admins can change these settings.');
    expect(screen.queryByRole('region', { name: 'Privacy' })).toBeNull();
    expect(calls.some((c) => c.url.pathname.endsWith('/privacy'))).toBe(false);
  });
});
