import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ShortcutsDialog } from './ShortcutsDialog';

describe('ShortcutsDialog', () => {
  it('takes the focus, keeps it, lists the keys, closes on Escape and gives the focus back', () => {
    const opener = document.createElement('button');
    opener.textContent = 'Keyboard shortcuts';
    document.body.append(opener);
    opener.focus();
    const onClose = vi.fn();
    const view = render(<ShortcutsDialog onClose={onClose} />);
    const dialog = screen.getByRole('dialog', { name: 'Keyboard shortcuts' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    const close = screen.getByRole('button', { name: 'Close' });
    expect(document.activeElement).toBe(close);
    // Tab and Shift+Tab stay inside (Close is its only control).
    fireEvent.keyDown(close, { key: 'Tab' });
    expect(document.activeElement).toBe(close);
    fireEvent.keyDown(close, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(close);
    const keys = Array.from(dialog.querySelectorAll('kbd')).map((k) => k.textContent);
    expect(keys).toEqual(['j', 'k', 'Enter', 'x', '/', 'a', 'r', 's', 't', '/', 'Esc', '?']);
    expect(screen.getByText('Assign to me').closest('.shortcut')?.querySelector('kbd')?.textContent).toBe('a');
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(1);
    view.unmount();
    expect(document.activeElement).toBe(opener);
    opener.remove();
  });
});
