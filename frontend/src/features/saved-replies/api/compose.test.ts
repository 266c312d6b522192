import { describe, expect, it } from 'vitest';
import type { SavedReply } from '../../../lib/types';
import { fillVariables, filterSavedReplies, insertAt, slashTokenAt, splitVariables, unfilled } from './compose';
import { normalShortcut, SHORTCUT_PATTERN } from './saved-replies';

const reply = (shortcut: string, title: string, body = 'Body'): SavedReply => ({
  id: `id-${shortcut}`,
  shortcut,
  title,
  body,
  created_by: null,
  version: 1,
  created_at: '2026-12-02T10:00:00Z',
  updated_at: '2026-12-02T10:00:00Z',
});

const replies = [
  reply('hello', 'Greeting with a refund note'),
  reply('order-status', 'Where is my order'),
  reply('ref', 'Reference number'),
  reply('refund', 'Refund started'),
  reply('thanks', 'Thank you'),
  reply('partial-refund', 'Partial refund'),
];

describe('filterSavedReplies', () => {
  it('puts shortcut prefixes first, then shortcuts containing it, then titles', () => {
    expect(filterSavedReplies(replies, 'ref').map((r) => r.shortcut)).toEqual(['ref', 'refund', 'partial-refund', 'hello']);
    expect(filterSavedReplies(replies, 'REFU').map((r) => r.shortcut)).toEqual(['refund', 'partial-refund', 'hello']);
    expect(filterSavedReplies(replies, 'order').map((r) => r.shortcut)).toEqual(['order-status']);
    expect(filterSavedReplies(replies, 'thank you').map((r) => r.shortcut)).toEqual(['thanks']);
  });

  it('keeps every reply for an empty query and none for a miss', () => {
    expect(filterSavedReplies(replies, '')).toBe(replies);
    expect(filterSavedReplies(replies, '/')).toBe(replies);
    expect(filterSavedReplies(replies, '/ref')[0].shortcut).toBe('ref');
    expect(filterSavedReplies(replies, 'zzz')).toEqual([]);
  });
});

describe('fillVariables', () => {
  const ctx = { 'visitor.email': 'ann@example.com', 'ticket.number': 'TKT-10001', 'agent.name': 'Alex Agent', 'workspace.name': 'Acme Shop' };

  it('fills the four variables, with or without spaces inside the braces', () => {
    const body = 'Hi {{visitor.email}}, about {{ ticket.number }}: {{agent.name}} from {{workspace.name}}. {{agent.name}}';
    expect(fillVariables(body, ctx)).toEqual({
      text: 'Hi ann@example.com, about TKT-10001: Alex Agent from Acme Shop. Alex Agent',
      missing: [],
    });
  });

  it('leaves unknown values visible and says which', () => {
    const out = fillVariables('Hi {{visitor.email}}, re {{ticket.number}} — {{agent.name}}', { 'agent.name': 'Alex', 'visitor.email': null, 'ticket.number': '  ' });
    expect(out.text).toBe('Hi {{visitor.email}}, re {{ticket.number}} — Alex');
    expect(out.missing).toEqual(['visitor.email', 'ticket.number']);
  });

  it('keeps other braces as free text', () => {
    expect(fillVariables('{{order.id}} {{visitor.name}} {{ unclosed {agent.name}', ctx).text).toBe('{{order.id}} {{visitor.name}} {{ unclosed {agent.name}');
  });

  it('never treats a value as a pattern', () => {
    expect(fillVariables('{{agent.name}}', { 'agent.name': '$& $1 {{workspace.name}}' }).text).toBe('$& $1 {{workspace.name}}');
  });

  it('cuts a body into text and variables', () => {
    expect(splitVariables('Hi {{visitor.email}}, {{order.id}} {{ agent.name }}')).toEqual([
      { text: 'Hi ' },
      { text: '{{visitor.email}}', variable: 'visitor.email' },
      { text: ', {{order.id}} ' },
      { text: '{{ agent.name }}', variable: 'agent.name' },
    ]);
    expect(splitVariables('')).toEqual([]);
  });

  it('finds the placeholders still in a text', () => {
    expect(unfilled('Hi {{visitor.email}} and {{ visitor.email }}, {{order.id}}, {{workspace.name}}')).toEqual(['visitor.email', 'workspace.name']);
    expect(unfilled('Nothing here')).toEqual([]);
  });
});

describe('slashTokenAt', () => {
  it('finds a / at the start or after whitespace, up to the caret', () => {
    expect(slashTokenAt('/ref', 4)).toEqual({ start: 0, end: 4, query: 'ref' });
    expect(slashTokenAt('/', 1)).toEqual({ start: 0, end: 1, query: '' });
    expect(slashTokenAt('Thanks! /Ref', 12)).toEqual({ start: 8, end: 12, query: 'ref' });
    expect(slashTokenAt('line one\n/th', 12)).toEqual({ start: 9, end: 12, query: 'th' });
    // The caret inside the word: the query is what comes before it.
    expect(slashTokenAt('/refund later', 4)).toEqual({ start: 0, end: 4, query: 'ref' });
  });

  it('ignores slashes inside words, URLs and finished words', () => {
    expect(slashTokenAt('and/or', 6)).toBeNull();
    expect(slashTokenAt('see https://acme.test/help', 26)).toBeNull();
    expect(slashTokenAt('12/05', 5)).toBeNull();
    expect(slashTokenAt('/ref done', 9)).toBeNull();
    expect(slashTokenAt('no slash', 8)).toBeNull();
    expect(slashTokenAt('', 0)).toBeNull();
    expect(slashTokenAt(`/${'x'.repeat(60)}`, 61)).toBeNull();
  });
});

describe('insertAt', () => {
  it('replaces the /query and puts the caret after the insert', () => {
    const text = 'Hello! /ref and more';
    const token = slashTokenAt(text, 11)!;
    expect(insertAt(text, token, 'Your refund started.')).toEqual({ text: 'Hello! Your refund started. and more', caret: 27 });
  });
});

describe('shortcuts', () => {
  it('are normalised the way the server stores them', () => {
    expect(normalShortcut(' /Refund ')).toBe('refund');
    expect(SHORTCUT_PATTERN.test('order_status-2')).toBe(true);
    for (const bad of ['', 'two words', 'café', 'a.b', 'x'.repeat(33)]) expect(SHORTCUT_PATTERN.test(bad)).toBe(false);
  });
});
