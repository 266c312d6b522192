/** 🇩🇪 from "DE"; empty for anything that is not a two-letter code. */
export function flagEmoji(code: string | null | undefined): string {
  if (!code || !/^[A-Za-z]{2}$/.test(code)) return '';
  const up = code.toUpperCase();
  return String.fromCodePoint(...[...up].map((c) => 0x1f1e6 + c.charCodeAt(0) - 65));
}

let names: Intl.DisplayNames | null | undefined;

/** "Germany" from "DE" (falls back to the code). */
export function countryName(code: string | null | undefined): string {
  if (!code) return 'Unknown';
  if (!/^[A-Za-z]{2}$/.test(code)) return code;
  if (names === undefined) {
    try {
      names = new Intl.DisplayNames(['en'], { type: 'region' });
    } catch {
      names = null;
    }
  }
  try {
    return names?.of(code.toUpperCase()) ?? code.toUpperCase();
  } catch {
    return code.toUpperCase();
  }
}
