// Where the ticket list was, for coming back to it from a ticket (Escape, `/`, the Tickets
// link): the filters and search it showed, and the ticket opened from it, which the list's
// keyboard cursor starts on again. Kept for the tab's life only; it is view state, nothing
// the server needs.
const searches = new Map<string, string>();
const opened = new Map<string, string>();

/** The list of `ws` now shows `search` (its URL query, without `?`). */
export function rememberListSearch(ws: string, search: string) {
  searches.set(ws, search);
}

/** The list as it was last shown. */
export function listHref(ws: string): string {
  const search = searches.get(ws);
  return `/w/${ws}/tickets${search ? `?${search}` : ''}`;
}

/** Ticket `number` of `ws` is open now. */
export function rememberOpenedTicket(ws: string, number: string) {
  opened.set(ws, number);
}

/** The ticket last opened in `ws`, if any. */
export function lastOpenedTicket(ws: string): string | null {
  return opened.get(ws) ?? null;
}
