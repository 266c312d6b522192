import { describe, expect, it } from 'vitest';
import { countryName, flagEmoji } from './country';

describe('country', () => {
  it('makes a flag from a two-letter code', () => {
    expect(flagEmoji('DE')).toBe('🇩🇪');
    expect(flagEmoji('us')).toBe('🇺🇸');
    expect(flagEmoji('XXX')).toBe('');
    expect(flagEmoji(null)).toBe('');
  });
  it('names the country', () => {
    expect(countryName('DE')).toBe('Germany');
    expect(countryName('fr')).toBe('France');
    expect(countryName(null)).toBe('Unknown');
  });
});
