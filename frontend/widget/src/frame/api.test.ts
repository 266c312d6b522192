// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { ApiError, WidgetApi } from './api';
import { fakeApi } from './testing';

describe('widget API client', () => {
  it('sends JSON with the visitor token to the spec paths', async () => {
    const { api, calls } = fakeApi({
      'POST /api/v1/widget/messages': () => ({ status: 201, body: { messages: [], ticket: null } }),
      'GET /api/v1/widget/messages': () => ({ status: 200, body: { items: [] } }),
      'POST /api/v1/widget/read': () => ({ status: 204 }),
    });
    api.token = 'vt_1';
    expect(await api.send('Hi', 'https://shop.example/')).toEqual({ messages: [], ticket: null });
    expect(await api.after('m 1')).toEqual({ items: [] });
    expect(await api.read('m1')).toBeUndefined();
    expect(calls).toEqual([
      { method: 'POST', path: '/api/v1/widget/messages', body: { body: 'Hi', page_url: 'https://shop.example/' }, auth: 'Bearer vt_1' },
      { method: 'GET', path: '/api/v1/widget/messages?after=m%201', body: undefined, auth: 'Bearer vt_1' },
      { method: 'POST', path: '/api/v1/widget/read', body: { up_to: 'm1' }, auth: 'Bearer vt_1' },
    ]);
    expect(await api.streamUrl()).toBe('https://handoff.example/api/v1/widget/events?ticket=hs_1');
    expect(calls[3]).toEqual({ method: 'POST', path: '/api/v1/widget/stream-tickets', body: undefined, auth: 'Bearer vt_1' });
  });

  it('turns an error answer into ApiError with its code, message and Retry-After', async () => {
    const { api } = fakeApi({
      'POST /api/v1/widget/messages': () => ({ status: 429, headers: { 'Retry-After': '12.5' }, body: { error: { code: 'rate_limited', message: 'Too many requests' } } }),
    });
    const err = await api.send('x', '').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 429, code: 'rate_limited', message: 'Too many requests', retryAfter: 13 });
  });

  it('a network failure is status 0 with a sentence a visitor understands', async () => {
    const api = new WidgetApi('https://handoff.example', () => Promise.reject(new TypeError('Failed to fetch')));
    await expect(api.read('m1')).rejects.toMatchObject({ status: 0, code: 'network', message: "We couldn't reach the server. Check your connection." });
  });
});
