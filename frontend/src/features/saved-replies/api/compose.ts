// The reply box's `/` list without React: where the `/query` being typed is, which saved
// replies match it, and the text once one is inserted with its variables filled in.
import type { SavedReply } from '../../../lib/types';

/** The variables a saved reply's body may use, in the order the dashboard offers them. */
export const VARIABLES = ['visitor.email', 'ticket.number', 'agent.name', 'workspace.name'] as const;
export type Variable = (typeof VARIABLES)[number];

/** What is known where the reply is written; `null`/`undefined`/empty: not known. */
export type ReplyContext = Partial<Record<Variable, string | null | undefined>>;

/** `{{ visitor.email }}`, spaces inside the braces allowed. */
const PLACEHOLDER = /\{\{\s*(visitor\.email|ticket\.number|agent\.name|workspace\.name)\s*\}\}/g;

/**
 * The body with the known variables filled in. A variable without a value (a visitor who
 * gave no email, a conversation without a ticket) is left as typed, so that the agent sees
 * it and fills it in before sending; `missing` lists those. Anything else between braces is
 * free text and stays as it is.
 */
export function fillVariables(body: string, ctx: ReplyContext): { text: string; missing: Variable[] } {
  const missing = new Set<Variable>();
  const text = body.replace(PLACEHOLDER, (whole, name: Variable) => {
    const value = ctx[name]?.trim();
    if (value) return value;
    missing.add(name);
    return whole;
  });
  return { text, missing: VARIABLES.filter((v) => missing.has(v)) };
}

/** The placeholders of `text` that are still unfilled (what the reply box warns about). */
export function unfilled(text: string): Variable[] {
  const found = new Set<Variable>();
  for (const m of text.matchAll(PLACEHOLDER)) found.add(m[1] as Variable);
  return VARIABLES.filter((v) => found.has(v));
}

/** `text` cut into plain runs and known variables (the Saved replies page shows those apart). */
export function splitVariables(text: string): { text: string; variable?: Variable }[] {
  const parts: { text: string; variable?: Variable }[] = [];
  let at = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    const i = m.index ?? 0;
    if (i > at) parts.push({ text: text.slice(at, i) });
    parts.push({ text: m[0], variable: m[1] as Variable });
    at = i + m[0].length;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  return parts;
}

/** The `/query` at the caret: a `/` at the start or after whitespace, then no whitespace up to the caret. */
export interface SlashToken {
  /** Index of the `/`. */
  start: number;
  /** Index just after the query (the caret). */
  end: number;
  /** What follows the `/`, lower case. */
  query: string;
}

/** The longest `/query` the list still looks for (longer is not a shortcut being typed). */
const QUERY_MAX = 40;

export function slashTokenAt(text: string, caret: number): SlashToken | null {
  let i = caret - 1;
  while (i >= 0 && !/\s/.test(text[i]) && text[i] !== '/' && caret - i <= QUERY_MAX) i--;
  if (i < 0 || text[i] !== '/') return null;
  if (i > 0 && !/\s/.test(text[i - 1])) return null; // a URL, a date, and/or: not a shortcut
  return { start: i, end: caret, query: text.slice(i + 1, caret).toLowerCase() };
}

/**
 * The saved replies that match `query`, best first: shortcut starts with it, then shortcut
 * contains it, then title contains it (each group by shortcut). Every reply for an empty query.
 */
export function filterSavedReplies(replies: SavedReply[], query: string): SavedReply[] {
  const q = query.trim().replace(/^\//, '').toLowerCase();
  if (!q) return replies;
  const rank = (r: SavedReply) => {
    const s = r.shortcut.toLowerCase();
    if (s.startsWith(q)) return 0;
    if (s.includes(q)) return 1;
    if (r.title.toLowerCase().includes(q)) return 2;
    return -1;
  };
  return replies
    .map((r) => ({ r, k: rank(r) }))
    .filter((x) => x.k >= 0)
    .sort((a, b) => a.k - b.k || (a.r.shortcut < b.r.shortcut ? -1 : a.r.shortcut > b.r.shortcut ? 1 : 0))
    .map((x) => x.r);
}

/** `text` with the token replaced by `insert`, and where the caret goes (after the insert). */
export function insertAt(text: string, token: SlashToken, insert: string): { text: string; caret: number } {
  const next = text.slice(0, token.start) + insert + text.slice(token.end);
  return { text: next, caret: token.start + insert.length };
}
