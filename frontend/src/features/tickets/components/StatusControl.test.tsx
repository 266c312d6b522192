import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { StatusControl } from './StatusControl';

const labels = () => screen.getAllByRole('button').map((b) => b.textContent);

describe('StatusControl', () => {
  it('offers only the allowed moves', () => {
    const { rerender } = render(<StatusControl status="open" onMove={() => undefined} />);
    expect(labels()).toEqual(['In Progress', 'Resolved', 'Closed']);
    rerender(<StatusControl status="in_progress" onMove={() => undefined} />);
    expect(labels()).toEqual(['Back to Open', 'Resolved', 'Closed']);
    rerender(<StatusControl status="resolved" onMove={() => undefined} />);
    expect(labels()).toEqual(['Closed', 'Reopen']);
    rerender(<StatusControl status="closed" onMove={() => undefined} />);
    expect(labels()).toEqual(['Reopen']);
  });

  it('reports the target status', () => {
    const onMove = vi.fn();
    render(<StatusControl status="closed" onMove={onMove} />);
    fireEvent.click(screen.getByRole('button', { name: 'Reopen' }));
    expect(onMove).toHaveBeenCalledWith('open');
  });
});
