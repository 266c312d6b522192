import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { authFetch } from './api';
import { __resetForTests, getSession, REFRESH_MARGIN_MS, setSession } from './auth-store';

const user = { id: 'u1', email: 'a@b.c', name: 'A' };
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function fakeServer() {
  let valid = 'access-1';
  let refreshToken = 'refresh-1';
  let n = 1;
  const calls: { url: string; auth: string | null; body?: string }[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(input, init);
    const url = new URL(req.url).pathname;
    const body = req.method === 'POST' ? await req.clone().text() : undefined;
    calls.push({ url, auth: req.headers.get('authorization'), body });
    if (url === '/api/v1/auth/refresh') {
      const sent = JSON.parse(body ?? '{}').refresh_token;
      if (sent !== refreshToken) return json(401, { error: { code: 'unauthorized', message: 'Refresh token is no longer valid.' } });
      n += 1;
      valid = `access-${n}`;
      refreshToken = `refresh-${n}`;
      return json(200, { access_token: valid, refresh_token: refreshToken, expires_in: 900 });
    }
    if (req.headers.get('authorization') !== `Bearer ${valid}`) return json(401, { error: { code: 'unauthorized', message: 'Token expired.' } });
    return json(200, { ok: true });
  });
  return {
    fetchMock,
    calls,
    expireAccess: () => {
      valid = 'rotated-server-side';
    },
  };
}

describe('silent token refresh', () => {
  let server: ReturnType<typeof fakeServer>;
  beforeEach(() => {
    server = fakeServer();
    vi.stubGlobal('fetch', server.fetchMock);
    __resetForTests();
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    setSession(null);
  });

  it('adds the bearer token', async () => {
    setSession({ user, accessToken: 'access-1', refreshToken: 'refresh-1', expiresAt: Date.now() + 900_000 });
    const res = await authFetch(new Request('http://localhost/api/v1/me'));
    expect(res.status).toBe(200);
    expect(server.calls).toEqual([{ url: '/api/v1/me', auth: 'Bearer access-1', body: undefined }]);
  });

  it('on a 401 refreshes once and retries the request with the new token', async () => {
    setSession({ user, accessToken: 'access-1', refreshToken: 'refresh-1', expiresAt: Date.now() + 900_000 });
    server.expireAccess();
    const res = await authFetch(new Request('http://localhost/api/v1/workspaces/x/tickets/T/status', { method: 'POST', body: '{"status":"closed"}' }));
    expect(res.status).toBe(200);
    expect(server.calls.map((c) => c.url)).toEqual(['/api/v1/workspaces/x/tickets/T/status', '/api/v1/auth/refresh', '/api/v1/workspaces/x/tickets/T/status']);
    // The retried POST carries its body again.
    expect(server.calls[2]).toMatchObject({ auth: 'Bearer access-2', body: '{"status":"closed"}' });
    expect(getSession()?.refreshToken).toBe('refresh-2');
  });

  it('refreshes before expiry, once for many concurrent requests (rotation-safe)', async () => {
    setSession({ user, accessToken: 'access-1', refreshToken: 'refresh-1', expiresAt: Date.now() + REFRESH_MARGIN_MS - 1000 });
    const results = await Promise.all([1, 2, 3].map(() => authFetch(new Request('http://localhost/api/v1/me'))));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(server.calls.filter((c) => c.url === '/api/v1/auth/refresh')).toHaveLength(1);
    expect(server.calls.filter((c) => c.url === '/api/v1/me').every((c) => c.auth === 'Bearer access-2')).toBe(true);
  });

  it('signs out when the refresh token is rejected', async () => {
    setSession({ user, accessToken: 'access-1', refreshToken: 'stolen-or-old', expiresAt: Date.now() + 900_000 });
    server.expireAccess();
    const res = await authFetch(new Request('http://localhost/api/v1/me'));
    expect(res.status).toBe(401);
    expect(getSession()).toBeNull();
  });

  it('adopts a pair that another tab already rotated instead of reusing the old refresh token', async () => {
    setSession({ user, accessToken: 'access-1', refreshToken: 'refresh-1', expiresAt: Date.now() + 1000 });
    // Another tab rotated: storage now holds a fresh pair.
    localStorage.setItem('handoff.session', JSON.stringify({ user, accessToken: 'access-9', refreshToken: 'refresh-9', expiresAt: Date.now() + 900_000 }));
    const { refreshSession } = await import('./auth-store');
    const s = await refreshSession();
    expect(s?.accessToken).toBe('access-9');
    expect(server.calls.filter((c) => c.url === '/api/v1/auth/refresh')).toHaveLength(0);
  });
});
