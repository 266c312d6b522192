import { act, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_LIST_STATE, type TicketListState } from '../api/list-params';
import { TicketFilters } from './TicketFilters';

function Harness({ spy }: { spy: (s: TicketListState) => void }) {
  const [state, setState] = useState<TicketListState>({ ...DEFAULT_LIST_STATE, q: 'refund' });
  return (
    <TicketFilters
      state={state}
      onChange={(s) => {
        spy(s);
        setState(s);
      }}
    />
  );
}

describe('TicketFilters', () => {
  afterEach(() => vi.useRealTimers());

  it('debounces the search box', () => {
    vi.useFakeTimers();
    const spy = vi.fn();
    render(<Harness spy={spy} />);
    const box = screen.getByLabelText('Search tickets');
    fireEvent.change(box, { target: { value: 'jan' } });
    fireEvent.change(box, { target: { value: 'jane' } });
    expect(spy).not.toHaveBeenCalled();
    act(() => vi.advanceTimersByTime(350));
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.lastCall?.[0]).toMatchObject({ q: 'jane' });
  });

  it('a filter click takes the typed search along, and the pending debounce does not fire afterwards', () => {
    vi.useFakeTimers();
    const spy = vi.fn();
    render(<Harness spy={spy} />);
    fireEvent.change(screen.getByLabelText('Search tickets'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: /^Closed/ }));
    expect(spy.mock.lastCall?.[0]).toMatchObject({ filter: 'closed', q: '' });
    act(() => vi.advanceTimersByTime(1000));
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('My Tickets locks the assignee picker to "Me"', () => {
    render(<TicketFilters state={{ ...DEFAULT_LIST_STATE, filter: 'mine' }} onChange={() => undefined} />);
    const select = screen.getByLabelText('Assignee') as HTMLSelectElement;
    expect(select.disabled).toBe(true);
    expect(select.value).toBe('me');
  });
});
