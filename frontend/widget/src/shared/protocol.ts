// The loader <-> frame protocol and small helpers shared by both bundles.
// Every message is `{event, payload}`; both sides check the sender's origin and window
// before acting, and post with an explicit target origin (never '*').

/** Who the host page says its logged-in user is (`Handoff('identify', …)`); `hash` is the hex
 * HMAC-SHA256 of `user_id` made on the host's server with the workspace's identity secret. */
export interface Identity {
  user_id: string;
  email?: string;
  name?: string;
  hash: string;
}

/** A valid identify argument, or null (the widget ignores anything else, with a warning). */
export function parseIdentity(v: unknown): Identity | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const str = (x: unknown) => (typeof x === 'string' || typeof x === 'number' ? String(x) : undefined);
  const user_id = str(o.user_id);
  const hash = str(o.hash);
  if (!user_id || !hash) return null;
  const out: Identity = { user_id, hash };
  const email = str(o.email);
  const name = str(o.name);
  if (email) out.email = email;
  if (name) out.name = name;
  return out;
}

/** Events the loader (host page) sends to the frame. */
export type ToFrame =
  | { event: 'init'; payload: { page_url: string; referrer: string; locale: string; color?: string; open: boolean; identity?: Identity | null } }
  | { event: 'identify'; payload: { identity: Identity | null } }
  | { event: 'visibility'; payload: { open: boolean; focus?: boolean } }
  | { event: 'page'; payload: { page_url: string } };

/** Events the frame sends to the loader. */
export type ToLoader =
  | { event: 'ready'; payload?: undefined }
  | { event: 'unread'; payload: { count: number } }
  | { event: 'conversation'; payload: { active: boolean } }
  | { event: 'close'; payload?: undefined };

export function isProtocolMessage(data: unknown): data is { event: string; payload?: unknown } {
  return typeof data === 'object' && data !== null && typeof (data as { event?: unknown }).event === 'string';
}

/** localStorage key on the HOST page: set once this visitor has a conversation, so the
 * loader preloads the (hidden) frame to learn about unread agent replies. */
export const conversationMarker = (key: string) => `handoff:${key}:conversation`;

/** localStorage key in the FRAME (Handoff origin) holding the visitor token. */
export const visitorTokenKey = (key: string) => `handoff:${key}:visitor`;

/** Client-side check before sending an email (the server validates again). */
export function isEmail(value: string): boolean {
  const v = value.trim();
  return v.length <= 254 && /^[^\s@"(),:;<>[\]\\]+@[^\s@"(),:;<>[\]\\]+\.[A-Za-z]{2,}$/.test(v) && !v.includes('..');
}

/** Text colour (black or white) that stays readable on a background hex colour. */
export function contrastText(hex: string): string {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return '#fff';
  let h = m[1];
  if (h.length === 3) h = h.replace(/./g, (c) => c + c);
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = parseInt(h.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const lum = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  // White wins when its contrast ratio beats black's.
  return 1.05 / (lum + 0.05) >= (lum + 0.05) / 0.05 ? '#fff' : '#111';
}

/** A safe CSS colour: only #rgb / #rrggbb pass, anything else falls back. */
export function safeColor(value: unknown, fallback = '#4f46e5'): string {
  return typeof value === 'string' && /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(value.trim()) ? value.trim() : fallback;
}
