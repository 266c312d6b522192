// Single-key shortcuts, the way mail clients and issue trackers do them (j/k, Enter, /, ?):
// one keydown listener per hook on the document, and never while the person is typing.
// A key does nothing when focus is in a text field, select or contenteditable, when Ctrl,
// Meta or Alt is held (the browser's and the system's own shortcuts), while an IME is
// composing, while a dialog is open (it owns the keyboard), or when something already
// handled the key.
import { useEffect, useRef } from 'react';

export type ShortcutHandler = (e: KeyboardEvent) => void;
/** A handler, or one that also runs on auto-repeat (a held j keeps moving). */
export type Shortcut = ShortcutHandler | { run: ShortcutHandler; repeat: true };
/** Handlers by `KeyboardEvent.key` ('j', 'Enter', '/', '?'); falsy: not bound now. */
export type ShortcutMap = Record<string, Shortcut | false | null | undefined>;

const EDITABLE = 'input, textarea, select, [contenteditable]:not([contenteditable="false"])';
/** Elements Enter already activates: Enter there is theirs, not a shortcut's. */
const ACTIVATES_ON_ENTER = 'a[href], button, summary, [role="button"], [role="link"], [role="menuitem"], [role="option"], [role="tab"], [role="checkbox"], [role="switch"]';
const OPEN_DIALOG = '[role="dialog"], [role="alertdialog"], dialog[open], [aria-modal="true"]';

function element(target: EventTarget | null): Element | null {
  return target instanceof Element ? target : null;
}

/** Whether keys pressed at `target` are text being typed. */
export function isTyping(target: EventTarget | null): boolean {
  return Boolean(element(target)?.closest(EDITABLE));
}

/** Whether a dialog (the shortcuts list, a tag picker…) is open in `doc`. */
export function dialogOpen(doc: Document = document): boolean {
  return doc.querySelector(OPEN_DIALOG) !== null;
}

/** Whether a key press is none of the shortcuts' business (see the top of this file). */
export function ignored(e: KeyboardEvent): boolean {
  if (e.defaultPrevented || e.isComposing || e.ctrlKey || e.metaKey || e.altKey) return true;
  if (isTyping(e.target)) return true;
  const doc = element(e.target)?.ownerDocument ?? document;
  if (dialogOpen(doc)) return true;
  return e.key === 'Enter' && Boolean(element(e.target)?.closest(ACTIVATES_ON_ENTER));
}

/**
 * Binds `map` while the component is mounted (and `enabled`). The handlers may change on
 * every render; the listener stays. A handled key's default action is prevented, so `r`
 * that moves focus into the reply box doesn't also type an "r" there.
 */
export function useShortcuts(map: ShortcutMap, enabled = true) {
  const ref = useRef(map);
  ref.current = map;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      const s = ref.current[e.key];
      if (!s || ignored(e)) return;
      const run = typeof s === 'function' ? s : s.run;
      if (e.repeat && typeof s === 'function') return;
      e.preventDefault();
      run(e);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [enabled]);
}

/** Every shortcut, as the shortcuts dialog lists them. */
export const SHORTCUTS: { title: string; keys: { keys: string[]; what: string }[] }[] = [
  {
    title: 'Ticket list',
    keys: [
      { keys: ['j'], what: 'Next ticket' },
      { keys: ['k'], what: 'Previous ticket' },
      { keys: ['Enter'], what: 'Open the ticket under the cursor' },
      { keys: ['x'], what: 'Select it for a bulk change (again: unselect)' },
      { keys: ['/'], what: 'Search tickets' },
    ],
  },
  {
    title: 'Ticket',
    keys: [
      { keys: ['a'], what: 'Assign to me' },
      { keys: ['r'], what: 'Reply to the visitor' },
      { keys: ['s'], what: 'Change the status' },
      { keys: ['t'], what: 'Edit tags' },
      { keys: ['/'], what: 'Search the ticket list' },
      { keys: ['Esc'], what: 'Back to the ticket list' },
    ],
  },
  {
    title: 'Anywhere',
    keys: [{ keys: ['?'], what: 'Show keyboard shortcuts' }],
  },
];
