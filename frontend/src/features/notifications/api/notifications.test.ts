import { afterEach, describe, expect, it, vi } from 'vitest';
import { browserNotificationsOn, isForMe, notifyInBackground, setBrowserNotifications, unreadLabel } from './notifications';

describe('notifications', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    localStorage.clear();
  });

  it('labels unread counts, capped like the server', () => {
    expect(unreadLabel(1)).toBe('1 new');
    expect(unreadLabel(99)).toBe('99 new');
    expect(unreadLabel(100)).toBe('99+ new');
  });

  it('tells whether a message is for me: mine, the team, or someone else', () => {
    expect(isForMe({ team: true, user_ids: [] }, 'u1')).toBe(true);
    expect(isForMe({ team: false, user_ids: ['u1'] }, 'u1')).toBe(true);
    expect(isForMe({ team: false, user_ids: ['u2'] }, 'u1')).toBe(false);
    expect(isForMe(null, 'u1')).toBe(false);
    expect(isForMe({ team: true, user_ids: [] }, undefined)).toBe(false);
  });

  it('notifies only when opted in, allowed, and in the background', async () => {
    const shown: { title: string; body?: string }[] = [];
    class FakeNotification {
      static permission: NotificationPermission = 'default';
      static requestPermission = vi.fn(async () => {
        FakeNotification.permission = 'granted';
        return 'granted' as NotificationPermission;
      });
      onclick: (() => void) | null = null;
      constructor(title: string, opts?: NotificationOptions) {
        shown.push({ title, body: opts?.body });
      }
      close() {}
    }
    vi.stubGlobal('Notification', FakeNotification);
    let hidden = true;
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    const opts = { title: 'New reply in TKT-10001', body: 'Any news?', tag: 'c1', onClick: () => {} };

    expect(notifyInBackground(opts)).toBeNull(); // not opted in
    expect(await setBrowserNotifications(true)).toBe(true);
    expect(FakeNotification.requestPermission).toHaveBeenCalledOnce();
    expect(browserNotificationsOn()).toBe(true);
    hidden = false;
    expect(notifyInBackground(opts)).toBeNull(); // in the foreground
    hidden = true;
    expect(notifyInBackground(opts)).not.toBeNull();
    expect(shown).toEqual([{ title: 'New reply in TKT-10001', body: 'Any news?' }]);
    expect(await setBrowserNotifications(false)).toBe(false);
    expect(notifyInBackground(opts)).toBeNull();
    expect(shown).toHaveLength(1);
  });

  it('stays off when the browser refuses', async () => {
    class Denied {
      static permission: NotificationPermission = 'default';
      static requestPermission = async () => 'denied' as NotificationPermission;
    }
    vi.stubGlobal('Notification', Denied);
    expect(await setBrowserNotifications(true)).toBe(false);
    expect(browserNotificationsOn()).toBe(false);
  });
});
