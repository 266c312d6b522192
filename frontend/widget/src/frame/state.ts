// The chat's state as the view sees it, and the pure rules over it. session.ts owns and
// changes the state; view.ts and parts.ts only read it.
import type { Lang } from '../shared/i18n';
import type { Message } from './api';

export type Phase = 'waiting' | 'connecting' | 'ready' | 'failed' | 'forbidden';

/** A visitor message that is being sent, or failed to send. */
export interface Pending {
  readonly local: number;
  readonly body: string;
  /** Its Idempotency-Key: a retry sends the same one, so the server stores it once. */
  readonly key: string;
  /** A file being sent: its name (shown), and its attachment once uploaded. */
  readonly file?: string;
  attachmentId?: string;
  state: 'sending' | 'failed';
  error?: string;
  /** After a 429: Retry is offered again from this time (ms since epoch). */
  retryAt?: number;
}

/** An assistant reply being written: its message id and the text so far. */
export interface Streaming {
  readonly id: string;
  readonly text: string;
}

/** What the view renders. */
export interface ChatState {
  /** The language the chat speaks: the session's, or the browser's until the session answers. */
  readonly lang: Lang;
  readonly phase: Phase;
  /** Why the chat could not start (phase failed or forbidden). */
  readonly phaseError: string;
  readonly title: string;
  readonly greeting: string;
  /** The theme colour from the loader or the workspace; null until one is known. */
  readonly color: string | null;
  /** The conversation, oldest first. */
  readonly messages: readonly Message[];
  readonly pending: readonly Readonly<Pending>[];
  /** A message is on its way (the typing indicator shows until a reply streams, unless a human has the chat; sending waits). */
  readonly sending: boolean;
  /** The assistant's reply as it is being written (streaming engines), until it arrives whole. */
  readonly streaming: Streaming | null;
  readonly unread: number;
  /** The chat is open on the host page (always true when the frame runs on its own). */
  readonly open: boolean;
  /** The last message asks for the visitor's email: the email step shows. */
  readonly emailRequested: boolean;
  readonly emailError: string;
  /** The agent who has the chat (`null`: the assistant answers). */
  readonly agentName: string | null;
  /** The agent typing right now, if any. */
  readonly agentTyping: string | null;
  /** What the visitor may expect while a human is expected but nobody is online. */
  readonly expectation: Expectation | null;
  readonly awayEmailError: string;
}

/** The honest expectation when the team is away: replies by email (to a known address), or
 * a request for one. */
export type Expectation = { kind: 'email'; email: string } | { kind: 'ask' };

/**
 * A human is expected (the chat is taken over, or the conversation has an open ticket) and no
 * team member is online: say where the reply will come. Without a known email, ask for one.
 */
export function expectation(s: {
  humansOnline: boolean;
  agentName: string | null;
  ticketOpen: boolean;
  visitorEmail: string | null;
  emailRequested: boolean;
}): Expectation | null {
  if (s.humansOnline || s.emailRequested) return null;
  if (!s.agentName && !s.ticketOpen) return null;
  return s.visitorEmail ? { kind: 'email', email: s.visitorEmail } : { kind: 'ask' };
}

/** Messages merged by id (first copy wins) and ordered by time, oldest first. */
export function merge(messages: readonly Message[], incoming: readonly Message[]): Message[] {
  const ids = new Set(messages.map((m) => m.id));
  const out = [...messages];
  for (const m of incoming) {
    if (!m?.id || ids.has(m.id)) continue;
    ids.add(m.id);
    out.push(m);
  }
  return out.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
}

/** The email step shows while the last thing said since the visitor spoke asks for an email. */
export function asksForEmail(messages: readonly Message[]): boolean {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.sender === 'visitor') return false;
    if (m.action?.type === 'request_email') return true;
  }
  return false;
}
