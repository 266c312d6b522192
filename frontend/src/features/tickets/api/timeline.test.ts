import { describe, expect, it } from 'vitest';
import type { TicketEvent } from '../../../lib/types';
import { describeEvent } from './timeline';

const ev = (kind: string, actor: TicketEvent['actor'], data: Record<string, unknown> = {}): TicketEvent => ({ id: 'e', kind, actor, data: data as TicketEvent['data'], created_at: '2026-11-24T10:00:00Z' });

describe('timeline sentences', () => {
  it('says who did what', () => {
    expect(describeEvent(ev('created', { type: 'assistant' }))).toBe('Ticket created by the AI assistant');
    expect(describeEvent(ev('created', { type: 'api', name: 'CRM sync' }))).toBe('Ticket created via the API (CRM sync)');
    expect(describeEvent(ev('status_changed', { type: 'user', name: 'Sam' }, { from: 'open', to: 'in_progress' }))).toBe('Sam changed status from Open to In Progress');
    expect(describeEvent(ev('assigned', { type: 'user', name: 'Sam' }, { assignee: { id: 'u', name: 'Kim' } }))).toBe('Sam assigned it to Kim');
    expect(describeEvent(ev('assigned', { type: 'user', name: 'Sam' }, { assignee: null }))).toBe('Sam unassigned the ticket');
    expect(describeEvent(ev('reopened', { type: 'visitor' }))).toBe('The visitor wrote again, which reopened the ticket');
    expect(describeEvent(ev('reopened', { type: 'user', name: 'Sam' }))).toBe('Sam reopened the ticket');
    expect(describeEvent(ev('assigned', { type: 'user', id: 'u1', name: 'Sam' }, { assignee: { id: 'u1', name: 'Sam' } }))).toBe('Sam assigned it to themselves');
    expect(describeEvent(ev('replied', { type: 'user', name: 'Sam' }, { emailed: true }))).toBe('Sam replied (also emailed to the visitor)');
    expect(describeEvent(ev('replied', { type: 'user', name: 'Sam' }, { email_visitor: true }))).toBe('Sam replied (also emailed to the visitor)');
    expect(describeEvent(ev('note_added', { type: 'user', name: 'Sam' }))).toBe('Sam added an internal note');
    expect(describeEvent(ev('note_added', { type: 'user', name: 'Sam' }, { mentions: [{ user_id: 'u', name: 'Kim' }] }))).toBe('Sam added an internal note mentioning Kim');
    const link = (id: string, number: string) => ({ id, number });
    expect(describeEvent(ev('merged_into', { type: 'user', name: 'Sam' }, { from: link('a', 'TKT-10003'), into: link('b', 'TKT-10002') }))).toBe('Sam merged this ticket into TKT-10002');
    expect(describeEvent(ev('merged_from', { type: 'user', name: 'Sam' }, { from: link('a', 'TKT-10003'), into: link('b', 'TKT-10002'), messages: 3 }))).toBe(
      'Sam merged TKT-10003 into this ticket (3 messages moved here)',
    );
    // An unknown kind still reads as a sentence.
    expect(describeEvent(ev('sla_breached', { type: 'system' }))).toBe('Sla breached by System');
  });

  it('describes edits of summary, category, priority and tags', () => {
    const sam = { type: 'user' as const, name: 'Sam' };
    expect(describeEvent(ev('priority_changed', sam, { from: 'normal', to: 'urgent' }))).toBe('Sam changed priority from Normal to Urgent');
    expect(describeEvent(ev('category_changed', sam, { from: 'other', to: 'needs_human_judgment' }))).toBe('Sam set the category to Needs human judgment');
    expect(describeEvent(ev('summary_changed', sam, { from: 'a', to: 'Refund for order 1234' }))).toBe('Sam changed the summary to “Refund for order 1234”');
    expect(describeEvent(ev('tag_added', sam, { tag: { id: 't', name: 'VIP', colour: '#2563eb' } }))).toBe('Sam added the tag VIP');
    expect(describeEvent(ev('tag_removed', sam, { tag: { id: 't', name: 'VIP', colour: '#2563eb' } }))).toBe('Sam removed the tag VIP');
    expect(describeEvent(ev('tag_removed', sam, {}))).toBe('Sam removed a tag');
  });
});
