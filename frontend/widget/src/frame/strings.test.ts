// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { LANGS } from '../shared/i18n';
import { catalogueProblems } from '../shared/i18n-check';
import { rateLimitText, sizeText, STRINGS, t } from './strings';

describe("the chat's catalogue", () => {
  it('has every key in every language, none empty, with the same placeholders as English', () => {
    expect(catalogueProblems(STRINGS)).toEqual([]);
  });

  it('keeps the English wording the widget always had', () => {
    expect(t('en', 'placeholder')).toBe('Type your message…');
    expect(t('en', 'agentTyping', { name: 'Sam' })).toBe('Sam is typing');
    expect(t('en', 'ticketCreatedLabel', { number: 'TKT-10001' })).toBe('Ticket TKT-10001 created');
    expect(t('en', 'poweredBy', { brand: 'Handoff' })).toBe('Powered by Handoff');
  });

  it('keeps the brand in every language', () => {
    for (const lang of LANGS) expect(t(lang, 'poweredBy', { brand: 'Handoff' })).toMatch(/\bHandoff$/);
  });

  it('says how long to wait with the right plural, in the visitor language', () => {
    expect(rateLimitText('en', 1)).toBe("You're sending messages faster than we can keep up. Please wait 1 second and try again.");
    expect(rateLimitText('en', 12)).toContain('Please wait 12 seconds and try again.');
    expect(rateLimitText('en', 120)).toContain('Please wait 2 minutes and try again.');
    expect(rateLimitText('en', null)).toContain('30 seconds');
    expect(rateLimitText('de', 1)).toContain('Bitte warten Sie 1 Sekunde');
    expect(rateLimitText('de', 120)).toContain('Bitte warten Sie 2 Minuten');
    expect(rateLimitText('fr', 30)).toMatch(/patienter 30\s+secondes/); // a no-break space, as French writes it
    expect(rateLimitText('nl', 1)).toContain('Wacht 1 seconde');
  });

  it('writes file sizes as before, with the decimal comma where it belongs', () => {
    expect(sizeText('en', 1023)).toBe('1023 B');
    expect(sizeText('en', 4096)).toBe('4 KB');
    expect(sizeText('en', 1.5 * 1024 * 1024)).toBe('1.5 MB');
    expect(sizeText('de', 1.5 * 1024 * 1024)).toBe('1,5 MB');
    expect(sizeText('fr', 4096)).toBe('4 Ko');
  });
});
