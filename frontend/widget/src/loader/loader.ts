// The loader: a few KB of plain TypeScript that customers embed with
//   <script src="https://HANDOFF/widget.js" data-key="WIDGET_KEY" async></script>
// It draws the launcher and, only when needed, the iframe that holds the chat.
import { browserTags, negotiate, type Vars } from '../shared/i18n';
import {
  contrastText,
  conversationMarker,
  isProtocolMessage,
  type Identity,
  safeColor,
  type ToFrame,
} from '../shared/protocol';
import { type LoaderKey, lt } from './strings';

export interface LoaderOptions {
  /** Handoff origin, from the script's own src. */
  origin: string;
  /** Workspace widget key, from data-key. */
  key: string;
  /** Milliseconds to wait, after the iframe fired `load`, for the frame's `ready`. */
  readyGraceMs?: number;
  /** The visitor's preferred languages (BCP-47); default: the browser's. */
  languages?: readonly string[];
}

export interface LoaderHandle {
  open(): void;
  close(): void;
  readonly isOpen: boolean;
  readonly frame: HTMLIFrameElement | null;
  readonly root: ShadowRoot;
  setUnread(n: number): void;
  /** `Handoff('identify', …)`: the host's logged-in user; null: logged out (a fresh visitor). */
  identify(identity: Identity | null): void;
  destroy(): void;
}

const ICON_CHAT =
  '<svg viewBox="0 0 24 24" width="26" height="26" aria-hidden="true" focusable="false"><path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01z"/></svg>';
const ICON_CLOSE =
  '<svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false"><path fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round" d="M6 6l12 12M18 6L6 18"/></svg>';

const CSS = `
:host{all:initial}
*{box-sizing:border-box}
.l{position:fixed;right:20px;bottom:20px;width:60px;height:60px;border-radius:50%;border:0;cursor:pointer;
background:var(--c);color:var(--t);box-shadow:0 6px 20px rgba(0,0,0,.25);display:flex;align-items:center;
justify-content:center;z-index:2147483001;transition:transform .15s,opacity .2s;opacity:0}
.r .l{opacity:1}
.l:hover{transform:scale(1.06)}
.l:focus-visible{outline:3px solid #111;outline-offset:3px;box-shadow:0 0 0 6px #fff}
.b{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;
background:#dc2626;color:#fff;font:700 12px/22px system-ui,sans-serif;text-align:center;border:2px solid #fff}
.b[hidden]{display:none}
.p{position:fixed;right:20px;bottom:92px;width:380px;height:min(640px,calc(100vh - 112px));
border-radius:16px;overflow:hidden;background:#fff;box-shadow:0 12px 48px rgba(0,0,0,.28);
z-index:2147483000;display:none}
.o .p{display:block}
.p iframe{border:0;width:100%;height:100%;display:block}
.u{position:absolute;inset:0;display:flex;flex-direction:column;align-items:center;justify-content:center;
gap:8px;padding:24px;text-align:center;font:15px/1.45 system-ui,sans-serif;color:#333;background:#fff}
.u strong{font-size:17px;color:#111}
.u button{margin-top:8px;font:600 14px system-ui,sans-serif;border:1px solid #ccc;background:#fff;border-radius:8px;padding:8px 16px;cursor:pointer}
@media (max-width:480px){
.p{inset:0;width:100%;height:100%;border-radius:0}
.o .l{display:none}
}
@media (prefers-reduced-motion:reduce){.l{transition:none}}
`;

export function mount(opts: LoaderOptions): LoaderHandle {
  const { origin, key } = opts;
  const grace = opts.readyGraceMs ?? 1500;
  // The loader has no session: the browser's languages decide (the chat itself follows the session's).
  const lang = negotiate(opts.languages ?? browserTags());
  const say = (k: LoaderKey, vars?: Vars) => lt(lang, k, vars);
  const doc = document;
  const host = doc.createElement('div');
  host.id = 'handoff-widget';
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = `<style>${CSS}</style><div class="w"><div class="p" role="dialog"></div><button class="l" type="button" aria-expanded="false">${ICON_CHAT}<span class="b" aria-hidden="true" hidden></span></button></div>`;
  const wrap = root.querySelector('.w') as HTMLDivElement;
  const panel = root.querySelector('.p') as HTMLDivElement;
  const launcher = root.querySelector('.l') as HTMLButtonElement;
  const badge = root.querySelector('.b') as HTMLSpanElement;
  wrap.lang = lang;
  panel.setAttribute('aria-label', say('chat'));
  doc.body.appendChild(host);

  let color = '#4f46e5';
  let frame: HTMLIFrameElement | null = null;
  let frameReady = false;
  let isOpen = false;
  let unread = 0;
  let identity: Identity | null = null;

  const paint = () => {
    wrap.style.setProperty('--c', color);
    wrap.style.setProperty('--t', contrastText(color));
  };
  paint();

  const label = () => {
    const base = say(isOpen ? 'close' : 'open');
    launcher.setAttribute(
      'aria-label',
      !isOpen && unread > 0 ? say(unread === 1 ? 'unreadOne' : 'unreadOther', { label: base, n: unread }) : base,
    );
    launcher.setAttribute('aria-expanded', String(isOpen));
    launcher.innerHTML = (isOpen ? ICON_CLOSE : ICON_CHAT);
    launcher.appendChild(badge);
  };

  const setUnread = (n: number) => {
    unread = Math.max(0, Math.floor(n) || 0);
    badge.textContent = unread > 99 ? '99+' : String(unread);
    badge.hidden = unread === 0;
    label();
  };
  label();

  const post = (msg: ToFrame) => {
    if (frame && frame.contentWindow && frameReady) frame.contentWindow.postMessage(msg, origin);
  };

  const unavailable = () => {
    if (frameReady || panel.querySelector('.u')) return;
    const box = doc.createElement('div');
    box.className = 'u';
    box.setAttribute('role', 'alert');
    const strong = doc.createElement('strong');
    strong.textContent = say('unavailable');
    const p = doc.createElement('span');
    p.textContent = say('notAllowed');
    const btn = doc.createElement('button');
    btn.type = 'button';
    btn.textContent = say('dismiss');
    btn.addEventListener('click', () => close());
    box.append(strong, p, btn);
    panel.appendChild(box);
    if (isOpen) btn.focus();
  };

  const ensureFrame = () => {
    if (frame) return;
    frame = doc.createElement('iframe');
    frame.title = say('chat');
    frame.setAttribute('allow', 'clipboard-write');
    const src = new URL('/widget/frame', origin);
    src.searchParams.set('key', key);
    src.searchParams.set('host', location.origin);
    frame.src = src.toString();
    // A frame that loaded but never said `ready` was refused (frame-ancestors) or failed.
    frame.addEventListener('load', () => setTimeout(unavailable, grace));
    panel.appendChild(frame);
  };

  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && isOpen) {
      e.preventDefault();
      close();
    }
  };

  function open() {
    if (isOpen) return;
    isOpen = true;
    ensureFrame();
    wrap.classList.add('o');
    label();
    doc.addEventListener('keydown', onKey);
    frame!.focus();
    // Single-page shops change the URL without reloading: keep the frame's page current.
    post({ event: 'page', payload: { page_url: location.href } });
    post({ event: 'visibility', payload: { open: true, focus: true } });
  }

  function close() {
    if (!isOpen) return;
    isOpen = false;
    wrap.classList.remove('o');
    label();
    doc.removeEventListener('keydown', onKey);
    post({ event: 'visibility', payload: { open: false } });
    launcher.focus();
  }

  launcher.addEventListener('click', () => (isOpen ? close() : open()));

  const onMessage = (e: MessageEvent) => {
    if (!frame || e.source !== frame.contentWindow || e.origin !== origin || !isProtocolMessage(e.data)) return;
    const { event, payload } = e.data as { event: string; payload?: Record<string, unknown> };
    if (event === 'ready') {
      frameReady = true;
      panel.querySelector('.u')?.remove();
      post({
        event: 'init',
        payload: {
          page_url: location.href,
          referrer: doc.referrer,
          locale: navigator.language || 'en',
          color,
          open: isOpen,
          identity,
        },
      });
      if (isOpen) post({ event: 'visibility', payload: { open: true, focus: true } });
    } else if (event === 'unread') {
      setUnread(Number(payload?.count ?? 0));
    } else if (event === 'conversation') {
      try {
        if (payload?.active) localStorage.setItem(conversationMarker(key), '1');
        else localStorage.removeItem(conversationMarker(key));
      } catch {
        /* storage blocked: the badge then appears only after the first open */
      }
    } else if (event === 'close') {
      close();
    }
  };
  window.addEventListener('message', onMessage);

  // Theme colour (cheap, cacheable call). The launcher works with the default meanwhile.
  // The launcher fades in once it has its colour (or after a short wait), so it doesn't flash
  // the default colour first.
  const reveal = () => wrap.classList.add('r');
  const revealTimer = setTimeout(reveal, 1500);
  fetch(`${origin}/api/v1/widget/config?widget_key=${encodeURIComponent(key)}`)
    .then((r) => (r.ok ? r.json() : null))
    .then((cfg: { color?: string } | null) => {
      if (!cfg) return;
      color = safeColor(cfg.color, color);
      paint();
    })
    .catch(() => {})
    .finally(() => {
      clearTimeout(revealTimer);
      reveal();
    });

  // A returning visitor with a conversation: load the frame hidden so it can report
  // agent replies that arrived while they were away (the unread badge).
  let marked = false;
  try {
    marked = localStorage.getItem(conversationMarker(key)) === '1';
  } catch {
    /* ignore */
  }
  if (marked) ensureFrame();

  return {
    open,
    close,
    get isOpen() {
      return isOpen;
    },
    get frame() {
      return frame;
    },
    root,
    setUnread,
    identify(next: Identity | null) {
      const was = identity;
      identity = next;
      if (JSON.stringify(was) === JSON.stringify(next)) return;
      // A verified user's chat follows them: load the frame (hidden) to learn of replies.
      if (next) ensureFrame();
      post({ event: 'identify', payload: { identity: next } });
    },
    destroy() {
      window.removeEventListener('message', onMessage);
      doc.removeEventListener('keydown', onKey);
      host.remove();
    },
  };
}
