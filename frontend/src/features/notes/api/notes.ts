import { infiniteQueryOptions, queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { client, unwrap } from '../../../lib/api';
import type { Message, Note } from '../../../lib/types';

export const mentionsKey = (ws: string) => ['ws', ws, 'mentions'] as const;

/** The notes that mention me, newest first (`unread`: only the unread ones). */
export const mentionsQuery = (ws: string, unread: boolean) =>
  infiniteQueryOptions({
    queryKey: [...mentionsKey(ws), 'list', unread],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        client.GET('/api/v1/workspaces/{ws}/mentions', {
          params: { path: { ws }, query: { limit: 25, ...(unread ? { unread: true } : {}), ...(pageParam ? { cursor: pageParam } : {}) } },
          signal,
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? null,
  });

/** My unread mentions in the workspace (for the nav badge), counted up to 100. */
export const unreadMentionsQuery = (ws: string) =>
  queryOptions({
    queryKey: [...mentionsKey(ws), 'unread-count'],
    queryFn: () => unwrap(client.GET('/api/v1/workspaces/{ws}/mentions', { params: { path: { ws }, query: { limit: 1, unread: true } } })),
    select: (d) => d.unread_count,
    retry: false,
  });

export type NoteTarget = { ticket: string } | { conversation: string };

/** Adds an internal note to a ticket or a conversation; the pages that show it reload. */
export function useAddNote(ws: string, target: NoteTarget) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: string) =>
      'ticket' in target
        ? unwrap(client.POST('/api/v1/workspaces/{ws}/tickets/{ticket}/notes', { params: { path: { ws, ticket: target.ticket } }, body: { body } }))
        : unwrap(client.POST('/api/v1/workspaces/{ws}/conversations/{id}/notes', { params: { path: { ws, id: target.conversation } }, body: { body } })),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: ['ws', ws, 'tickets', 'detail'] });
      void qc.invalidateQueries({ queryKey: ['ws', ws, 'conversations', 'detail'] });
    },
  });
}

/** A conversation's messages and notes, in time order (notes after messages of the same instant). */
export type ConversationItem = { kind: 'message'; message: Message } | { kind: 'note'; note: Note };

export function conversationItems(messages: Message[], notes: Note[] = []): ConversationItem[] {
  const items: ConversationItem[] = [
    ...messages.map((message) => ({ kind: 'message' as const, message })),
    ...notes.map((note) => ({ kind: 'note' as const, note })),
  ];
  const at = (i: ConversationItem) => Date.parse(i.kind === 'message' ? i.message.created_at : i.note.created_at);
  // A stable sort: messages keep the server's order among themselves, notes theirs.
  return items.map((item, n) => ({ item, n })).sort((a, b) => at(a.item) - at(b.item) || a.n - b.n).map(({ item }) => item);
}

/**
 * The mention being typed at the caret: the text after an `@` that starts a word, up to the
 * caret (`null` when the caret is not in one). Names have spaces, so the query may too, but
 * not a line break and at most 40 characters.
 */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const at = before.lastIndexOf('@');
  if (at < 0) return null;
  if (at > 0 && /[\p{L}\p{N}_-]/u.test(before[at - 1] ?? '')) return null;
  const query = before.slice(at + 1);
  if (query.length > 40 || /[\n@]/.test(query) || /^\s/.test(query)) return null;
  return { start: at, query };
}

/** `text` with the mention started at `start` (up to `caret`) replaced by `@name `; the new caret. */
export function insertMention(text: string, start: number, caret: number, name: string): { text: string; caret: number } {
  const inserted = `@${name} `;
  const after = text.slice(caret).replace(/^ /, '');
  return { text: text.slice(0, start) + inserted + after, caret: start + inserted.length };
}

export interface Mentionable {
  user_id: string;
  name: string;
  email: string;
}

/** Members whose name (any word of it) or email starts with `query`, best first, at most 6. */
export function matchMembers<M extends Mentionable>(members: M[], query: string): M[] {
  const q = query.trim().toLowerCase();
  const scored = members
    .map((m) => {
      const name = (m.name || m.email).toLowerCase();
      if (!q) return { m, score: 1 };
      if (name.startsWith(q)) return { m, score: 3 };
      if (name.split(/\s+/).some((w) => w.startsWith(q))) return { m, score: 2 };
      if (m.email.toLowerCase().startsWith(q)) return { m, score: 1 };
      return { m, score: 0 };
    })
    .filter((s) => s.score > 0);
  return scored.sort((a, b) => b.score - a.score).slice(0, 6).map((s) => s.m);
}

/** A note's text cut into plain parts and the mentions it names (for highlighting; React renders both as text). */
export function mentionParts(body: string, names: string[]): { text: string; mention: boolean }[] {
  const wanted = [...new Set(names.filter(Boolean))].sort((a, b) => b.length - a.length);
  if (wanted.length === 0) return [{ text: body, mention: false }];
  const escaped = wanted.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const first = wanted.map((n) => n.split(/\s+/)[0] ?? '').filter((f) => f && !wanted.includes(f)).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const re = new RegExp(`(?<![\\p{L}\\p{N}_-])@(?:${[...escaped, ...first].join('|')})(?![\\p{L}\\p{N}_-])`, 'giu');
  const parts: { text: string; mention: boolean }[] = [];
  let last = 0;
  for (const m of body.matchAll(re)) {
    const i = m.index ?? 0;
    if (i > last) parts.push({ text: body.slice(last, i), mention: false });
    parts.push({ text: m[0], mention: true });
    last = i + m[0].length;
  }
  if (last < body.length) parts.push({ text: body.slice(last), mention: false });
  return parts;
}
