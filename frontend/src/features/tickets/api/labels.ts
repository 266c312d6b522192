// Words for ticket priorities and categories, as the dashboard shows them.
import type { Ticket, TicketPriority } from '../../../lib/types';

export const PRIORITIES: { value: TicketPriority; label: string }[] = [
  { value: 'urgent', label: 'Urgent' },
  { value: 'high', label: 'High' },
  { value: 'normal', label: 'Normal' },
  { value: 'low', label: 'Low' },
];

export const PRIORITY_LABEL: Record<TicketPriority, string> = { urgent: 'Urgent', high: 'High', normal: 'Normal', low: 'Low' };

export const CATEGORY_LABEL: Record<Ticket['category'], string> = {
  cannot_perform_action: 'Cannot perform action',
  needs_human_judgment: 'Needs human judgment',
  other: 'Other',
};
