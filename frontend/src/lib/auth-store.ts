// Keeps the signed-in user's access token in memory only. The refresh token never reaches
// page scripts: the server keeps it in an HttpOnly, SameSite=Strict cookie scoped to
// /api/v1/auth (`handoff_refresh`), so an XSS can't carry a long-lived credential away and
// nothing secret sits in localStorage. On load, restoreSession() trades the cookie for an
// access token (and /me for the user). The access token is refreshed silently: on a timer
// shortly before it expires, on demand when a request finds it (nearly) expired, and after a
// 401. The cookie rotates on every refresh (the old token dies), so refreshes are single-flight
// within a tab and serialised across tabs with the Web Locks API. Logins and logouts reach the
// other tabs through a storage event that carries no secret.
import type { User } from './types';

export interface Session {
  user: User;
  accessToken: string;
  /** epoch ms when the access token expires */
  expiresAt: number;
}

/** `restoring` while the page trades its cookie for a session (don't send the user to login yet). */
export type AuthStatus = 'restoring' | 'ready';

/** Where tabs tell each other about logins and logouts (no token in it). */
const EVENT_KEY = 'handoff.auth-event';
/**
 * A hint, no secret: this browser has signed in and not out, so a refresh cookie may be there
 * (page scripts can't see an HttpOnly cookie). Without it, loading the page skips the refresh
 * that could only answer 401.
 */
const HINT_KEY = 'handoff.signed-in';
/** Where earlier versions kept the tokens; removed on load. */
const LEGACY_KEY = 'handoff.session';
/** Refresh this long before the access token expires. */
export const REFRESH_MARGIN_MS = 60_000;

type Listener = () => void;

let session: Session | null = null;
let status: AuthStatus = 'ready';
const listeners = new Set<Listener>();
let inflight: Promise<Session | null> | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;

function emit() {
  for (const l of listeners) l();
}

function schedule() {
  if (timer) clearTimeout(timer);
  timer = undefined;
  if (!session || typeof window === 'undefined') return;
  const delay = Math.max(session.expiresAt - Date.now() - REFRESH_MARGIN_MS, 5_000);
  timer = setTimeout(() => {
    void refreshSession().catch(() => undefined);
  }, Math.min(delay, 2 ** 31 - 1));
}

function tellOtherTabs(event: 'login' | 'logout') {
  try {
    localStorage.setItem(EVENT_KEY, JSON.stringify({ event, at: Date.now() }));
  } catch {
    /* private mode: other tabs find out at their next refresh */
  }
}

export function getSession(): Session | null {
  return session;
}

export function getAuthStatus(): AuthStatus {
  return status;
}

export function subscribe(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

function forgetLegacyTokens() {
  try {
    localStorage.removeItem(LEGACY_KEY);
  } catch {
    /* no storage */
  }
}

function setHint(on: boolean) {
  try {
    if (on) localStorage.setItem(HINT_KEY, '1');
    else localStorage.removeItem(HINT_KEY);
  } catch {
    /* no storage: always try the cookie */
  }
}

function hinted(): boolean {
  try {
    return localStorage.getItem(HINT_KEY) === '1' || localStorage.getItem(LEGACY_KEY) !== null;
  } catch {
    return true;
  }
}

export function setSession(next: Session | null) {
  if (next) setHint(true);
  else if (session) setHint(false);
  forgetLegacyTokens();
  session = next;
  status = 'ready';
  schedule();
  emit();
}

/** The session from the answer of login/register/refresh (whose refresh token, if any, is ignored: the cookie has it). */
export function sessionFrom(body: { access_token: string; expires_in?: number | null; user?: User }, user?: User): Session {
  const u = body.user ?? user ?? session?.user;
  if (!u) throw new Error('no user for session');
  const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 900;
  return { user: u, accessToken: body.access_token, expiresAt: Date.now() + expiresIn * 1000 };
}

/** After a login in this tab. */
export function signedIn(next: Session) {
  setSession(next);
  tellOtherTabs('login');
}

/** After a logout in this tab (or a refused refresh). */
export function clearSession() {
  setSession(null);
  tellOtherTabs('logout');
}

function baseUrl(): string {
  return typeof window !== 'undefined' ? window.location.origin : '';
}

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (locks?.request) return locks.request('handoff-token-refresh', fn) as Promise<T>;
  return fn();
}

async function fetchUser(accessToken: string): Promise<User> {
  const res = await fetch(`${baseUrl()}/api/v1/me`, { headers: { Authorization: `Bearer ${accessToken}` } });
  if (!res.ok) throw new Error(`loading the user failed (HTTP ${res.status})`);
  const me = (await res.json()) as User;
  return { id: me.id, email: me.email, name: me.name };
}

async function doRefresh(): Promise<Session | null> {
  return withLock(async () => {
    // `{}`: no token in the body, so the server takes the cookie (and checks our Origin).
    const res = await fetch(`${baseUrl()}/api/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      credentials: 'same-origin',
    });
    if (res.status === 401 || res.status === 400 || res.status === 403) {
      setHint(false);
      if (session) clearSession();
      else setSession(null);
      return null;
    }
    if (!res.ok) throw new Error(`refresh failed (HTTP ${res.status})`);
    const body = await res.json();
    const user = session?.user ?? (await fetchUser(body.access_token));
    const next = sessionFrom(body, user);
    setSession(next);
    return next;
  });
}

/** Renews the access token once, however many callers ask at the same time. */
export function refreshSession(): Promise<Session | null> {
  if (!inflight) {
    inflight = doRefresh().finally(() => {
      inflight = null;
    });
  }
  return inflight;
}

/** On page load: the session the refresh cookie still holds, if any. */
export function restoreSession(): Promise<Session | null> {
  if (session) return Promise.resolve(session);
  if (!hinted()) return Promise.resolve(null);
  status = 'restoring';
  emit();
  return refreshSession()
    .catch(() => null)
    .finally(() => {
      if (status === 'restoring') {
        status = 'ready';
        emit();
      }
    });
}

/** An access token that is valid for at least a little while, refreshing first if needed. */
export async function getAccessToken(): Promise<string | null> {
  if (!session) return null;
  if (session.expiresAt - Date.now() <= REFRESH_MARGIN_MS) {
    const s = await refreshSession().catch(() => session);
    return s?.accessToken ?? null;
  }
  return session.accessToken;
}

// Follow logins and logouts made in other tabs.
if (typeof window !== 'undefined') {
  forgetLegacyTokens();
  window.addEventListener('storage', (e) => {
    if (e.key !== EVENT_KEY || !e.newValue) return;
    let event: string | undefined;
    try {
      event = (JSON.parse(e.newValue) as { event?: string }).event;
    } catch {
      return;
    }
    if (event === 'logout' && session) setSession(null);
    if (event === 'login' && !session) void restoreSession();
  });
}

/** For tests. */
export function __resetForTests() {
  if (timer) clearTimeout(timer);
  timer = undefined;
  inflight = null;
  session = null;
  status = 'ready';
}
