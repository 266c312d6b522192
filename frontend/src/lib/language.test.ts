import { describe, expect, it } from 'vitest';
import { languageName } from './language';

describe('languageName', () => {
  it('names detected languages in English and falls back to the code', () => {
    expect(languageName('de')).toBe('German');
    expect(languageName('pt')).toBe('Portuguese');
    expect(languageName('it')).toBe('Italian');
    expect(languageName(null)).toBe('Unknown');
    expect(languageName('not a code!')).toBe('not a code!');
  });
});
