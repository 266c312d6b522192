// Keeps the signed-in user's tokens, in memory and in localStorage, and refreshes the access
// token silently: on a timer shortly before it expires, on demand when a request finds it
// (nearly) expired, and after a 401. Refresh tokens rotate (the old one dies), so refreshes
// are single-flight within a tab and serialised across tabs with the Web Locks API; a tab that
// finds another tab already rotated the token adopts the stored pair instead of reusing its own
// (which would look like token theft to the server and revoke the whole family).
import type { User } from './types';

export interface Session {
  user: User;
  accessToken: string;
  refreshToken: string;
  /** epoch ms when the access token expires */
  expiresAt: number;
}

const STORAGE_KEY = 'handoff.session';
/** Refresh this long before the access token expires. */
export const REFRESH_MARGIN_MS = 60_000;

type Listener = () => void;

let session: Session | null = load();
const listeners = new Set<Listener>();
let inflight: Promise<Session | null> | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;

function load(): Session | null {
  try {
    const raw = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    return s && s.accessToken && s.refreshToken ? s : null;
  } catch {
    return null;
  }
}

function persist() {
  try {
    if (session) localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    /* private mode: memory only */
  }
}

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

export function getSession(): Session | null {
  return session;
}

export function subscribe(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function setSession(next: Session | null) {
  session = next;
  persist();
  schedule();
  emit();
}

/** Stores the answer of register/login/refresh. */
export function sessionFrom(
  body: { access_token: string; refresh_token: string; expires_in?: number | null; user?: User },
  user?: User,
): Session {
  const u = body.user ?? user ?? session?.user;
  if (!u) throw new Error('no user for session');
  const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 900;
  return { user: u, accessToken: body.access_token, refreshToken: body.refresh_token, expiresAt: Date.now() + expiresIn * 1000 };
}

export function clearSession() {
  setSession(null);
}

function baseUrl(): string {
  return typeof window !== 'undefined' ? window.location.origin : '';
}

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (locks?.request) return locks.request('handoff-token-refresh', fn) as Promise<T>;
  return fn();
}

async function doRefresh(staleAccess: string | undefined): Promise<Session | null> {
  return withLock(async () => {
    // Another tab may have rotated the pair while we waited for the lock.
    const stored = load();
    if (stored && stored.accessToken !== staleAccess && stored.expiresAt - Date.now() > REFRESH_MARGIN_MS) {
      session = stored;
      schedule();
      emit();
      return stored;
    }
    const current = stored ?? session;
    if (!current) return null;
    let res: Response;
    try {
      res = await fetch(`${baseUrl()}/api/v1/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: current.refreshToken }),
      });
    } catch (err) {
      // Offline: keep the session; a later request tries again.
      throw err;
    }
    if (res.status === 401 || res.status === 400 || res.status === 403) {
      setSession(null);
      return null;
    }
    if (!res.ok) throw new Error(`refresh failed (HTTP ${res.status})`);
    const body = await res.json();
    const next = sessionFrom(body, current.user);
    setSession(next);
    return next;
  });
}

/** Rotates the token pair once, however many callers ask at the same time. */
export function refreshSession(): Promise<Session | null> {
  if (!inflight) {
    const stale = session?.accessToken;
    inflight = doRefresh(stale).finally(() => {
      inflight = null;
    });
  }
  return inflight;
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

// Follow logins, logouts and rotations made in other tabs.
if (typeof window !== 'undefined') {
  window.addEventListener('storage', (e) => {
    if (e.key !== STORAGE_KEY) return;
    session = load();
    schedule();
    emit();
  });
  schedule();
}

/** For tests. */
export function __resetForTests() {
  if (timer) clearTimeout(timer);
  timer = undefined;
  inflight = null;
  session = load();
}
