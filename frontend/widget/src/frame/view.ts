// The chat's DOM. The constructor builds the shell once; `render(state)` brings it up to date
// (message nodes are kept by id and only moved, pending sends are rebuilt). The view keeps
// no conversation state of its own: what the visitor does goes to `ViewHandlers`.
// The widget's own words are in the chat's language (`state.lang`, strings.ts): the shell's
// labels are registered with `text()` and set again whenever the language changes.
import type { Lang } from '../shared/i18n';
import { contrastText, safeColor } from '../shared/protocol';
import { h, icon, ICONS } from './dom';
import { greetingBubble, messageBubble, pendingBubble, statusNotice, streamingBubble, ticketCard } from './parts';
import type { ChatState } from './state';
import { type Key, t } from './strings';

/** Which of an element's texts are which catalogue keys (`text`: its text content). */
type Texts = Partial<Record<'text' | 'aria-label' | 'title' | 'placeholder', Key>>;

export interface ViewHandlers {
  /** The composer's text; true when it was sent (the composer is then cleared). */
  say(text: string): boolean;
  submitEmail(value: string): 'sent' | 'invalid' | 'busy';
  emailEdited(): void;
  retry(local: number): void;
  discard(local: number): void;
  reconnect(): void;
  /** Files picked, pasted or dropped on the chat: uploaded and sent. */
  attach(files: File[]): void;
  /** The composer's text changed (the team may see the visitor typing). */
  typed(text: string): void;
  /** The visitor leaves their email while the team is away. */
  leaveEmail(value: string): Promise<'sent' | 'invalid'>;
  /** Close button or Escape; null when there is nothing to close (the frame runs on its own). */
  close: (() => void) | null;
}

export class ChatView {
  private readonly shell: HTMLDivElement;
  private readonly title: HTMLElement;
  private readonly closeBtn: HTMLButtonElement;
  private readonly log: HTMLDivElement;
  private readonly list: HTMLDivElement;
  private readonly typing: HTMLDivElement;
  private readonly typingWho: HTMLSpanElement;
  private readonly sub: HTMLSpanElement;
  private readonly away: HTMLDivElement;
  private readonly awayText: HTMLParagraphElement;
  private readonly awayForm: HTMLFormElement;
  private readonly awayInput: HTMLInputElement;
  private readonly awayErr: HTMLDivElement;
  private readonly emailForm: HTMLFormElement;
  private readonly emailInput: HTMLInputElement;
  private readonly emailBtn: HTMLButtonElement;
  private readonly emailErr: HTMLDivElement;
  private readonly status: HTMLDivElement;
  private readonly input: HTMLTextAreaElement;
  private readonly attachBtn: HTMLButtonElement;
  private readonly sendBtn: HTMLButtonElement;
  private readonly footer: HTMLDivElement;
  /** The shell's translated labels, set on each change of language. */
  private readonly texts: [Element, Texts][] = [];
  /** Message, greeting and card nodes by key, reused across renders (dropped on a change of language). */
  private readonly nodes = new Map<string, HTMLElement>();
  /** What was last rendered, to touch the DOM only on change. */
  private shown = { phase: '', status: '', color: '', lang: '' };
  /** The visitor scrolled the log up, away from its end, during this visit. */
  private scrolledUp = false;

  constructor(root: HTMLElement, private readonly on: ViewHandlers) {
    this.closeBtn = this.text(h('button', { type: 'button', class: 'x', onclick: () => on.close?.() }, icon(ICONS.close, 20, true)), { 'aria-label': 'closeChat' });
    this.closeBtn.hidden = !on.close;
    this.title = h('strong', { id: 'hf-title' });
    this.list = h('div', { class: 'list' });
    this.typingWho = h('span', { class: 'tw', hidden: true });
    this.typing = h(
      'div',
      { class: 'typing', role: 'status', hidden: true },
      h('span', { class: 'dots' }, h('span'), h('span'), h('span')),
      this.typingWho,
    );
    this.sub = h('span', { class: 'sub' });
    this.awayText = h('p', { class: 'at' });
    this.awayInput = this.text(
      h('input', { type: 'email', name: 'away-email', id: 'hf-away-email', autocomplete: 'email', inputmode: 'email', 'aria-describedby': 'hf-away-err' }),
      { placeholder: 'emailPlaceholder', 'aria-label': 'awayInput' },
    );
    this.awayErr = h('div', { class: 'ferr', id: 'hf-away-err', role: 'alert' });
    this.awayForm = this.text(
      h(
        'form',
        {
          class: 'erow',
          novalidate: true,
          onsubmit: (e: Event) => {
            e.preventDefault();
            void on.leaveEmail(this.awayInput.value).then((r) => {
              if (r === 'sent') this.awayInput.value = '';
            });
          },
        },
        this.awayInput,
        this.text(h('button', { type: 'submit', class: 'ebtn' }), { text: 'send' }),
      ),
      { 'aria-label': 'awayForm' },
    );
    this.away = h('div', { class: 'away', role: 'status', hidden: true }, this.awayText, this.awayForm, this.awayErr);
    this.emailInput = this.text(
      h('input', { type: 'email', name: 'email', id: 'hf-email', required: true, autocomplete: 'email', inputmode: 'email', 'aria-describedby': 'hf-email-err' }),
      { placeholder: 'emailPlaceholder', 'aria-label': 'emailInput' },
    );
    this.emailErr = h('div', { class: 'ferr', id: 'hf-email-err', role: 'alert' });
    this.emailBtn = this.text(h('button', { type: 'submit', class: 'ebtn' }), { text: 'send' });
    this.emailForm = this.text(
      h(
        'form',
        { class: 'email', novalidate: true, hidden: true, onsubmit: (e: Event) => { e.preventDefault(); this.submitEmail(); } },
        this.text(h('label', { class: 'elabel', for: 'hf-email' }), { text: 'emailLabel' }),
        h('div', { class: 'erow' }, this.emailInput, this.emailBtn),
        this.emailErr,
      ),
      { 'aria-label': 'emailForm' },
    );
    this.status = h('div', { class: 'status' });
    this.log = this.text(
      h(
        'div',
        { class: 'log', role: 'log', 'aria-live': 'polite', tabindex: '0' },
        this.list,
        h('div', { class: 'tail' }, this.typing, this.emailForm, this.away, this.status),
      ),
      { 'aria-label': 'conversation' },
    );
    this.input = this.text(h('textarea', { rows: '1', maxlength: '4000', disabled: true }), { 'aria-label': 'message', placeholder: 'placeholder' });
    this.sendBtn = this.text(h('button', { type: 'submit', class: 'send', disabled: true }, icon(ICONS.send, 20)), { 'aria-label': 'sendMessage' });
    const fileInput = h('input', { type: 'file', multiple: true, hidden: true, 'data-testid': 'widget-file' });
    fileInput.addEventListener('change', () => {
      const files = Array.from(fileInput.files ?? []);
      fileInput.value = '';
      if (files.length) on.attach(files);
    });
    this.attachBtn = this.text(h('button', { type: 'button', class: 'attach', disabled: true, onclick: () => fileInput.click() }, '📎'), {
      'aria-label': 'attachFile',
      title: 'attachFile',
    });
    const composer = this.text(
      h(
        'form',
        { class: 'composer', onsubmit: (e: Event) => { e.preventDefault(); this.submitComposer(); } },
        this.attachBtn,
        fileInput,
        this.input,
        this.sendBtn,
      ),
      { 'aria-label': 'composer' },
    );
    this.footer = h('div', { class: 'ft' });
    const dropHint = this.text(h('div', { class: 'drop', 'aria-hidden': 'true' }), { text: 'dropFiles' });
    this.shell = h(
      'div',
      { class: 'hf' },
      h('header', { class: 'hd' }, h('div', { class: 'ttl' }, this.title, this.sub), this.closeBtn),
      this.log,
      composer,
      this.footer,
      dropHint,
    );
    // Files dragged onto the chat are sent like picked ones (while the chat can send).
    const carriesFiles = (e: DragEvent) => !this.attachBtn.disabled && !!e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files');
    let depth = 0;
    this.shell.addEventListener('dragenter', (e) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      depth++;
      this.shell.classList.add('dropping');
    });
    this.shell.addEventListener('dragover', (e) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    });
    this.shell.addEventListener('dragleave', () => {
      depth = Math.max(0, depth - 1);
      if (!depth) this.shell.classList.remove('dropping');
    });
    this.shell.addEventListener('drop', (e) => {
      depth = 0;
      this.shell.classList.remove('dropping');
      if (!carriesFiles(e)) return;
      e.preventDefault();
      const files = Array.from(e.dataTransfer?.files ?? []);
      if (files.length) on.attach(files);
    });

    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submitComposer();
      }
    });
    this.input.addEventListener('paste', (e) => {
      const files = Array.from(e.clipboardData?.files ?? []);
      if (!files.length) return;
      e.preventDefault();
      on.attach(files);
    });
    this.input.addEventListener('input', () => {
      this.autosize();
      on.typed(this.input.value);
    });
    this.emailInput.addEventListener('input', () => on.emailEdited());
    this.log.addEventListener('scroll', () => this.onScroll());
    document.addEventListener('keydown', (e) => this.onKey(e));
    root.replaceChildren(this.shell);
  }

  /** `scroll`: bring the end of the conversation into view (otherwise only when already near it). */
  render(s: ChatState, scroll: boolean) {
    const stick = scroll || this.nearBottom();
    this.renderLang(s.lang);
    this.renderColor(s.color);
    this.title.textContent = s.title;
    this.renderStatus(s);
    this.renderList(s);
    this.renderTyping(s);
    this.renderAway(s);
    this.renderEmail(s);
    this.input.disabled = s.phase !== 'ready';
    this.attachBtn.disabled = s.phase !== 'ready';
    this.sendBtn.disabled = s.phase !== 'ready' || s.sending;
    if (stick) this.toEnd();
    // A change that brings the end into view (a new message, a send) does so even when the
    // visitor had scrolled up; while the frame is hidden it can only take effect at `onShown()`.
    if (scroll) this.scrolledUp = false;
    const becameReady = s.phase === 'ready' && this.shown.phase !== 'ready';
    this.shown.phase = s.phase;
    if (becameReady && s.open) this.focusBest(s);
  }

  /**
   * The chat became visible on the host page (the loader's `visibility` with `open: true`).
   * A frame preloaded hidden has no layout, so scrolling to the end when it rendered did
   * nothing: bring the newest message into view now, unless the visitor had scrolled up
   * themselves during this visit (then their place is kept).
   */
  onShown() {
    if (!this.scrolledUp) this.toEnd();
  }

  /** Focus where the visitor will type: the email field during the email step, else the composer. */
  focusBest(s: Pick<ChatState, 'emailRequested'>) {
    const t = s.emailRequested ? this.emailInput : this.input;
    if (!t.disabled) t.focus();
    else this.closeBtn.focus();
  }

  private renderList(s: ChatState) {
    const wanted: HTMLElement[] = [];
    const { lang } = s;
    if (s.phase === 'ready') wanted.push(this.node('greeting', () => greetingBubble(lang, s.greeting)));
    for (const m of s.messages) {
      wanted.push(this.node(m.id, () => messageBubble(lang, m)));
      // The server marks the ticket confirmation; its card goes right under it.
      const a = m.action;
      if (a?.type === 'ticket_created') wanted.push(this.node(`card:${m.id}`, () => ticketCard(lang, a)));
    }
    // Pending sends are rebuilt every time (their state changes).
    for (const p of s.pending) {
      wanted.push(pendingBubble(lang, p, !s.sending, { retry: () => this.on.retry(p.local), discard: () => this.on.discard(p.local) }));
    }
    // The reply being written (under the visitor's message on its way): one node per reply, its text replaced as it grows.
    if (s.streaming && !s.messages.some((m) => m.id === s.streaming!.id)) {
      const n = this.node(`stream:${s.streaming.id}`, () => streamingBubble(lang, s.streaming!.id));
      const body = n.querySelector('.body');
      if (body && body.textContent !== s.streaming.text) body.textContent = s.streaming.text;
      wanted.push(n);
    }
    // Place in order, reusing existing nodes.
    const { list } = this;
    wanted.forEach((n, i) => {
      if (list.children[i] !== n) list.insertBefore(n, list.children[i] ?? null);
    });
    while (list.children.length > wanted.length) list.lastElementChild!.remove();
  }

  private node(key: string, make: () => HTMLElement): HTMLElement {
    let n = this.nodes.get(key);
    if (!n) {
      n = make();
      this.nodes.set(key, n);
    }
    return n;
  }

  /** The assistant thinking (while a message is sent and no human has the chat), or "<agent> is typing…". */
  private renderTyping(s: ChatState) {
    const { lang, agentTyping: who } = s;
    // The dots until the reply's first words arrive (not while a human has the chat).
    this.typing.hidden = !(who || (s.sending && !s.agentName && s.streaming === null));
    this.typingWho.hidden = !who;
    this.typingWho.textContent = who ? t(lang, 'agentTypingShown', { name: who }) : '';
    this.typing.setAttribute('aria-label', who ? t(lang, 'agentTyping', { name: who }) : t(lang, 'assistantTyping'));
    const sub = s.agentName ? t(lang, 'chattingWith', { name: s.agentName }) : t(lang, 'subtitle');
    if (this.sub.textContent !== sub) this.sub.textContent = sub;
  }

  /** The team is away: where the reply will come, or a request for an email. */
  private renderAway(s: ChatState) {
    const e = s.expectation;
    this.away.hidden = !e;
    this.awayForm.hidden = e?.kind !== 'ask';
    this.awayErr.textContent = e?.kind === 'ask' ? s.awayEmailError : '';
    const text = e?.kind === 'email' ? t(s.lang, 'awayByEmail', { email: e.email }) : e?.kind === 'ask' ? t(s.lang, 'awayAsk') : '';
    if (this.awayText.textContent !== text) this.awayText.textContent = text;
  }

  private renderEmail(s: ChatState) {
    const wasHidden = this.emailForm.hidden;
    this.emailForm.hidden = !s.emailRequested;
    this.emailErr.textContent = s.emailError;
    this.emailInput.setAttribute('aria-invalid', s.emailError ? 'true' : 'false');
    this.emailBtn.disabled = s.sending;
    if (s.emailRequested && wasHidden && s.open) setTimeout(() => this.emailInput.focus(), 0);
  }

  /** Rebuilt only when it changes, so screen readers don't hear the notice again. */
  private renderStatus(s: ChatState) {
    const key = `${s.lang}\n${s.phase}\n${s.phaseError}`;
    if (key === this.shown.status) return;
    this.shown.status = key;
    this.status.className = s.phase === 'forbidden' ? 'status blocked' : 'status';
    this.status.replaceChildren(statusNotice(s, () => this.on.reconnect()) ?? '');
  }

  /** Registers an element's translated texts (set by `renderLang`). */
  private text<E extends Element>(el: E, texts: Texts): E {
    this.texts.push([el, texts]);
    return el;
  }

  /** The chat's language: the document's `lang` (for screen readers) and every label in it. */
  private renderLang(lang: Lang) {
    if (lang === this.shown.lang) return;
    this.shown.lang = lang;
    document.documentElement.lang = lang;
    for (const [el, texts] of this.texts) {
      for (const [attr, key] of Object.entries(texts) as [keyof Texts, Key][]) {
        if (attr === 'text') el.textContent = t(lang, key);
        else el.setAttribute(attr, t(lang, key));
      }
    }
    this.footer.textContent = t(lang, 'poweredBy', { brand: 'Handoff' });
    // Messages, the greeting and cards carry the widget's words too (the author fallback, dates): made again.
    this.nodes.clear();
  }

  private renderColor(c: string | null) {
    const color = safeColor(c);
    if (color === this.shown.color) return;
    this.shown.color = color;
    this.shell.style.setProperty('--c', color);
    this.shell.style.setProperty('--t', contrastText(color));
  }

  private submitComposer() {
    if (!this.on.say(this.input.value)) return;
    this.input.value = '';
    this.autosize();
  }

  private submitEmail() {
    const r = this.on.submitEmail(this.emailInput.value);
    if (r === 'sent') this.emailInput.value = '';
    if (r === 'invalid') {
      this.emailInput.focus();
      this.toEnd();
    }
  }

  private toEnd() {
    this.log.scrollTop = this.log.scrollHeight;
  }

  /** Scrolls by the visitor, and ours to the end; ignored while the frame has no layout (hidden). */
  private onScroll() {
    if (this.log.clientHeight === 0) return;
    this.scrolledUp = !this.nearBottom();
  }

  private nearBottom() {
    const l = this.log;
    return l.scrollHeight - l.scrollTop - l.clientHeight < 80;
  }

  private autosize() {
    const t = this.input;
    t.style.height = 'auto';
    t.style.height = `${Math.min(t.scrollHeight || 0, 120)}px`;
  }

  private onKey(e: KeyboardEvent) {
    if (e.key === 'Escape') {
      e.preventDefault();
      this.on.close?.();
      return;
    }
    if (e.key !== 'Tab') return;
    // Focus trap: Tab cycles inside the chat while it is open.
    const items = Array.from(this.shell.querySelectorAll<HTMLElement>('button, textarea, input, [tabindex="0"], a[href]')).filter(
      (x) => !(x as HTMLButtonElement).disabled && !x.closest('[hidden]') && !x.hidden,
    );
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    const active = document.activeElement;
    if (e.shiftKey && (active === first || !this.shell.contains(active))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (active === last || !this.shell.contains(active))) {
      e.preventDefault();
      first.focus();
    }
  }
}
