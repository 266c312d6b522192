// The widget's languages, shared by both bundles: which ones there are, how one is chosen,
// and how a placeholder is filled. The catalogues themselves are per bundle (the loader's few
// strings in loader/strings.ts, the chat's in frame/strings.ts), so the loader stays small.

/** The languages the widget speaks (the server negotiates among the same ones). */
export const LANGS = ['en', 'de', 'fr', 'es', 'pt', 'nl'] as const;
export type Lang = (typeof LANGS)[number];

/** Every language has every key: a missing or extra key fails type-checking. */
export type Catalogue<K extends string> = Record<Lang, Record<K, string>>;

/** A supported language for a BCP-47 tag by its primary subtag (`pt-BR` → `pt`, `NL` → `nl`), else null. */
export function pick(tag: unknown): Lang | null {
  if (typeof tag !== 'string') return null;
  const primary = tag.trim().split(/[-_]/)[0].toLowerCase();
  return (LANGS as readonly string[]).includes(primary) ? (primary as Lang) : null;
}

/** The first of the visitor's tags the widget speaks; else `fallback` (when supported); else English. */
export function negotiate(tags: readonly string[], fallback?: string | null): Lang {
  for (const t of tags) {
    const l = pick(t);
    if (l) return l;
  }
  return pick(fallback) ?? 'en';
}

/** The browser's preferred languages (`navigator.languages`, else `navigator.language`). */
export function browserTags(): readonly string[] {
  const n = globalThis.navigator;
  if (n?.languages?.length) return n.languages;
  return n?.language ? [n.language] : [];
}

export type Vars = Record<string, string | number>;

/** `{name}` placeholders filled from `vars` (unknown ones stay as they are). The result is
 * plain text: it goes into text nodes and attributes, never into innerHTML. */
export function fill(template: string, vars: Vars = {}): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}
