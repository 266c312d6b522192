import { infiniteQueryOptions, queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, type RefObject } from 'react';
import { authFetch, client, unwrap } from '../../../lib/api';
import type { ConversationDetail } from '../../../lib/types';

/** The list's filters: `status` (live state) and `online` (the visitor's widget is open now). */
export type ConversationStatusFilter = 'all' | 'waiting' | 'taken_over' | 'assistant';
export interface ConversationFilters {
  status: ConversationStatusFilter;
  online: boolean;
}

export const STATUS_FILTERS: { value: ConversationStatusFilter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'waiting', label: 'Waiting for a human' },
  { value: 'taken_over', label: 'Taken over' },
  { value: 'assistant', label: 'With the AI' },
];

export const conversationsKey = (ws: string) => ['ws', ws, 'conversations'] as const;

export const conversationListQuery = (ws: string, f: ConversationFilters = { status: 'all', online: false }) =>
  infiniteQueryOptions({
    queryKey: ['ws', ws, 'conversations', 'list', f.status, f.online],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        client.GET('/api/v1/workspaces/{ws}/conversations', {
          params: {
            path: { ws },
            query: {
              limit: 25,
              ...(pageParam ? { cursor: pageParam } : {}),
              ...(f.status !== 'all' ? { status: f.status } : {}),
              ...(f.online ? { online: true } : {}),
            },
          },
          signal,
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? null,
  });

export const conversationQuery = (ws: string, id: string) =>
  queryOptions({
    queryKey: ['ws', ws, 'conversations', 'detail', id],
    queryFn: () => unwrap(client.GET('/api/v1/workspaces/{ws}/conversations/{id}', { params: { path: { ws, id } } })),
  });

/** Take over / hand back: the detail takes the answer's live state at once. */
function useLiveAction(ws: string, id: string, action: 'take-over' | 'hand-back') {
  const qc = useQueryClient();
  const key = conversationQuery(ws, id).queryKey;
  return useMutation({
    mutationFn: (body: { force?: boolean } = {}) =>
      action === 'take-over'
        ? unwrap(client.POST('/api/v1/workspaces/{ws}/conversations/{id}/take-over', { params: { path: { ws, id } }, body }))
        : unwrap(client.POST('/api/v1/workspaces/{ws}/conversations/{id}/hand-back', { params: { path: { ws, id } } })),
    onSuccess: (conversation) => {
      qc.setQueryData<ConversationDetail>(key, (old) => (old ? { ...old, conversation } : old));
    },
    onSettled: () => qc.invalidateQueries({ queryKey: conversationsKey(ws) }),
  });
}

export const useTakeOver = (ws: string, id: string) => useLiveAction(ws, id, 'take-over');
export const useHandBack = (ws: string, id: string) => useLiveAction(ws, id, 'hand-back');

export function useConversationReply(ws: string, id: string) {
  const qc = useQueryClient();
  const key = conversationQuery(ws, id).queryKey;
  return useMutation({
    mutationFn: (body: { body: string; email_visitor: boolean }) =>
      unwrap(client.POST('/api/v1/workspaces/{ws}/conversations/{id}/replies', { params: { path: { ws, id } }, body })),
    onSuccess: (msg) => {
      qc.setQueryData<ConversationDetail>(key, (old) =>
        old && !old.messages.some((m) => m.id === msg.id) ? { ...old, messages: [...old.messages, msg] } : old,
      );
    },
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: conversationsKey(ws) });
      void qc.invalidateQueries({ queryKey: ['ws', ws, 'tickets'] });
    },
  });
}

/** Tells the visitor the agent is typing (fire and forget; the server drops what is too often). */
export function sendTyping(ws: string, id: string, typing: boolean) {
  const url = `${window.location.origin}/api/v1/workspaces/${encodeURIComponent(ws)}/conversations/${encodeURIComponent(id)}/typing`;
  void authFetch(new Request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ typing }) })).catch(
    () => undefined,
  );
}

/** The agent's typing is sent at most this often while they type. */
const TYPING_EVERY_MS = 3000;

/**
 * The agent's typing signal in one conversation, for a reply box: `onText` on every change
 * of its text (`typing: true` at most every `TYPING_EVERY_MS` while there is text; an
 * emptied box stops), `stop` when they stop (blur, send, leaving the page). The visitor's
 * widget shows "<name> is typing…", the team's pages the same with who it is.
 */
export function typingSignal(ws: string, id: string) {
  let sentAt = 0;
  const stop = () => {
    if (!sentAt) return;
    sentAt = 0;
    sendTyping(ws, id, false);
  };
  const onText = (text: string) => {
    if (!text.trim()) return stop();
    const now = Date.now();
    if (now - sentAt >= TYPING_EVERY_MS) {
      sentAt = now;
      sendTyping(ws, id, true);
    }
  };
  return { onText, stop };
}

/**
 * Sends the typing signal of conversation `id` for the text field in `field` (its input and
 * its losing the focus; heard on the document, so a field that is rendered again is still
 * heard), stopping when the component unmounts; `stop` for after a send.
 */
export function useTypingSignal(ws: string, id: string | undefined, field: RefObject<HTMLTextAreaElement | null>) {
  const signal = useMemo(() => (id ? typingSignal(ws, id) : null), [ws, id]);
  useEffect(() => {
    if (!signal) return;
    const onInput = (e: Event) => {
      if (e.target === field.current && field.current) signal.onText(field.current.value);
    };
    const onLeave = (e: Event) => {
      if (e.target === field.current) signal.stop();
    };
    document.addEventListener('input', onInput, true);
    document.addEventListener('focusout', onLeave, true);
    return () => {
      document.removeEventListener('input', onInput, true);
      document.removeEventListener('focusout', onLeave, true);
      signal.stop();
    };
  }, [signal, field]);
  return signal?.stop ?? noop;
}

function noop() {}
