import { useRef, type TextareaHTMLAttributes } from 'react';

/** Splits `text` into plain and highlighted parts (every occurrence of every phrase). */
export function highlightParts(text: string, phrases: string[]): { text: string; mark: boolean }[] {
  const ranges: [number, number][] = [];
  for (const p of phrases) {
    if (!p) continue;
    let i = text.indexOf(p);
    while (i >= 0) {
      ranges.push([i, i + p.length]);
      i = text.indexOf(p, i + p.length);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const parts: { text: string; mark: boolean }[] = [];
  let at = 0;
  for (const [s, e] of ranges) {
    if (e <= at) continue;
    const start = Math.max(s, at);
    if (start > at) parts.push({ text: text.slice(at, start), mark: false });
    parts.push({ text: text.slice(start, e), mark: true });
    at = e;
  }
  if (at < text.length) parts.push({ text: text.slice(at), mark: false });
  return parts;
}

/**
 * A textarea that marks phrases (the linted sentences) behind the text. The backdrop mirrors
 * the textarea's box and scroll position; its content is React text nodes, never HTML.
 */
export function HighlightedTextarea({ value, highlights, className, ...rest }: TextareaHTMLAttributes<HTMLTextAreaElement> & { value: string; highlights: string[] }) {
  const backdrop = useRef<HTMLDivElement>(null);
  const sync = (el: HTMLTextAreaElement) => {
    if (backdrop.current) {
      backdrop.current.scrollTop = el.scrollTop;
      backdrop.current.scrollLeft = el.scrollLeft;
    }
  };
  return (
    <div className="hl-wrap">
      <div className="hl-backdrop input textarea" ref={backdrop} aria-hidden="true">
        {highlightParts(value, highlights).map((p, i) => (p.mark ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
        {'\n'}
      </div>
      <textarea {...rest} value={value} className={`input textarea hl-input ${className ?? ''}`} onScroll={(e) => sync(e.currentTarget)} />
    </div>
  );
}
