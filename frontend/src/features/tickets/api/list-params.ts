// The ticket list's filter state lives in the URL (?filter=open&q=…) so it survives
// navigation and can be shared; these pure functions map it to the API's query parameters.
import type { TicketSort, TicketStatus } from '../../../lib/types';
import { STATUSES } from '../../../lib/status';

export type TicketFilter = 'all' | 'mine' | TicketStatus;

export interface TicketListState {
  filter: TicketFilter;
  /** '' = anyone, 'none' = unassigned, or a user id */
  assignee: string;
  q: string;
  sort: TicketSort;
  /** '' = any, or a tag id */
  tag: string;
}

export const DEFAULT_LIST_STATE: TicketListState = { filter: 'all', assignee: '', q: '', sort: 'created_desc', tag: '' };

export const FILTERS: { value: TicketFilter; label: string; count: 'all' | 'mine' | TicketStatus }[] = [
  { value: 'all', label: 'All', count: 'all' },
  { value: 'mine', label: 'My Tickets', count: 'mine' },
  { value: 'open', label: 'Open', count: 'open' },
  { value: 'in_progress', label: 'In Progress', count: 'in_progress' },
  { value: 'resolved', label: 'Resolved', count: 'resolved' },
  { value: 'closed', label: 'Closed', count: 'closed' },
];

export const SORTS: { value: TicketSort; label: string }[] = [
  { value: 'created_desc', label: 'Newest first' },
  { value: 'created_asc', label: 'Oldest first' },
  { value: 'updated_desc', label: 'Recently updated' },
  { value: 'priority_desc', label: 'Priority (urgent first)' },
];

export interface TicketListQuery {
  status?: TicketStatus;
  assignee?: string;
  q?: string;
  tag?: string;
  sort: TicketSort;
  limit: number;
}

export const PAGE_SIZE = 25;

/** State → GET /tickets query. "My Tickets" is assignee=me and wins over the assignee picker. */
export function ticketListParams(s: TicketListState): TicketListQuery {
  const out: TicketListQuery = { sort: s.sort, limit: PAGE_SIZE };
  if (s.filter !== 'all' && s.filter !== 'mine') out.status = s.filter;
  if (s.filter === 'mine') out.assignee = 'me';
  else if (s.assignee) out.assignee = s.assignee;
  const q = s.q.trim();
  if (q) out.q = q;
  if (s.tag) out.tag = s.tag;
  return out;
}

export function parseListState(sp: URLSearchParams): TicketListState {
  const f = sp.get('filter');
  const filter: TicketFilter = f === 'mine' || (STATUSES as string[]).includes(f ?? '') ? (f as TicketFilter) : 'all';
  const sortRaw = sp.get('sort');
  const sort = SORTS.some((x) => x.value === sortRaw) ? (sortRaw as TicketSort) : 'created_desc';
  return { filter, assignee: sp.get('assignee') ?? '', q: sp.get('q') ?? '', sort, tag: sp.get('tag') ?? '' };
}

/** State → the page's own URL search params, defaults left out. */
export function listStateToSearch(s: TicketListState): URLSearchParams {
  const sp = new URLSearchParams();
  if (s.filter !== 'all') sp.set('filter', s.filter);
  if (s.assignee && s.filter !== 'mine') sp.set('assignee', s.assignee);
  if (s.q) sp.set('q', s.q);
  if (s.sort !== 'created_desc') sp.set('sort', s.sort);
  if (s.tag) sp.set('tag', s.tag);
  return sp;
}
