import { describe, expect, it } from 'vitest';
import type { Message, Note } from '../../../lib/types';
import { conversationItems, insertMention, matchMembers, mentionAt, mentionParts } from './notes';

const team = [
  { user_id: 'u1', name: 'Ann Lee', email: 'ann@acme.test' },
  { user_id: 'u2', name: 'Kim', email: 'kim@acme.test' },
  { user_id: 'u3', name: 'Bob Stone', email: 'lee.bob@acme.test' },
];

describe('mentions while typing', () => {
  it('finds the @ being typed at the caret, not in emails', () => {
    expect(mentionAt('hi @an', 6)).toEqual({ start: 3, query: 'an' });
    expect(mentionAt('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionAt('@Ann Le', 7)).toEqual({ start: 0, query: 'Ann Le' });
    expect(mentionAt('mail ann@acme', 13)).toBeNull();
    expect(mentionAt('@ann\nnext', 9)).toBeNull();
    expect(mentionAt('no at', 5)).toBeNull();
  });

  it('inserts the chosen name with a space and puts the caret after it', () => {
    expect(insertMention('ask @k now', 4, 6, 'Kim')).toEqual({ text: 'ask @Kim now', caret: 9 });
    expect(insertMention('@a', 0, 2, 'Ann Lee')).toEqual({ text: '@Ann Lee ', caret: 9 });
  });

  it('matches members by name start, then any word, then email', () => {
    expect(matchMembers(team, 'k').map((m) => m.user_id)).toEqual(['u2']);
    expect(matchMembers(team, 'lee').map((m) => m.user_id)).toEqual(['u1', 'u3']);
    expect(matchMembers(team, '').length).toBe(3);
    expect(matchMembers(team, 'zz')).toEqual([]);
  });
});

describe('notes in the conversation', () => {
  it('are merged with messages in time order', () => {
    const m = (id: string, at: string) => ({ id, created_at: at }) as Message;
    const n = (id: string, at: string) => ({ id, created_at: at }) as Note;
    const items = conversationItems([m('m1', '2026-01-01T10:00:00Z'), m('m2', '2026-01-01T10:02:00Z')], [n('n1', '2026-01-01T10:01:00Z'), n('n2', '2026-01-01T10:02:00Z')]);
    expect(items.map((i) => (i.kind === 'message' ? i.message.id : i.note.id))).toEqual(['m1', 'n1', 'm2', 'n2']);
  });

  it('mark the mentions they name, full or first name, as text', () => {
    expect(mentionParts('@Ann Lee and @ann, not ann@x.test or @Annabel', ['Ann Lee'])).toEqual([
      { text: '@Ann Lee', mention: true },
      { text: ' and ', mention: false },
      { text: '@ann', mention: true },
      { text: ', not ann@x.test or @Annabel', mention: false },
    ]);
    expect(mentionParts('<b>@Kim</b>', ['Kim'])).toEqual([
      { text: '<b>', mention: false },
      { text: '@Kim', mention: true },
      { text: '</b>', mention: false },
    ]);
    expect(mentionParts('plain', [])).toEqual([{ text: 'plain', mention: false }]);
  });
});
