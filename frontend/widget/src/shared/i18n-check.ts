// For tests (not part of a bundle): what is wrong with a catalogue, checked against English.
import { type Catalogue, LANGS } from './i18n';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/** One line per problem: a key missing, extra or empty, or other placeholders than English's. */
export function catalogueProblems<K extends string>(cat: Catalogue<K>): string[] {
  const out: string[] = [];
  const keys = Object.keys(cat.en) as K[];
  for (const lang of LANGS) {
    const strings = cat[lang] as Record<string, string>;
    for (const extra of Object.keys(strings).filter((k) => !keys.includes(k as K))) out.push(`${lang}.${extra}: not in English`);
    for (const key of keys) {
      const text = strings[key];
      if (typeof text !== 'string' || !text.trim()) out.push(`${lang}.${key}: missing or empty`);
      else if (placeholders(text).join() !== placeholders(cat.en[key]).join())
        out.push(`${lang}.${key}: placeholders {${placeholders(text).join('}, {')}} but English has {${placeholders(cat.en[key]).join('}, {')}}`);
    }
  }
  return out;
}
