import { useEffect, useState, type Ref } from 'react';
import type { Member, Tag, TicketCounts } from '../../../lib/types';
import { useDebounced } from '../../../lib/useDebounced';
import { FILTERS, SORTS, type TicketListState } from '../api/list-params';

export function TicketFilters({
  state,
  onChange,
  counts,
  members,
  tags,
  searchRef,
}: {
  state: TicketListState;
  onChange: (s: TicketListState) => void;
  counts?: TicketCounts;
  members?: Member[];
  tags?: Tag[];
  /** The search box (the list's `/` shortcut focuses it). */
  searchRef?: Ref<HTMLInputElement>;
}) {
  const [q, setQ] = useState(state.q);
  const debounced = useDebounced(q, 300);
  // Buttons and selects carry the search box's current text, so a debounced search never
  // lands after (and undoes) a later choice or a navigation started meanwhile.
  const change = (next: Partial<TicketListState>) => onChange({ ...state, q, ...next });
  useEffect(() => {
    if (debounced !== state.q) onChange({ ...state, q: debounced });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debounced]);
  useEffect(() => {
    // Back/forward navigation changed the URL: follow it.
    setQ((cur) => (cur.trim() === state.q.trim() ? cur : state.q));
  }, [state.q]);

  return (
    <div className="filters">
      <div className="filter-tabs" role="group" aria-label="Filter tickets">
        {FILTERS.map((f) => {
          const active = state.filter === f.value;
          const n = counts?.[f.count];
          return (
            <button
              key={f.value}
              type="button"
              className={`filter-tab ${active ? 'is-active' : ''}`}
              aria-pressed={active}
              onClick={() => change({ filter: f.value })}
            >
              <span>{f.label}</span>
              <span className="filter-count" aria-label={n === undefined ? undefined : `${n} ${n === 1 ? 'ticket' : 'tickets'}`}>
                {n === undefined ? '·' : n}
              </span>
            </button>
          );
        })}
      </div>
      <div className="filter-row">
        <div className="search">
          <label htmlFor="ticket-search" className="sr-only">
            Search tickets
          </label>
          <span className="search-icon" aria-hidden="true">
            ⌕
          </span>
          <input
            id="ticket-search"
            ref={searchRef}
            type="search"
            aria-keyshortcuts="/"
            className="input search-input"
            placeholder="Search number, email or summary"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') change({});
            }}
          />
        </div>
        <div className="inline-field">
          <label htmlFor="ticket-assignee">Assignee</label>
          <select
            id="ticket-assignee"
            className="input select"
            value={state.filter === 'mine' ? 'me' : state.assignee}
            disabled={state.filter === 'mine'}
            onChange={(e) => change({ assignee: e.target.value })}
          >
            <option value="">Anyone</option>
            {state.filter === 'mine' ? <option value="me">Me</option> : null}
            <option value="none">Unassigned</option>
            {(members ?? []).map((m) => (
              <option key={m.user_id} value={m.user_id}>
                {m.name || m.email}
              </option>
            ))}
          </select>
        </div>
        {(tags && tags.length > 0) || state.tag ? (
          <div className="inline-field">
            <label htmlFor="ticket-tag">Tag</label>
            <select id="ticket-tag" className="input select" value={state.tag} onChange={(e) => change({ tag: e.target.value })}>
              <option value="">Any tag</option>
              {state.tag && !(tags ?? []).some((t) => t.id === state.tag) ? <option value={state.tag}>Unknown tag</option> : null}
              {(tags ?? []).map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <div className="inline-field">
          <label htmlFor="ticket-sort">Sort</label>
          <select id="ticket-sort" className="input select" value={state.sort} onChange={(e) => change({ sort: e.target.value as TicketListState['sort'] })}>
            {SORTS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
      </div>
    </div>
  );
}
