import { renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SHORTCUTS, useShortcuts, type ShortcutMap } from './shortcuts';

/** Presses `key` at `target` (the body by default) the way a browser does; whether the default was prevented. */
function press(key: string, init: KeyboardEventInit = {}, target: Element = document.body): boolean {
  const e = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init });
  target.dispatchEvent(e);
  return e.defaultPrevented;
}

function add<T extends HTMLElement>(html: string): T {
  const holder = document.createElement('div');
  holder.innerHTML = html;
  document.body.append(holder);
  return holder.firstElementChild as T;
}

function bind(map: ShortcutMap, enabled = true) {
  return renderHook(({ m, on }) => useShortcuts(m, on), { initialProps: { m: map, on: enabled } });
}

describe('useShortcuts', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('runs the bound key and takes its default action away', () => {
    const j = vi.fn();
    bind({ j });
    expect(press('j')).toBe(true);
    expect(j).toHaveBeenCalledTimes(1);
    // Keys nobody bound keep their default.
    expect(press('x')).toBe(false);
  });

  it('never fires while the person is typing', () => {
    const j = vi.fn();
    bind({ j, '/': j });
    for (const html of ['<input>', '<input type="search">', '<textarea></textarea>', '<select><option>a</option></select>', '<div contenteditable="true"><b>x</b></div>']) {
      const field = add(html);
      const at = field.querySelector('b') ?? field;
      expect(press('j', {}, at)).toBe(false);
      expect(press('/', {}, at)).toBe(false);
    }
    expect(j).not.toHaveBeenCalled();
    // A contenteditable turned off is not a field.
    press('j', {}, add('<div contenteditable="false">x</div>'));
    expect(j).toHaveBeenCalledTimes(1);
  });

  it('leaves Ctrl, Meta and Alt combinations to the browser, and IME composition alone', () => {
    const r = vi.fn();
    bind({ r });
    expect(press('r', { ctrlKey: true })).toBe(false);
    expect(press('r', { metaKey: true })).toBe(false);
    expect(press('r', { altKey: true })).toBe(false);
    expect(press('r', { isComposing: true })).toBe(false);
    expect(r).not.toHaveBeenCalled();
    // Shift is how "?" is typed: it counts.
    const help = vi.fn();
    bind({ '?': help });
    press('?', { shiftKey: true });
    expect(help).toHaveBeenCalledTimes(1);
  });

  it('is off while a dialog is open', () => {
    const a = vi.fn();
    bind({ a });
    const dialog = add('<div role="dialog" aria-label="Tags"><button>x</button></div>');
    press('a');
    press('a', {}, dialog.querySelector('button') as Element);
    expect(a).not.toHaveBeenCalled();
    dialog.remove();
    add('<div aria-modal="true"></div>');
    press('a');
    expect(a).not.toHaveBeenCalled();
    document.body.innerHTML = '';
    press('a');
    expect(a).toHaveBeenCalledTimes(1);
  });

  it('leaves Enter to links and buttons, which it activates itself', () => {
    const enter = vi.fn();
    bind({ Enter: enter });
    expect(press('Enter', {}, add('<a href="/x">x</a>'))).toBe(false);
    expect(press('Enter', {}, add('<button>x</button>'))).toBe(false);
    expect(enter).not.toHaveBeenCalled();
    press('Enter');
    expect(enter).toHaveBeenCalledTimes(1);
  });

  it('skips what something else handled, and auto-repeat unless asked for', () => {
    const a = vi.fn();
    const j = vi.fn();
    bind({ a, j: { run: j, repeat: true } });
    const other = (e: KeyboardEvent) => e.preventDefault();
    document.addEventListener('keydown', other, { capture: true });
    press('a');
    document.removeEventListener('keydown', other, { capture: true });
    expect(a).not.toHaveBeenCalled();
    press('a', { repeat: true });
    expect(a).not.toHaveBeenCalled();
    press('j', { repeat: true });
    expect(j).toHaveBeenCalledTimes(1);
  });

  it('binds nothing when disabled or unmounted, and follows the newest handlers', () => {
    const first = vi.fn();
    const second = vi.fn();
    const h = bind({ s: first }, false);
    press('s');
    expect(first).not.toHaveBeenCalled();
    h.rerender({ m: { s: first }, on: true });
    press('s');
    h.rerender({ m: { s: second }, on: true });
    press('s');
    expect([first.mock.calls.length, second.mock.calls.length]).toEqual([1, 1]);
    // A key bound to nothing right now keeps its default.
    h.rerender({ m: { s: null }, on: true });
    expect(press('s')).toBe(false);
    h.unmount();
    press('s');
    expect(second).toHaveBeenCalledTimes(1);
  });

  it('lists every bound key in the shortcuts dialog', () => {
    const keys = SHORTCUTS.flatMap((g) => g.keys.flatMap((k) => k.keys));
    for (const k of ['j', 'k', 'Enter', 'a', 'r', 's', 't', '/', '?']) expect(keys).toContain(k);
  });
});
