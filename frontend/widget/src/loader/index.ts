// Entry of widget.js (built as one IIFE by vite.loader.config.ts).
import { parseIdentity } from '../shared/protocol';
import { mount, type LoaderHandle } from './loader';

type Command = [string, unknown?];
type Global = ((...args: Command) => void) & { q?: Command[] };

/** `Handoff(command, argument)`: 'identify' {user_id, email?, name?, hash}, 'logout', 'open',
 * 'close'. Calls made before widget.js loaded (the snippet's queue, `Handoff.q`) run first. */
function run(widget: LoaderHandle, [command, arg]: Command) {
  switch (command) {
    case 'identify': {
      const id = parseIdentity(arg);
      if (id) widget.identify(id);
      else console.warn("Handoff widget: identify needs {user_id, hash} (see the Widget page's Identity verification).");
      break;
    }
    case 'logout':
      widget.identify(null);
      break;
    case 'open':
      widget.open();
      break;
    case 'close':
      widget.close();
      break;
    default:
      console.warn(`Handoff widget: unknown command ${JSON.stringify(command)}.`);
  }
}

(() => {
  const w = window as unknown as { __handoffWidget?: unknown; Handoff?: Global };
  if (w.__handoffWidget) return; // embedded twice: keep the first
  const script =
    (document.currentScript as HTMLScriptElement | null) ??
    document.querySelector<HTMLScriptElement>('script[data-key][src*="widget.js"]');
  const key = script?.dataset.key;
  if (!script || !key) {
    console.warn('Handoff widget: add data-key="YOUR_WIDGET_KEY" to the widget.js script tag.');
    return;
  }
  const origin = new URL(script.src, location.href).origin;
  // Calls made before the widget is mounted wait in the queue.
  if (typeof w.Handoff !== 'function') {
    const queue: Command[] = [];
    const stub: Global = (...args: Command) => void queue.push(args);
    stub.q = queue;
    w.Handoff = stub;
  }
  const start = () => {
    const widget = mount({ origin, key });
    w.__handoffWidget = widget;
    const queued = Array.isArray(w.Handoff?.q) ? w.Handoff.q : [];
    w.Handoff = (...args: Command) => run(widget, args);
    for (const c of queued) run(widget, Array.from(c) as Command);
  };
  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start, { once: true });
})();
