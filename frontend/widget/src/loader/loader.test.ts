// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { conversationMarker } from '../shared/protocol';
import { mount, type LoaderHandle } from './loader';

const ORIGIN = 'https://handoff.example';
let handle: LoaderHandle | null = null;

function launcher(h: LoaderHandle) {
  return h.root.querySelector('button.l') as HTMLButtonElement;
}
function badge(h: LoaderHandle) {
  return h.root.querySelector('.b') as HTMLSpanElement;
}
function fromFrame(h: LoaderHandle, data: unknown, origin = ORIGIN, source: unknown = h.frame!.contentWindow) {
  window.dispatchEvent(new MessageEvent('message', { data, origin, source: source as Window }));
}
/** jsdom gives frames inside a shadow root no window: stand one in. */
function attach(h: LoaderHandle) {
  const postMessage = vi.fn();
  Object.defineProperty(h.frame!, 'contentWindow', { value: { postMessage } });
  return postMessage;
}
const flush = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  localStorage.clear();
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response(JSON.stringify({ workspace_name: 'Acme', greeting: 'Hi', color: '#0f766e', tickets_enabled: true, default_language: 'en' }), { status: 200 })),
  );
});
afterEach(() => {
  handle?.destroy();
  handle = null;
  vi.unstubAllGlobals();
});

describe('loader', () => {
  it('draws an accessible launcher and loads nothing heavy until opened', async () => {
    handle = mount({ origin: ORIGIN, key: 'wk_1' });
    const btn = launcher(handle);
    expect(btn.getAttribute('aria-label')).toBe('Open chat');
    expect(btn.getAttribute('aria-expanded')).toBe('false');
    expect(handle.frame).toBeNull();
    expect(fetch).toHaveBeenCalledWith(`${ORIGIN}/api/v1/widget/config?widget_key=wk_1`);
    await flush();
    await flush();
    const wrap = handle.root.querySelector('.w') as HTMLElement;
    expect(wrap.style.getPropertyValue('--c')).toBe('#0f766e');
    expect(wrap.classList.contains('r')).toBe(true); // revealed once the colour is known
  });

  it('creates the frame on first open, and Escape closes and returns focus to the launcher', () => {
    handle = mount({ origin: ORIGIN, key: 'wk 2' });
    launcher(handle).click();
    expect(handle.isOpen).toBe(true);
    const src = new URL(handle.frame!.src);
    expect(src.origin + src.pathname).toBe(`${ORIGIN}/widget/frame`);
    expect(src.searchParams.get('key')).toBe('wk 2');
    expect(launcher(handle).getAttribute('aria-label')).toBe('Close chat');
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    expect(handle.isOpen).toBe(false);
    expect(handle.root.activeElement).toBe(launcher(handle));
    expect(launcher(handle).getAttribute('aria-label')).toBe('Open chat');
  });

  it('answers ready with init (page url, referrer) to the Handoff origin only', () => {
    handle = mount({ origin: ORIGIN, key: 'wk_3' });
    handle.open();
    const spy = attach(handle);
    fromFrame(handle, { event: 'ready' });
    expect(spy).toHaveBeenCalledWith(
      expect.objectContaining({ event: 'init', payload: expect.objectContaining({ page_url: location.href, open: true }) }),
      ORIGIN,
    );
    for (const [, target] of spy.mock.calls) expect(target).toBe(ORIGIN);
  });

  it('identify: the frame gets the user in init, and later changes as identify events', () => {
    handle = mount({ origin: ORIGIN, key: 'wk_id' });
    const pat = { user_id: 'u-1', hash: 'ab12' };
    handle.identify(pat);
    // A verified user's chat follows them: the frame loads (hidden) at once.
    expect(handle.frame).not.toBeNull();
    const spy = attach(handle);
    fromFrame(handle, { event: 'ready' });
    expect(spy).toHaveBeenCalledWith(expect.objectContaining({ event: 'init', payload: expect.objectContaining({ identity: pat }) }), ORIGIN);
    handle.identify(null);
    expect(spy).toHaveBeenLastCalledWith({ event: 'identify', payload: { identity: null } }, ORIGIN);
  });

  it('ignores messages from other origins or windows', () => {
    handle = mount({ origin: ORIGIN, key: 'wk_4' });
    handle.open();
    attach(handle);
    fromFrame(handle, { event: 'unread', payload: { count: 5 } }, ORIGIN, null);
    fromFrame(handle, { event: 'unread', payload: { count: 5 } }, 'https://evil.example');
    fromFrame(handle, { event: 'unread', payload: { count: 5 } }, ORIGIN, window);
    fromFrame(handle, { event: 'close' }, 'https://evil.example');
    expect(badge(handle).hidden).toBe(true);
    expect(handle.isOpen).toBe(true);
  });

  it('shows the unread count from the frame as a badge and in the accessible name', () => {
    handle = mount({ origin: ORIGIN, key: 'wk_5' });
    handle.open();
    attach(handle);
    handle.close();
    fromFrame(handle, { event: 'unread', payload: { count: 2 } });
    expect(badge(handle).hidden).toBe(false);
    expect(badge(handle).textContent).toBe('2');
    expect(launcher(handle).getAttribute('aria-label')).toBe('Open chat, 2 unread messages');
    fromFrame(handle, { event: 'unread', payload: { count: 0 } });
    expect(badge(handle).hidden).toBe(true);
  });

  it('closes when the frame asks, and remembers that the visitor has a conversation', () => {
    handle = mount({ origin: ORIGIN, key: 'wk_6' });
    handle.open();
    attach(handle);
    fromFrame(handle, { event: 'conversation', payload: { active: true } });
    expect(localStorage.getItem(conversationMarker('wk_6'))).toBe('1');
    fromFrame(handle, { event: 'close' });
    expect(handle.isOpen).toBe(false);
  });

  it('preloads the frame hidden for a returning visitor (to learn about unread replies)', () => {
    localStorage.setItem(conversationMarker('wk_7'), '1');
    handle = mount({ origin: ORIGIN, key: 'wk_7' });
    expect(handle.frame).not.toBeNull();
    expect(handle.isOpen).toBe(false);
  });

  it('says the chat is unavailable when the frame loads but never reports ready', async () => {
    handle = mount({ origin: ORIGIN, key: 'wk_8', readyGraceMs: 0 });
    handle.open();
    handle.frame!.dispatchEvent(new Event('load'));
    await flush();
    expect(handle.root.querySelector('[role=alert]')?.textContent).toContain('Chat is unavailable');
    // The message can be dismissed (on phones the launcher is hidden while open).
    (handle.root.querySelector('.u button') as HTMLButtonElement).click();
    expect(handle.isOpen).toBe(false);
  });

  it("speaks the browser's language: the launcher, the unread count, the panel and its lang", async () => {
    handle = mount({ origin: ORIGIN, key: 'wk_de', readyGraceMs: 0, languages: ['de-AT', 'en'] });
    const wrap = handle.root.querySelector('.w') as HTMLElement;
    expect(wrap.lang).toBe('de');
    expect(launcher(handle).getAttribute('aria-label')).toBe('Chat öffnen');
    handle.setUnread(1);
    expect(launcher(handle).getAttribute('aria-label')).toBe('Chat öffnen, 1 ungelesene Nachricht');
    handle.setUnread(3);
    expect(launcher(handle).getAttribute('aria-label')).toBe('Chat öffnen, 3 ungelesene Nachrichten');
    handle.open();
    expect(launcher(handle).getAttribute('aria-label')).toBe('Chat schließen');
    expect(handle.root.querySelector('[role=dialog]')?.getAttribute('aria-label')).toBe('Chat');
    expect(handle.frame!.title).toBe('Chat');
    handle.frame!.dispatchEvent(new Event('load'));
    await flush();
    expect(handle.root.querySelector('.u strong')?.textContent).toBe('Der Chat ist nicht verfügbar');
    expect(handle.root.querySelector('.u span')?.textContent).toBe('Diese Website darf diesen Chat nicht anzeigen. Bitte wenden Sie sich an den Betreiber der Website.');
    expect(handle.root.querySelector('.u button')?.textContent).toBe('Schließen');
  });

  it('falls back to English for a language the widget does not speak, and reads the browser by default', () => {
    handle = mount({ origin: ORIGIN, key: 'wk_it', languages: ['it-IT'] });
    expect(launcher(handle).getAttribute('aria-label')).toBe('Open chat');
    handle.destroy();
    handle = mount({ origin: ORIGIN, key: 'wk_nav' });
    expect((handle.root.querySelector('.w') as HTMLElement).lang).toBe('en'); // jsdom's navigator says en-US
    handle.setUnread(1);
    expect(launcher(handle).getAttribute('aria-label')).toBe('Open chat, 1 unread message');
  });

  it('tells the frame the current page when the visitor opens the chat again', () => {
    handle = mount({ origin: ORIGIN, key: 'wk_9' });
    handle.open();
    const spy = attach(handle);
    fromFrame(handle, { event: 'ready' });
    handle.close();
    history.pushState({}, '', '/checkout');
    handle.open();
    expect(spy).toHaveBeenCalledWith({ event: 'page', payload: { page_url: location.href } }, ORIGIN);
    expect(location.pathname).toBe('/checkout');
  });
});
