import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { authFetch } from './api';
import { __resetForTests, clearSession, getAuthStatus, getSession, REFRESH_MARGIN_MS, restoreSession, setSession, signedIn } from './auth-store';

const user = { id: 'u1', email: 'a@b.c', name: 'A' };
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** The server's side: the refresh token lives in an HttpOnly cookie the page never sees. */
function fakeServer() {
  let valid = 'access-1';
  let cookie: string | null = 'refresh-1';
  let n = 1;
  const calls: { url: string; auth: string | null; body?: string; credentials?: string }[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(input, init);
    const url = new URL(req.url).pathname;
    const body = req.method === 'POST' ? await req.clone().text() : undefined;
    calls.push({ url, auth: req.headers.get('authorization'), body, credentials: init?.credentials ?? req.credentials });
    if (url === '/api/v1/auth/refresh') {
      // Cookie mode: no token in the body, the cookie names the session.
      if (JSON.parse(body ?? '{}').refresh_token !== undefined) return json(400, { error: { code: 'bad_request', message: 'token in the body' } });
      if (!cookie) return json(401, { error: { code: 'unauthorized', message: 'No refresh token.' } });
      n += 1;
      valid = `access-${n}`;
      cookie = `refresh-${n}`;
      return json(200, { access_token: valid, expires_in: 900 });
    }
    if (req.headers.get('authorization') !== `Bearer ${valid}`) return json(401, { error: { code: 'unauthorized', message: 'Token expired.' } });
    if (url === '/api/v1/me') return json(200, { ...user, email_verified: true, is_operator: false, workspaces: [] });
    return json(200, { ok: true });
  });
  return {
    fetchMock,
    calls,
    refreshes: () => calls.filter((c) => c.url === '/api/v1/auth/refresh'),
    expireAccess: () => {
      valid = 'rotated-server-side';
    },
    dropCookie: () => {
      cookie = null;
    },
  };
}

describe('the session: access token in memory, refresh token in an HttpOnly cookie', () => {
  let server: ReturnType<typeof fakeServer>;
  beforeEach(() => {
    server = fakeServer();
    vi.stubGlobal('fetch', server.fetchMock);
    localStorage.clear();
    __resetForTests();
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    setSession(null);
  });

  it('adds the bearer token', async () => {
    setSession({ user, accessToken: 'access-1', expiresAt: Date.now() + 900_000 });
    const res = await authFetch(new Request('http://localhost/api/v1/me'));
    expect(res.status).toBe(200);
    expect(server.calls).toEqual([{ url: '/api/v1/me', auth: 'Bearer access-1', body: undefined, credentials: 'same-origin' }]);
  });

  it('on a 401 refreshes once by cookie and retries the request with the new token', async () => {
    setSession({ user, accessToken: 'access-1', expiresAt: Date.now() + 900_000 });
    server.expireAccess();
    const res = await authFetch(new Request('http://localhost/api/v1/workspaces/x/tickets/T/status', { method: 'POST', body: '{"status":"closed"}' }));
    expect(res.status).toBe(200);
    expect(server.calls.map((c) => c.url)).toEqual(['/api/v1/workspaces/x/tickets/T/status', '/api/v1/auth/refresh', '/api/v1/workspaces/x/tickets/T/status']);
    // The refresh sends no token: the cookie carries it.
    expect(server.calls[1]).toMatchObject({ body: '{}', credentials: 'same-origin', auth: null });
    // The retried POST carries its body again.
    expect(server.calls[2]).toMatchObject({ auth: 'Bearer access-2', body: '{"status":"closed"}' });
    expect(getSession()?.accessToken).toBe('access-2');
  });

  it('refreshes before expiry, once for many concurrent requests (rotation-safe)', async () => {
    setSession({ user, accessToken: 'access-1', expiresAt: Date.now() + REFRESH_MARGIN_MS - 1000 });
    const results = await Promise.all([1, 2, 3].map(() => authFetch(new Request('http://localhost/api/v1/me'))));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(server.refreshes()).toHaveLength(1);
    expect(server.calls.filter((c) => c.url === '/api/v1/me').every((c) => c.auth === 'Bearer access-2')).toBe(true);
  });

  it('signs out when the refresh is refused', async () => {
    setSession({ user, accessToken: 'access-1', expiresAt: Date.now() + 900_000 });
    server.expireAccess();
    server.dropCookie();
    const res = await authFetch(new Request('http://localhost/api/v1/me'));
    expect(res.status).toBe(401);
    expect(getSession()).toBeNull();
  });

  it('on load, trades the cookie for a session and loads the user', async () => {
    localStorage.setItem('handoff.signed-in', '1');
    const restoring = restoreSession();
    expect(getAuthStatus()).toBe('restoring');
    const s = await restoring;
    expect(getAuthStatus()).toBe('ready');
    expect(s).toMatchObject({ user, accessToken: 'access-2' });
    expect(server.calls.map((c) => c.url)).toEqual(['/api/v1/auth/refresh', '/api/v1/me']);
  });

  it('on load without a cookie, is signed out (and ready to show the login page)', async () => {
    localStorage.setItem('handoff.signed-in', '1');
    server.dropCookie();
    expect(await restoreSession()).toBeNull();
    expect(getSession()).toBeNull();
    expect(getAuthStatus()).toBe('ready');
    expect(localStorage.getItem('handoff.signed-in')).toBeNull();
  });

  it('on load in a browser that never signed in, asks the server nothing', async () => {
    expect(await restoreSession()).toBeNull();
    expect(server.calls).toEqual([]);
    expect(getAuthStatus()).toBe('ready');
  });

  it('keeps no token in localStorage', async () => {
    localStorage.setItem('handoff.session', JSON.stringify({ accessToken: 'old', refreshToken: 'old-refresh' }));
    signedIn({ user, accessToken: 'access-1', expiresAt: Date.now() + REFRESH_MARGIN_MS - 1000 });
    await authFetch(new Request('http://localhost/api/v1/me'));
    const stored = Object.keys(localStorage)
      .map((k) => `${k}=${localStorage.getItem(k)}`)
      .join('\n');
    expect(stored).not.toMatch(/access-|refresh-/);
  });

  it('follows a logout made in another tab', async () => {
    setSession({ user, accessToken: 'access-1', expiresAt: Date.now() + 900_000 });
    window.dispatchEvent(new StorageEvent('storage', { key: 'handoff.auth-event', newValue: JSON.stringify({ event: 'logout', at: 1 }) }));
    expect(getSession()).toBeNull();
    expect(server.refreshes()).toHaveLength(0);
  });

  it('tells other tabs when this one logs out', () => {
    setSession({ user, accessToken: 'access-1', expiresAt: Date.now() + 900_000 });
    clearSession();
    expect(JSON.parse(localStorage.getItem('handoff.auth-event') ?? '{}').event).toBe('logout');
  });
});
