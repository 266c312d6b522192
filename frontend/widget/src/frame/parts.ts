// The pieces the chat view is made of: message bubbles, the ticket card, a pending or failed
// send, the status notice. Each function returns a new element; view.ts decides where it
// goes. Strings always become text nodes (dom.ts), so user text is never parsed as HTML.
// The widget's own words come from strings.ts in the chat's language (`lang`).
import type { Lang } from '../shared/i18n';
import type { Message, TicketCreated } from './api';
import { h, icon, ICONS } from './dom';
import type { ChatState, Pending } from './state';
import { sizeText, t } from './strings';

/** Only absolute http(s) URLs become links. */
export function safeLink(url: unknown): string | null {
  if (typeof url !== 'string' || url.length > 2000) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

function ticketNumbers(p: HTMLElement, text: string) {
  text.split(/(TKT-\d+)/).forEach((part, i) => part && p.append(i % 2 ? h('span', { class: 'nw' }, part) : part));
}

/**
 * A message body as text nodes; ticket numbers (TKT-10001) never break across lines. The
 * URLs of the articles the answer came from (`links`, already checked) become links that
 * open in a new tab; any other text, URLs included, stays text.
 */
function bodyText(body: string, links: readonly string[] = []): HTMLParagraphElement {
  const p = h('p', { class: 'body' });
  let rest = body;
  while (links.length) {
    let at = -1;
    let url = '';
    for (const l of links) {
      const i = rest.indexOf(l);
      if (i >= 0 && (at < 0 || i < at)) {
        at = i;
        url = l;
      }
    }
    if (at < 0) break;
    ticketNumbers(p, rest.slice(0, at));
    p.append(h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, url));
    rest = rest.slice(at + url.length);
  }
  ticketNumbers(p, rest);
  return p;
}

type Attachment = NonNullable<Message['attachments']>[number];

/** Only the server's own signed links (same origin, relative `/api/v1/attachments/…`). */
function fileLink(url: unknown): string | null {
  return typeof url === 'string' && url.startsWith('/api/v1/attachments/') ? url : null;
}

/** A message's files: images as thumbnails opening the picture, others as a download chip. */
function fileList(lang: Lang, files: readonly Attachment[] | undefined): HTMLElement | null {
  const items = (files ?? []).flatMap((f) => {
    const url = fileLink(f.url);
    if (!url) return [];
    const image = f.content_type.startsWith('image/');
    const thumb = fileLink(f.thumbnail_url) ?? url;
    const label = `${f.filename} (${sizeText(lang, f.size)})`;
    return [
      h(
        'li',
        { class: image ? 'file image' : 'file' },
        h(
          'a',
          { href: url, target: '_blank', rel: 'noopener noreferrer', title: label },
          image ? h('img', { src: thumb, alt: f.filename }) : h('span', { class: 'name' }, label),
        ),
      ),
    ];
  });
  return items.length ? h('ul', { class: 'files', 'aria-label': t(lang, 'attachments') }, ...items) : null;
}

function bubble(
  lang: Lang,
  sender: Message['sender'],
  body: string,
  author: string | null,
  id: string,
  at?: string,
  links: readonly string[] = [],
  files?: readonly Attachment[],
): HTMLElement {
  if (sender === 'system') return h('div', { class: 'm system', 'data-id': id }, bodyText(body));
  const time = at ? new Date(at) : null;
  const title = time && !isNaN(time.getTime()) ? time.toLocaleString(lang) : undefined;
  return h(
    'div',
    { class: `m ${sender}`, 'data-id': id, title },
    author ? h('div', { class: 'who' }, author) : null,
    body || !files?.length ? bodyText(body, links) : null,
    fileList(lang, files),
  );
}

export const greetingBubble = (lang: Lang, text: string) => bubble(lang, 'assistant', text, null, 'greeting');

/** The article links of an assistant answer (its sources' http(s) URLs). */
function sourceLinks(m: Message): string[] {
  if (m.sender !== 'assistant') return [];
  const out: string[] = [];
  for (const s of m.sources ?? []) {
    const raw = typeof s?.url === 'string' ? s.url : null;
    // The body carries the URL as the server stored it; link it only when it is safe.
    if (raw && safeLink(raw) && !out.includes(raw)) out.push(raw);
  }
  return out;
}

export const messageBubble = (lang: Lang, m: Message) =>
  bubble(lang, m.sender, m.body, m.sender === 'agent' ? m.author_name || t(lang, 'supportTeam') : null, m.id, m.created_at, sourceLinks(m), m.attachments);

/** The assistant's reply while it is being written (its text is updated in place). */
export function streamingBubble(lang: Lang, id: string): HTMLElement {
  const n = bubble(lang, 'assistant', '', null, `stream:${id}`);
  n.classList.add('streaming');
  n.setAttribute('aria-busy', 'true');
  return n;
}

/** Shown under the message the server marked `ticket_created`. */
export function ticketCard(lang: Lang, ticket: TicketCreated): HTMLElement {
  return h(
    'div',
    { class: 'card', role: 'status', 'aria-label': t(lang, 'ticketCreatedLabel', { number: ticket.number }) },
    h('div', { class: 'ci' }, icon(ICONS.check, 18, true)),
    h(
      'div',
      {},
      h('div', { class: 'ct' }, t(lang, 'ticketCreated')),
      h('div', { class: 'cn' }, ticket.number),
      h('div', { class: 'cs' }, t(lang, 'ticketNote')),
    ),
  );
}

/** The visitor's message while it is sent; when it failed, with the error, Retry and Discard. */
export function pendingBubble(lang: Lang, p: Readonly<Pending>, canRetry: boolean, on: { retry(): void; discard(): void }): HTMLElement {
  const n = bubble(lang, 'visitor', p.file ? `📎 ${p.file}` : p.body, null, `local:${p.local}`);
  n.classList.add(p.state);
  if (p.state === 'sending') {
    n.setAttribute('aria-busy', 'true');
    return n;
  }
  const waiting = p.retryAt ? p.retryAt > Date.now() : false;
  return h(
    'div',
    { class: 'pw' },
    n,
    h(
      'div',
      { class: 'err', role: 'alert' },
      h('p', { class: 'etxt' }, icon(ICONS.alert, 16, true), h('span', {}, p.error ?? t(lang, 'sendFailed'))),
      h(
        'div',
        { class: 'eact' },
        h('button', { type: 'button', class: 'link', disabled: waiting || !canRetry || (!!p.file && !p.attachmentId), onclick: on.retry }, t(lang, 'retry')),
        h('button', { type: 'button', class: 'link muted', onclick: on.discard }, t(lang, 'discard')),
      ),
    ),
  );
}

/** What the status area says before the chat is ready (nothing once it is). */
export function statusNotice(s: Pick<ChatState, 'lang' | 'phase' | 'phaseError'>, reconnect: () => void): HTMLElement | null {
  const { lang } = s;
  switch (s.phase) {
    case 'waiting':
    case 'connecting':
      return h('div', { class: 'loading', role: 'status' }, t(lang, 'connecting'));
    case 'forbidden':
      return h(
        'div',
        { class: 'notice', role: 'alert' },
        h('strong', {}, t(lang, 'unavailable')),
        h('span', {}, s.phaseError || t(lang, 'notAllowed')),
      );
    case 'failed':
      return h(
        'div',
        { class: 'notice', role: 'alert' },
        h('strong', {}, t(lang, 'startFailed')),
        h('span', {}, s.phaseError),
        h('button', { type: 'button', class: 'btn', onclick: reconnect }, t(lang, 'retry')),
      );
    case 'ready':
      return null;
  }
}
