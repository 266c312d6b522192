// The one API client: openapi-fetch over the generated `paths`, with the access token added to
// every request and one silent refresh + retry when the server answers 401.
import createClient from 'openapi-fetch';
import type { paths } from './api-types';
import { clearSession, getAccessToken, getSession, refreshSession } from './auth-store';
import { ApiError, apiErrorFrom } from './errors';

const AUTH_FREE = ['/api/v1/auth/login', '/api/v1/auth/register', '/api/v1/auth/refresh'];

/** fetch with Authorization and a single refresh-and-retry on 401. */
export async function authFetch(input: Request): Promise<Response> {
  const path = new URL(input.url).pathname;
  if (AUTH_FREE.includes(path)) return fetch(input);
  const retry = input.clone();
  const token = await getAccessToken();
  if (token) input.headers.set('Authorization', `Bearer ${token}`);
  const res = await fetch(input);
  if (res.status !== 401 || !token) return res;
  const next = await refreshSession().catch(() => null);
  if (!next) {
    if (!getSession()) clearSession();
    return res;
  }
  retry.headers.set('Authorization', `Bearer ${next.accessToken}`);
  return fetch(retry);
}

export const client = createClient<paths>({
  baseUrl: typeof window !== 'undefined' ? window.location.origin : '',
  fetch: (req: Request) => authFetch(req),
});

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Resolves to the body of a successful answer, or throws an ApiError with the server's message. */
export async function unwrap<T>(p: Promise<FetchResult<T>>): Promise<T> {
  const { data, error, response } = await p;
  if (!response.ok) throw apiErrorFrom(response.status, error);
  return data as T;
}

export { ApiError };
