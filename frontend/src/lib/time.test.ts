import { describe, expect, it } from 'vitest';
import { relativeTime } from './time';

const now = new Date('2026-11-24T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('relativeTime', () => {
  it.each([
    [0, 'just now'],
    [30_000, 'just now'],
    [50_000, '1 min ago'],
    [5 * MIN, '5 min ago'],
    [59 * MIN, '59 min ago'],
    [HOUR, '1 h ago'],
    [23 * HOUR + 59 * MIN, '23 h ago'],
    [DAY + HOUR, 'yesterday'],
    [3 * DAY, '3 days ago'],
    [6 * DAY, '6 days ago'],
  ])('%i ms ago → %s', (ms, text) => {
    expect(relativeTime(ago(ms), now)).toBe(text);
  });

  it('shows a date after a week, with the year only when it differs', () => {
    expect(relativeTime('2026-11-10T12:00:00Z', now)).toBe('Nov 10');
    expect(relativeTime('2025-11-10T12:00:00Z', now)).toBe('Nov 10, 2025');
  });

  it('treats small clock skew as now and survives bad input', () => {
    expect(relativeTime(new Date(now.getTime() + 20_000).toISOString(), now)).toBe('just now');
    expect(relativeTime('not a date', now)).toBe('—');
    expect(relativeTime(null, now)).toBe('—');
  });
});
