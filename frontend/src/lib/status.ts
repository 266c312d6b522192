import type { TicketStatus } from './types';

export const STATUSES: TicketStatus[] = ['open', 'in_progress', 'resolved', 'closed'];

export const STATUS_LABEL: Record<TicketStatus, string> = {
  open: 'Open',
  in_progress: 'In Progress',
  resolved: 'Resolved',
  closed: 'Closed',
};

/** The ticket workflow (docs/architecture.md, api/src/domain/workflow.rs): every allowed move, nothing else. */
const MOVES: Record<TicketStatus, TicketStatus[]> = {
  open: ['in_progress', 'resolved', 'closed'],
  in_progress: ['open', 'resolved', 'closed'],
  resolved: ['closed', 'open'],
  closed: ['open'],
};

export function allowedMoves(from: TicketStatus): TicketStatus[] {
  return MOVES[from] ?? [];
}

export interface StatusAction {
  to: TicketStatus;
  label: string;
}

/** The buttons of the status control; moving back to open from resolved/closed is "Reopen". */
export function statusActions(from: TicketStatus): StatusAction[] {
  return allowedMoves(from).map((to) => ({
    to,
    label: to === 'open' ? (from === 'resolved' || from === 'closed' ? 'Reopen' : 'Back to Open') : STATUS_LABEL[to],
  }));
}
