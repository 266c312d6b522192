// The ticket list's selection: ids of the tickets ticked on the page. Ticking survives
// live updates and "Load more"; a ticket that leaves the list leaves the selection.
import { useCallback, useMemo, useState } from 'react';

export interface TicketSelection {
  /** The selected ids among `visible`, in list order. */
  ids: string[];
  has(id: string): boolean;
  toggle(id: string): void;
  /** Ticks (or unticks) every ticket on the page. */
  setAll(on: boolean): void;
  clear(): void;
  all: boolean;
  some: boolean;
}

export function useTicketSelection(visible: string[]): TicketSelection {
  const [picked, setPicked] = useState<ReadonlySet<string>>(() => new Set());
  const ids = useMemo(() => visible.filter((id) => picked.has(id)), [visible, picked]);
  const toggle = useCallback(
    (id: string) =>
      setPicked((old) => {
        const next = new Set(old);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      }),
    [],
  );
  const setAll = useCallback((on: boolean) => setPicked(on ? new Set(visible) : new Set()), [visible]);
  const clear = useCallback(() => setPicked(new Set()), []);
  return {
    ids,
    has: (id) => picked.has(id) && visible.includes(id),
    toggle,
    setAll,
    clear,
    all: visible.length > 0 && ids.length === visible.length,
    some: ids.length > 0,
  };
}
