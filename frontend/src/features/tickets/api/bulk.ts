// Bulk changes (POST /tickets/bulk) and merges (POST /tickets/{ticket}/merge), and the
// words the dashboard says about what they did.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { client, unwrap } from '../../../lib/api';
import { STATUS_LABEL } from '../../../lib/status';
import type { BulkRequest, BulkResult, MergeResult, TicketDetail, TicketStatus } from '../../../lib/types';
import { ticketQuery, ticketsKey } from './tickets';

export function useBulkChange(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: BulkRequest) => unwrap(client.POST('/api/v1/workspaces/{ws}/tickets/bulk', { params: { path: { ws } }, body })),
    // The list and the counts refresh (every ticket query of the workspace).
    onSettled: () => qc.invalidateQueries({ queryKey: ticketsKey(ws) }),
  });
}

/** Merges ticket `ref` (as in the URL) into `into` (a number or id). */
export function useMergeTicket(ws: string, ref: string) {
  const qc = useQueryClient();
  const key = ticketQuery(ws, ref).queryKey;
  return useMutation({
    mutationFn: (into: string): Promise<MergeResult> => {
      const cur = qc.getQueryData<TicketDetail>(key)?.ticket;
      return unwrap(
        client.POST('/api/v1/workspaces/{ws}/tickets/{ticket}/merge', {
          params: { path: { ws, ticket: ref } },
          body: { into, ...(cur ? { version: cur.version } : {}) },
        }),
      );
    },
    // Not awaited: the dialog closes at once, and the page refetches behind it.
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: ticketsKey(ws) });
    },
  });
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * One sentence about a bulk change: how many tickets changed, which were already so, and
 * each refusal with its reason ("2 tickets updated; TKT-10003 was refused: a closed
 * ticket can't move to In Progress"). A refused status move is said in the list's words
 * when the ticket's status (`statusOf`, from the list) and the requested one are known.
 */
export function bulkSummary(r: BulkResult, opts: { to?: TicketStatus; statusOf?: (number: string) => TicketStatus | undefined } = {}): string {
  const changed = r.updated.filter((u) => u.changes.length > 0).length;
  const same = r.updated.length - changed;
  const parts: string[] = [];
  if (changed > 0 || r.refused.length === 0) parts.push(`${plural(changed, 'ticket', 'tickets')} updated`);
  if (same > 0) parts.push(`${plural(same, 'ticket was', 'tickets were')} already so`);
  for (const f of r.refused) {
    const from = opts.statusOf?.(f.ticket);
    const reason =
      f.code === 'invalid_transition' && from && opts.to ? `${from === 'open' || from === 'in_progress' ? 'an' : 'a'} ${STATUS_LABEL[from].toLowerCase()} ticket can’t move to ${STATUS_LABEL[opts.to]}` : f.message;
    parts.push(`${f.ticket} was refused: ${reason}`);
  }
  return parts.join('; ');
}
