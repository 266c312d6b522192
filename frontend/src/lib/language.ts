// Language names for the ISO 639-1 codes the server detects on messages and tickets, and
// the languages the widget speaks (the workspace's default language is one of them).

let names: Intl.DisplayNames | null | undefined;

/** "German" from "de" (falls back to the code; "Unknown" for none). */
export function languageName(code: string | null | undefined): string {
  if (!code) return 'Unknown';
  if (names === undefined) {
    try {
      names = new Intl.DisplayNames(['en'], { type: 'language' });
    } catch {
      names = null;
    }
  }
  try {
    return names?.of(code) ?? code;
  } catch {
    return code;
  }
}

/** The widget's languages, each with its own name, in the order the settings list them. */
export const WIDGET_LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'de', name: 'Deutsch' },
  { code: 'fr', name: 'Français' },
  { code: 'es', name: 'Español' },
  { code: 'pt', name: 'Português' },
  { code: 'nl', name: 'Nederlands' },
] as const;

export type WidgetLanguage = (typeof WIDGET_LANGUAGES)[number]['code'];
