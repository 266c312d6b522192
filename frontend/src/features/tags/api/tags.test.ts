import { describe, expect, it } from 'vitest';
import type { Tag } from '../../../lib/types';
import { TAG_COLOURS, filterTags, toggleTag } from './tags';

const tags: Tag[] = [
  { id: 'a', name: 'Billing', colour: '#2563eb' },
  { id: 'b', name: 'VIP customer', colour: '#7c3aed' },
  { id: 'c', name: 'Bug', colour: '#dc2626' },
];

describe('tags', () => {
  it('filters by name, case-insensitively, keeping the order', () => {
    expect(filterTags(tags, 'b').map((t) => t.id)).toEqual(['a', 'c']);
    expect(filterTags(tags, '  vip ').map((t) => t.id)).toEqual(['b']);
    expect(filterTags(tags, '')).toBe(tags);
    expect(filterTags(tags, 'zzz')).toEqual([]);
  });

  it('toggles one tag in a set', () => {
    expect(toggleTag(['a'], 'b')).toEqual(['a', 'b']);
    expect(toggleTag(['a', 'b'], 'a')).toEqual(['b']);
  });

  it('offers the server palette (hex colours the API accepts)', () => {
    for (const c of TAG_COLOURS) expect(c).toMatch(/^#[0-9a-f]{6}$/);
  });
});
