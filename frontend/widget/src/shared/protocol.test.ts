import { describe, expect, it } from 'vitest';
import { contrastText, isEmail, isProtocolMessage, safeColor } from './protocol';

describe('protocol helpers', () => {
  it('accepts ordinary emails and rejects malformed ones', () => {
    for (const ok of ['ann@example.com', ' bob.smith+shop@mail.example.co.uk ', 'x_y@sub.domain.io']) expect(isEmail(ok)).toBe(true);
    for (const bad of ['', 'ann', 'ann@', '@example.com', 'ann@example', 'ann @example.com', 'ann@exa mple.com', 'a@b..com', 'not-an-email@']) {
      expect(isEmail(bad)).toBe(false);
    }
  });

  it('picks a readable text colour for the theme', () => {
    expect(contrastText('#4f46e5')).toBe('#fff');
    expect(contrastText('#000')).toBe('#fff');
    expect(contrastText('#ffffff')).toBe('#111');
    expect(contrastText('#facc15')).toBe('#111');
  });

  it('only lets hex colours through to CSS', () => {
    expect(safeColor('#123abc')).toBe('#123abc');
    expect(safeColor('red;background:url(x)')).toBe('#4f46e5');
    expect(safeColor(undefined, '#000')).toBe('#000');
  });

  it('recognises protocol messages', () => {
    expect(isProtocolMessage({ event: 'ready' })).toBe(true);
    expect(isProtocolMessage('ready')).toBe(false);
    expect(isProtocolMessage(null)).toBe(false);
    expect(isProtocolMessage({ type: 'x' })).toBe(false);
  });
});
