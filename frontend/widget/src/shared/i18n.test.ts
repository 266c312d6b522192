// @vitest-environment node
import { afterEach, describe, expect, it, vi } from 'vitest';
import { browserTags, type Catalogue, fill, LANGS, negotiate, pick } from './i18n';
import { catalogueProblems } from './i18n-check';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('language negotiation', () => {
  it('matches primary subtags case-insensitively, first match wins', () => {
    expect(negotiate(['pt-BR'])).toBe('pt');
    expect(negotiate(['NL'])).toBe('nl');
    expect(negotiate(['de-AT', 'fr-FR'])).toBe('de');
    expect(negotiate(['it-IT', 'es-MX', 'en'])).toBe('es');
    expect(negotiate(['zh-Hant-TW', 'nl_BE'])).toBe('nl');
    expect(negotiate([' FR-ca '])).toBe('fr');
  });

  it('falls back when nothing matches: to the given language when supported, else English', () => {
    expect(negotiate(['it'])).toBe('en');
    expect(negotiate(['it'], 'de')).toBe('de');
    expect(negotiate(['it', 'ja'], 'DE-ch')).toBe('de');
    expect(negotiate(['it'], 'xx')).toBe('en');
    expect(negotiate(['it'], null)).toBe('en');
    expect(negotiate([])).toBe('en');
    expect(negotiate([], 'fr')).toBe('fr');
    expect(negotiate(['', 'e', 'english'])).toBe('en');
  });

  it('pick: a supported language or null', () => {
    expect(pick('pt-BR')).toBe('pt');
    expect(pick('it')).toBeNull();
    expect(pick(undefined)).toBeNull();
    expect(pick(42)).toBeNull();
    expect(LANGS).toEqual(['en', 'de', 'fr', 'es', 'pt', 'nl']);
  });

  it("reads the browser's languages, else its one language, else none", () => {
    vi.stubGlobal('navigator', { languages: ['pt-BR', 'en'], language: 'pt-BR' });
    expect(browserTags()).toEqual(['pt-BR', 'en']);
    vi.stubGlobal('navigator', { languages: [], language: 'nl-NL' });
    expect(browserTags()).toEqual(['nl-NL']);
    vi.stubGlobal('navigator', undefined);
    expect(browserTags()).toEqual([]);
  });
});

describe('placeholders', () => {
  it('fills the ones given and leaves the rest; the result is plain text', () => {
    expect(fill('{name} is typing', { name: 'Sam' })).toBe('Sam is typing');
    expect(fill('Ticket {number} created', { number: 'TKT-1' })).toBe('Ticket TKT-1 created');
    expect(fill('{a} and {b}', { a: 1 })).toBe('1 and {b}');
    expect(fill('{name}', { name: '<b>$&</b>' })).toBe('<b>$&</b>');
  });

  it('the catalogue check finds missing, empty and mismatched entries', () => {
    const cat = {
      en: { hi: 'Hi {name}', bye: 'Bye' },
      de: { hi: 'Hallo {nam}', bye: '' },
      fr: { hi: 'Salut {name}', bye: 'Au revoir', extra: 'x' },
      es: { hi: 'Hola {name}', bye: 'Adiós' },
      pt: { hi: 'Oi {name}', bye: 'Tchau' },
      nl: { hi: 'Hoi', bye: 'Doei {name}' },
    } as unknown as Catalogue<'hi' | 'bye'>;
    expect(catalogueProblems(cat)).toEqual([
      'de.hi: placeholders {nam} but English has {name}',
      'de.bye: missing or empty',
      'fr.extra: not in English',
      'nl.hi: placeholders {} but English has {name}',
      'nl.bye: placeholders {name} but English has {}',
    ]);
  });
});
