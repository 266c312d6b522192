// Entry of widget.js (built as one IIFE by vite.loader.config.ts).
import { mount } from './loader';

(() => {
  const w = window as unknown as { __handoffWidget?: unknown };
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
  const start = () => {
    w.__handoffWidget = mount({ origin, key });
  };
  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start, { once: true });
})();
