// Who else has a ticket open. The ticket page holds a viewing on the server (POST …/viewing
// now and every `renew_seconds`, DELETE when it leaves: on unmount, and with a keepalive
// request when the tab closes), and shows the list the server keeps: from the ticket detail
// first, then from each renewal's answer and the stream's `ticket.viewers` events. Of two
// lists of a ticket the later (`as_of`) wins, so a slow answer never undoes a newer event.
import { useEffect, useSyncExternalStore } from 'react';
import { authFetch } from '../../../lib/api';
import { getSession } from '../../../lib/auth-store';
import type { TicketViewer, TicketViewers } from '../../../lib/types';

/** How often to renew when the server's answer doesn't say. */
const RENEW_MS = 20_000;

const lists = new Map<string, TicketViewers>();
/** How many mounted pages show each ticket's viewers (only theirs are kept). */
const watched = new Map<string, number>();
const listeners = new Set<() => void>();
const NOBODY: TicketViewer[] = [];

/** A ticket's viewers as the server listed them; kept when newer than what we have. */
export function onViewers(list: TicketViewers | null | undefined) {
  if (!list || typeof list.ticket_id !== 'string' || !Array.isArray(list.viewers)) return;
  if (!watched.has(list.ticket_id)) return;
  const have = lists.get(list.ticket_id);
  if (have && Date.parse(have.as_of) > Date.parse(list.as_of)) return;
  lists.set(list.ticket_id, list);
  for (const l of listeners) l();
}

/** Who has ticket `ticketId` open (everyone, the caller too: filter yourself out). */
export function useViewers(ticketId: string | undefined): TicketViewer[] {
  useEffect(() => {
    if (!ticketId) return;
    watched.set(ticketId, (watched.get(ticketId) ?? 0) + 1);
    return () => {
      const n = (watched.get(ticketId) ?? 1) - 1;
      if (n > 0) watched.set(ticketId, n);
      else {
        watched.delete(ticketId);
        lists.delete(ticketId);
      }
    };
  }, [ticketId]);
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => (ticketId ? (lists.get(ticketId)?.viewers ?? NOBODY) : NOBODY),
  );
}

function viewingUrl(ws: string, ticketId: string): string {
  return `${window.location.origin}/api/v1/workspaces/${encodeURIComponent(ws)}/tickets/${encodeURIComponent(ticketId)}/viewing`;
}

/**
 * The viewing calls of one ticket, one after the other: a page that leaves and comes back
 * at once (or two pages of the same ticket in turn) must not have its DELETE overtake the
 * POST before it, or the server would end up counting it out while it is there (or in
 * while it is gone).
 */
const queues = new Map<string, Promise<unknown>>();
function inTurn<T>(url: string, call: () => Promise<T>): Promise<T> {
  const turn = (queues.get(url) ?? Promise.resolve()).then(call, call);
  const settled = turn.catch(() => undefined);
  queues.set(url, settled);
  void settled.then(() => {
    if (queues.get(url) === settled) queues.delete(url);
  });
  return turn;
}

/** A request that outlives the page (keepalive), with the token held now: a closing tab has no time to refresh one. */
function sendLeave(url: string): Promise<unknown> {
  const token = getSession()?.accessToken;
  return fetch(url, { method: 'DELETE', keepalive: true, headers: token ? { Authorization: `Bearer ${token}` } : {} }).catch(() => undefined);
}

/**
 * Tells the server I have ticket `ticketId` open while the calling component is mounted:
 * now, every `renew_seconds`, and again when the tab comes back to the front or out of
 * the back/forward cache; gone when it unmounts or the tab closes.
 */
export function useViewing(ws: string, ticketId: string | undefined) {
  useEffect(() => {
    if (!ws || !ticketId) return;
    const url = viewingUrl(ws, ticketId);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const renew = () => {
      clearTimeout(timer);
      let every = RENEW_MS;
      void inTurn(url, async () => {
        if (stopped) return;
        const res = await authFetch(new Request(url, { method: 'POST' }));
        if (!res.ok) return;
        const body = (await res.json()) as TicketViewers & { renew_seconds?: number };
        onViewers(body);
        if (body.renew_seconds && body.renew_seconds > 0) every = body.renew_seconds * 1000;
      })
        .catch(() => undefined)
        .finally(() => {
          clearTimeout(timer);
          if (!stopped) timer = setTimeout(renew, every);
        });
    };
    const onVisible = () => {
      if (!document.hidden) renew();
    };
    const onShow = (e: PageTransitionEvent) => {
      if (e.persisted) renew();
    };
    // Closing the tab: at once, no queue (the page may be gone before a turn comes).
    const onHide = () => void sendLeave(url);
    renew();
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('pagehide', onHide);
    window.addEventListener('pageshow', onShow);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('pagehide', onHide);
      window.removeEventListener('pageshow', onShow);
      void inTurn(url, () => sendLeave(url));
    };
  }, [ws, ticketId]);
}

/** "Kim", "Kim and Lee", "Kim, Lee and Sam", "Kim, Lee and 3 others". */
export function nameList(names: string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  if (names.length <= 3) return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `${names.slice(0, 2).join(', ')} and ${names.length - 2} others`;
}

/**
 * The ticket page's line about the others: who types a reply (the conversation's typing
 * events) and who else only has it open. Empty when I'm alone.
 */
export function othersLine(viewers: { userId: string; name: string }[], typing: { userId: string | null; name: string }[], me: string | undefined): { typing: string; viewing: string } {
  const typers = typing.filter((t) => !me || t.userId !== me);
  const typerIds = new Set(typers.map((t) => t.userId).filter(Boolean));
  const typerNames = new Set(typers.map((t) => t.name));
  const others = viewers.filter((v) => v.userId !== me && !typerIds.has(v.userId) && !typerNames.has(v.name));
  const typingText = typers.length ? `${nameList(typers.map((t) => t.name))} ${typers.length === 1 ? 'is' : 'are'} typing a reply…` : '';
  const viewingText = others.length ? `${nameList(others.map((v) => v.name))} ${others.length === 1 ? 'is' : 'are'} also viewing` : '';
  return { typing: typingText, viewing: viewingText };
}
