import { fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getSession, setSession } from '../../../lib/auth-store';
import { renderAt, stubApi } from '../../../test/render';
import { SignupPage } from './SignupPage';
import { VerifyEmailPage } from './VerifyEmailPage';

function fill() {
  fireEvent.change(screen.getByLabelText('Your name'), { target: { value: 'Sam' } });
  fireEvent.change(screen.getByLabelText('Work email'), { target: { value: 'sam@acme.test' } });
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'correct horse battery' } });
  fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
}

const session = { user: { id: 'u1', email: 'sam@acme.test', name: 'Sam' }, access_token: 'a1', refresh_token: 'hr_x', expires_in: 900 };

describe('sign-up (L5: the answer never says whether the address has an account)', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setSession(null);
  });

  it('asks to follow the mailed link, and signs in nobody', async () => {
    setSession(null);
    const { calls } = stubApi([{ method: 'POST', path: /\/auth\/register$/, reply: () => ({ status: 202, body: { email: 'sam@acme.test' } }) }]);
    renderAt('/signup', '/signup', <SignupPage />);
    fill();
    await screen.findByText(/We sent a link to sam@acme.test/);
    expect(getSession()).toBeNull();
    expect(calls[0].body).toEqual({ name: 'Sam', email: 'sam@acme.test', password: 'correct horse battery' });
  });

  it('from an invitation link, sends its token and signs in at once', async () => {
    setSession(null);
    const { calls } = stubApi([{ method: 'POST', path: /\/auth\/register$/, reply: () => ({ status: 201, body: session }) }]);
    const next = encodeURIComponent('/invitations/accept?token=hi_abc');
    renderAt(`/signup?next=${next}`, '/signup', <SignupPage />);
    fill();
    await vi.waitFor(() => expect(getSession()?.accessToken).toBe('a1'));
    expect(calls[0].body).toMatchObject({ invitation_token: 'hi_abc' });
  });

  it('the mailed link confirms the address and signs in', async () => {
    setSession(null);
    stubApi([{ method: 'POST', path: /\/auth\/verify-email$/, reply: () => ({ body: session }) }]);
    renderAt('/verify-email?token=ev_1', '/verify-email', <VerifyEmailPage />);
    await screen.findByText('Your email address sam@acme.test is confirmed. You are signed in.');
    expect(getSession()?.user.email).toBe('sam@acme.test');
  });
});
