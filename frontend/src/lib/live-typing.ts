// Who is typing in which conversation, from the workspace stream's `typing` events
// (ephemeral: nothing is stored on the server). An indicator goes away by itself when no news
// came for a few seconds, so a lost "stopped" event never leaves it on.
import { useSyncExternalStore } from 'react';

/** An indicator without news for this long goes away. */
export const TYPING_TTL_MS = 6000;

export interface TypingEvent {
  conversation_id: string;
  sender: 'agent' | 'visitor';
  user_id?: string | null;
  name?: string | null;
  typing: boolean;
}

export interface Typing {
  visitor: boolean;
  /** Names of agents typing (other than the viewer, the caller filters). */
  agents: { userId: string | null; name: string }[];
}

const EMPTY: Typing = { visitor: false, agents: [] };
const state = new Map<string, Typing>();
const timers = new Map<string, ReturnType<typeof setTimeout>>();
const listeners = new Set<() => void>();

function notify() {
  for (const l of listeners) l();
}

function whoKey(e: TypingEvent): string {
  return `${e.conversation_id}|${e.sender}|${e.user_id ?? e.name ?? ''}`;
}

function set(conv: string, update: (t: Typing) => Typing) {
  state.set(conv, update(state.get(conv) ?? EMPTY));
  notify();
}

function clear(e: TypingEvent) {
  set(e.conversation_id, (t) =>
    e.sender === 'visitor' ? { ...t, visitor: false } : { ...t, agents: t.agents.filter((a) => (a.userId ?? a.name) !== (e.user_id ?? e.name)) },
  );
}

/** Applies one `typing` event. */
export function onTyping(e: TypingEvent) {
  if (!e || typeof e.conversation_id !== 'string') return;
  const key = whoKey(e);
  clearTimeout(timers.get(key));
  timers.delete(key);
  if (!e.typing) {
    clear(e);
    return;
  }
  set(e.conversation_id, (t) => {
    if (e.sender === 'visitor') return { ...t, visitor: true };
    const id = e.user_id ?? null;
    const name = e.name ?? 'An agent';
    return t.agents.some((a) => (a.userId ?? a.name) === (id ?? name)) ? t : { ...t, agents: [...t.agents, { userId: id, name }] };
  });
  timers.set(
    key,
    setTimeout(() => {
      timers.delete(key);
      clear(e);
    }, TYPING_TTL_MS),
  );
}

/** A message arrived from `sender`: their indicator goes away at once. */
export function onMessageFrom(conv: string, sender: string, userName?: string | null) {
  if (sender === 'visitor') clear({ conversation_id: conv, sender: 'visitor', typing: false });
  if (sender === 'agent' && userName) set(conv, (t) => ({ ...t, agents: t.agents.filter((a) => a.name !== userName) }));
}

export function useTyping(conv: string): Typing {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => state.get(conv) ?? EMPTY,
  );
}
