import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { client, unwrap } from '../../../lib/api';
import type { components } from '../../../lib/api-types';

export type NotificationPrefs = components['schemas']['NotificationPrefs'];

export const notificationPrefsQuery = (ws: string) =>
  queryOptions({
    queryKey: ['ws', ws, 'notification-preferences'],
    queryFn: () => unwrap(client.GET('/api/v1/workspaces/{ws}/notification-preferences', { params: { path: { ws } } })),
  });

export function useSaveNotificationPrefs(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NotificationPrefs) => unwrap(client.PUT('/api/v1/workspaces/{ws}/notification-preferences', { params: { path: { ws } }, body })),
    onSuccess: (data) => qc.setQueryData(notificationPrefsQuery(ws).queryKey, data),
  });
}

/** Marks a ticket's conversation read up to a message (the last one on screen). */
export function useMarkTicketRead(ws: string, ticket: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (upTo: string | null) =>
      unwrap(client.POST('/api/v1/workspaces/{ws}/tickets/{ticket}/read', { params: { path: { ws, ticket } }, body: { up_to: upTo } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['ws', ws, 'tickets'] });
      void qc.invalidateQueries({ queryKey: ['ws', ws, 'mentions'] });
    },
  });
}

export function useMarkConversationRead(ws: string, id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (upTo: string | null) =>
      unwrap(client.POST('/api/v1/workspaces/{ws}/conversations/{id}/read', { params: { path: { ws, id } }, body: { up_to: upTo } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['ws', ws, 'conversations'] });
      void qc.invalidateQueries({ queryKey: ['ws', ws, 'mentions'] });
    },
  });
}

/** "3 new", "99+ new" past the server's cap (100). */
export function unreadLabel(n: number): string {
  return `${n >= 100 ? '99+' : n} new`;
}

// Browser notifications: opt-in per browser (the permission is the browser's too).
const KEY = 'handoff.browser-notifications';

export function browserNotificationsSupported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

export function browserNotificationsOn(): boolean {
  return browserNotificationsSupported() && Notification.permission === 'granted' && localStorage.getItem(KEY) === 'on';
}

/** Turns them on (asking the browser's permission first) or off; whether they are on now. */
export async function setBrowserNotifications(on: boolean): Promise<boolean> {
  if (!on) {
    localStorage.removeItem(KEY);
    return false;
  }
  if (!browserNotificationsSupported()) return false;
  const permission = Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
  if (permission !== 'granted') return false;
  localStorage.setItem(KEY, 'on');
  return true;
}

/** Who a `message.created` event is for (the server's `notify`): a list of members, or the team. */
export interface NotifyTarget {
  team: boolean;
  user_ids: string[];
}

export function isForMe(target: NotifyTarget | null | undefined, me: string | undefined): boolean {
  if (!target || !me) return false;
  return target.team || target.user_ids.includes(me);
}

/**
 * A visitor's message that is for me, while the dashboard is in the background and
 * browser notifications are on: one notification (per conversation: a newer one replaces
 * it); clicking it brings the dashboard to the front on the ticket or conversation.
 */
export function notifyInBackground(opts: { title: string; body: string; tag: string; onClick: () => void }): Notification | null {
  if (typeof document === 'undefined' || !document.hidden || !browserNotificationsOn()) return null;
  const n = new Notification(opts.title, { body: opts.body.slice(0, 200), tag: opts.tag });
  n.onclick = () => {
    window.focus();
    opts.onClick();
    n.close();
  };
  return n;
}
