import { STATUS_LABEL } from '../../../lib/status';
import type { TicketEvent, TicketPriority, TicketStatus } from '../../../lib/types';
import { CATEGORY_LABEL, PRIORITY_LABEL } from './labels';

function actorName(e: TicketEvent): string {
  const a = e.actor;
  if (a.name) return a.name;
  switch (a.type) {
    case 'assistant':
      return 'AI assistant';
    case 'visitor':
      return 'Visitor';
    case 'api':
      return 'API';
    case 'system':
      return 'System';
    default:
      return 'Someone';
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

function statusLabel(v: unknown): string | undefined {
  const s = str(v);
  return s ? (STATUS_LABEL[s as TicketStatus] ?? s) : undefined;
}

function nameIn(v: unknown): string | undefined {
  if (!v || typeof v !== 'object') return str(v);
  const o = v as Record<string, unknown>;
  return str(o.name) ?? str(o.email);
}

function nameOrNumber(v: unknown): string | undefined {
  if (!v || typeof v !== 'object') return str(v);
  return str((v as Record<string, unknown>).number);
}

/** One readable sentence per timeline event; tolerant of extra or missing data. */
export function describeEvent(e: TicketEvent): string {
  const who = actorName(e);
  const d = (e.data ?? {}) as Record<string, unknown>;
  switch (e.kind) {
    case 'created': {
      const via = e.actor.type === 'assistant' ? 'by the AI assistant' : e.actor.type === 'api' ? `via the API${e.actor.name ? ` (${e.actor.name})` : ''}` : `by ${who}`;
      return `Ticket created ${via}`;
    }
    case 'assigned': {
      const to = nameIn(d.assignee) ?? str(d.assignee_name) ?? nameIn(d.to);
      if (!to && (d.assignee === null || d.assignee_id === null || d.to === null)) return `${who} unassigned the ticket`;
      const toId = d.assignee && typeof d.assignee === 'object' ? (d.assignee as Record<string, unknown>).id : d.assignee_id;
      if (e.actor.id && toId === e.actor.id) return `${who} assigned it to themselves`;
      return to ? `${who} assigned it to ${to}` : `${who} changed the assignee`;
    }
    case 'unassigned':
      return `${who} unassigned the ticket`;
    case 'status_changed': {
      const from = statusLabel(d.from);
      const to = statusLabel(d.to ?? d.status);
      if (from && to) return `${who} changed status from ${from} to ${to}`;
      return to ? `${who} set status to ${to}` : `${who} changed the status`;
    }
    case 'reopened':
      return e.actor.type === 'visitor' ? 'The visitor wrote again, which reopened the ticket' : `${who} reopened the ticket`;
    case 'taken_over':
      return `${who} took over the chat (the AI assistant stays silent)`;
    case 'handed_back': {
      if (d.reason === 'idle') return `The chat went back to the AI assistant after ${str(d.from) ?? 'the agent'} was idle for ${Number(d.idle_minutes) || 30} minutes`;
      return `${who} handed the chat back to the AI assistant`;
    }
    case 'email_auto_reply': {
      const from = str(d.from);
      return `An automatic reply (out of office)${from ? ` from ${from}` : ''} arrived; the ticket was not reopened`;
    }
    case 'merged_into': {
      const into = nameOrNumber(d.into);
      return into ? `${who} merged this ticket into ${into}` : `${who} merged this ticket into another`;
    }
    case 'merged_from': {
      const from = nameOrNumber(d.from);
      const n = Number(d.messages) || 0;
      const moved = n ? ` (${n} ${n === 1 ? 'message' : 'messages'} moved here)` : '';
      return from ? `${who} merged ${from} into this ticket${moved}` : `${who} merged another ticket into this one${moved}`;
    }
    case 'summary_changed':
      return str(d.to) ? `${who} changed the summary to “${str(d.to)}”` : `${who} changed the summary`;
    case 'category_changed': {
      const to = CATEGORY_LABEL[str(d.to) as keyof typeof CATEGORY_LABEL] ?? str(d.to);
      return to ? `${who} set the category to ${to}` : `${who} changed the category`;
    }
    case 'priority_changed': {
      const from = PRIORITY_LABEL[str(d.from) as TicketPriority] ?? str(d.from);
      const to = PRIORITY_LABEL[str(d.to) as TicketPriority] ?? str(d.to);
      if (from && to) return `${who} changed priority from ${from} to ${to}`;
      return to ? `${who} set priority to ${to}` : `${who} changed the priority`;
    }
    case 'tag_added':
      return nameIn(d.tag) ? `${who} added the tag ${nameIn(d.tag)}` : `${who} added a tag`;
    case 'tag_removed':
      return nameIn(d.tag) ? `${who} removed the tag ${nameIn(d.tag)}` : `${who} removed a tag`;
    case 'note_added': {
      const named = Array.isArray(d.mentions) ? (d.mentions as unknown[]).map(nameIn).filter(Boolean) : [];
      return named.length ? `${who} added an internal note mentioning ${named.join(', ')}` : `${who} added an internal note`;
    }
    case 'replied':
      return d.email_visitor || d.emailed ? `${who} replied (also emailed to the visitor)` : `${who} replied`;
    default: {
      const k = e.kind.replace(/[._]/g, ' ');
      return `${k.charAt(0).toUpperCase()}${k.slice(1)} by ${who}`;
    }
  }
}
