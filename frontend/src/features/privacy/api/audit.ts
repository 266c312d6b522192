// The audit log's wording: who did it, what they did, and a short line of details, each as
// plain text (names, emails and URLs typed by people are shown as text, never as markup).
import type { Actor, AuditEvent } from '../../../lib/types';

type Data = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Who: the member's name, "API key <name>", "System" ("Instance operator" for a plan change). */
export function actorText(actor: Actor, action?: string): string {
  switch (actor.type) {
    case 'user':
      return actor.name || 'A former member';
    case 'api':
      return actor.name ? `API key ${actor.name}` : 'An API key';
    case 'system':
      return action === 'plan.changed' ? 'Instance operator' : 'System';
    case 'assistant':
      return 'AI assistant';
    case 'visitor':
      return actor.name || 'A visitor';
    default:
      return actor.name || String(actor.type);
  }
}

/** `["name", "widget_color"]` → "name, widget color". */
function fieldList(v: unknown): string {
  if (!Array.isArray(v)) return '';
  return v
    .filter((f): f is string => typeof f === 'string' && f !== '')
    .map((f) => f.replace(/_/g, ' '))
    .join(', ');
}

/** What: one sentence per action; an action this dashboard does not know shows as it is. */
export function auditText(e: Pick<AuditEvent, 'action' | 'data'>): string {
  const d: Data = e.data ?? {};
  switch (e.action) {
    case 'workspace.updated': {
      const fields = fieldList(d.fields);
      return fields ? `Changed workspace settings (${fields})` : 'Changed workspace settings';
    }
    case 'privacy.updated':
      return 'Changed the privacy settings';
    case 'visitor.exported':
      return 'Exported a visitor’s data';
    case 'visitor.erased':
      return 'Erased a visitor';
    case 'member.invited':
      return `Invited ${str(d.email) ?? 'someone'}${str(d.role) ? ` as ${str(d.role)}` : ''}`;
    case 'member.role_changed':
      return `Made ${str(d.name) ?? 'a member'} ${str(d.role) ?? 'something else'}`;
    case 'member.removed':
      return `Removed ${str(d.name) ?? 'a member'}`;
    case 'api_key.created':
      return `Created the API key ${str(d.name) ?? ''}`.trim();
    case 'api_key.revoked':
      return `Revoked the API key ${str(d.name) ?? ''}`.trim();
    case 'webhook.created':
      return `Added the webhook ${str(d.url) ?? ''}`.trim();
    case 'webhook.updated':
      return `Changed the webhook ${str(d.url) ?? ''}`.trim();
    case 'webhook.deleted':
      return `Removed the webhook ${str(d.url) ?? ''}`.trim();
    case 'identity_secret.rotated':
      return 'Made a new identity secret';
    case 'identity_secret.removed':
      return 'Turned identity verification off';
    case 'ticket_settings.updated':
      return d.enabled === true ? 'Turned tickets on' : d.enabled === false ? 'Turned tickets off' : 'Changed the ticket settings';
    case 'plan.changed':
      return str(d.plan) ? `Plan set to ${capitalised(str(d.plan)!)}` : 'Changed the plan';
    default:
      return e.action;
  }
}

const keptFor = (v: unknown) => {
  const n = num(v);
  return n == null ? 'kept until erased' : count(n, 'day', 'days');
};

/** A value of an unknown action's data, short. */
function shortValue(v: unknown): string {
  if (v == null) return '—';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(shortValue).join(', ');
  return JSON.stringify(v);
}

const MAX_DETAILS = 140;

/** Details: the numbers of an erasure, the new retention, the visitor; a short summary of anything else. */
export function auditDetails(e: Pick<AuditEvent, 'action' | 'data' | 'target_id'>): string {
  const d: Data = e.data ?? {};
  switch (e.action) {
    case 'visitor.erased': {
      const parts = [
        num(d.messages_deleted) != null ? count(num(d.messages_deleted)!, 'message', 'messages') : null,
        num(d.attachments_deleted) != null ? count(num(d.attachments_deleted)!, 'file', 'files') : null,
      ].filter(Boolean);
      const tickets = num(d.tickets_anonymised);
      return [parts.length ? `${parts.join(' and ')} deleted` : null, tickets != null ? `${count(tickets, 'ticket', 'tickets')} anonymised` : null]
        .filter(Boolean)
        .join(', ');
    }
    case 'visitor.exported': {
      const v = str(d.visitor_id) ?? e.target_id;
      return v ? `Visitor ${v}` : '';
    }
    case 'privacy.updated':
      return `Conversations without a ticket: ${keptFor(d.conversations_without_ticket_days)} · Closed tickets: ${keptFor(d.closed_tickets_days)}`;
    case 'workspace.updated':
    case 'member.invited':
    case 'member.role_changed':
    case 'member.removed':
    case 'api_key.created':
    case 'api_key.revoked':
    case 'webhook.created':
    case 'webhook.updated':
    case 'webhook.deleted':
    case 'identity_secret.rotated':
    case 'identity_secret.removed':
    case 'ticket_settings.updated':
    case 'plan.changed':
      // The sentence says it all.
      return '';
    default: {
      const text = Object.entries(d)
        .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${shortValue(v)}`)
        .join(' · ');
      return text.length > MAX_DETAILS ? `${text.slice(0, MAX_DETAILS - 1)}…` : text;
    }
  }
}
