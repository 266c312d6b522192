import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { SecretOnce } from './SecretOnce';

describe('SecretOnce', () => {
  it('shows the text, the value with its Copy button, and dismisses with “I’ve saved it”', () => {
    const onDone = vi.fn();
    render(
      <SecretOnce value="hk_live_abc" what="API key" onDone={onDone}>
        <strong>Copy it now.</strong> It is shown only once.
      </SecretOnce>,
    );
    const box = screen.getByRole('status');
    expect(box.className).toBe('secret');
    expect(box.querySelector('p')?.textContent).toBe('Copy it now. It is shown only once.');
    expect(box.querySelector('.secret-row code.secret-value')?.textContent).toBe('hk_live_abc');
    expect(screen.getByRole('button', { name: 'Copy API key' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'I’ve saved it' }));
    expect(onDone).toHaveBeenCalledOnce();
  });
});
