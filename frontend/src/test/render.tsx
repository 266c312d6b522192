import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { vi } from 'vitest';
import { ToastProvider } from '../components/ui/Toast';
import { setSession } from '../lib/auth-store';

export interface Route {
  method?: string;
  path: RegExp;
  reply: (url: URL, body: unknown) => { status?: number; body?: unknown };
}

/** A fetch stub that answers by method + path regex and records every request. */
export function stubApi(routes: Route[]) {
  const calls: { method: string; url: URL; body: unknown }[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(input, init);
    const url = new URL(req.url);
    const text = req.method === 'GET' ? '' : await req.text();
    const body = text ? JSON.parse(text) : undefined;
    calls.push({ method: req.method, url, body });
    const r = routes.find((r) => (r.method ?? 'GET') === req.method && r.path.test(url.pathname));
    if (!r) return new Response(JSON.stringify({ error: { code: 'not_found', message: `no stub for ${req.method} ${url.pathname}` } }), { status: 404 });
    const out = r.reply(url, body);
    return new Response(out.body === undefined ? null : JSON.stringify(out.body), { status: out.status ?? 200, headers: { 'content-type': 'application/json' } });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls, fetchMock };
}

export function signIn() {
  setSession({ user: { id: 'u-me', email: 'me@acme.test', name: 'Me Myself' }, accessToken: 'a', expiresAt: Date.now() + 900_000 });
}

export function renderAt(path: string, routePath: string, element: ReactNode) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter([{ path: routePath, element: <ToastProvider>{element}</ToastProvider> }], { initialEntries: [path] });
  return { qc, router, ...render(<QueryClientProvider client={qc}><RouterProvider router={router} /></QueryClientProvider>) };
}
