// Entry of the frame app served at /widget/frame?key=WIDGET_KEY.
import './frame.css';
import { isProtocolMessage, parseIdentity, type ToLoader } from '../shared/protocol';
import { WidgetApi } from './api';
import { ChatApp } from './app';
import { t } from './strings';

const params = new URLSearchParams(location.search);
const key = params.get('key') ?? '';
const embedded = window.parent !== window;

/** The embedding page's origin: the browser's own record first, then what the loader told us.
 * postMessage with this as target origin is only delivered when it is really the parent's. */
function parentOrigin(): string | null {
  const ao = (location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
  if (ao && ao.length > 0 && ao[0] !== 'null') return ao[0];
  const host = params.get('host');
  if (host) {
    try {
      return new URL(host).origin;
    } catch {
      /* fall through */
    }
  }
  try {
    return document.referrer ? new URL(document.referrer).origin : null;
  } catch {
    return null;
  }
}

const target = embedded ? parentOrigin() : null;
const post = embedded && target ? (msg: ToLoader) => window.parent.postMessage(msg, target) : null;

let storage: Storage | null = null;
try {
  storage = window.localStorage;
  storage.getItem('probe');
} catch {
  storage = null;
}

const root = document.getElementById('app')!;
const app = new ChatApp({ root, key, api: new WidgetApi(location.origin), storage, post });

if (!key) {
  root.textContent = t(app.state.lang, 'missingKey');
} else if (post) {
  window.addEventListener('message', (e) => {
    if (e.source !== window.parent || e.origin !== target || !isProtocolMessage(e.data)) return;
    const p = (e.data.payload ?? {}) as Record<string, unknown>;
    switch (e.data.event) {
      case 'init':
        app.setOpen(Boolean(p.open));
        app.start({
          page_url: String(p.page_url ?? ''),
          referrer: String(p.referrer ?? ''),
          locale: String(p.locale ?? navigator.language ?? 'en'),
          color: typeof p.color === 'string' ? p.color : undefined,
          identity: parseIdentity(p.identity),
        });
        break;
      case 'identify':
        void app.identify(parseIdentity(p.identity));
        break;
      case 'visibility':
        app.setOpen(Boolean(p.open), Boolean(p.focus));
        break;
      case 'page':
        app.setPage(String(p.page_url ?? ''));
        break;
    }
  });
  post({ event: 'ready' });
  // Embedded by something other than our loader: start anyway after a moment.
  setTimeout(
    () => app.start({ page_url: document.referrer || location.href, referrer: '', locale: navigator.language || 'en' }),
    4000,
  );
} else {
  app.setOpen(true);
  app.start({ page_url: location.href, referrer: document.referrer, locale: navigator.language || 'en' });
}
document.addEventListener('visibilitychange', () => app.onVisibilityChange());
