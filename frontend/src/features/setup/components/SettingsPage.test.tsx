import { screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAt, signIn, stubApi } from '../../../test/render';
import { SettingsPage } from './SettingsPage';

const WS = '11111111-1111-1111-1111-111111111111';

function api(mail: { queued: number; waiting_for_quota: number; next_send_at: string | null; sent_this_hour: number }) {
  return stubApi([
    { path: /\/api\/v1\/me$/, reply: () => ({ body: { id: 'u-me', email: 'me@acme.test', name: 'Me', email_verified: true, is_operator: false, workspaces: [{ id: WS, name: 'Acme', role: 'owner' }] } }) },
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
});
