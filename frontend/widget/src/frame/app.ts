// The chat inside the iframe, wired together: ChatSession (session.ts: state and network)
// and ChatView (view.ts: DOM). The view renders the session's state whenever it changes, and
// hands what the visitor does back to the session. main.ts drives it with the loader's events.
import type { Identity, ToLoader } from '../shared/protocol';
import type { WidgetApi } from './api';
import { ChatSession, type StartInit } from './session';
import type { ChatState } from './state';
import { ChatView } from './view';

export interface ChatDeps {
  root: HTMLElement;
  key: string;
  api: WidgetApi;
  /** localStorage of the frame, or null when the browser blocks it. */
  storage: Storage | null;
  /** Sends an event to the loader; null when the frame is opened on its own. */
  post: ((msg: ToLoader) => void) | null;
  EventSource?: typeof EventSource | null;
  /** The visitor's preferred languages (BCP-47), until the session says; default: the browser's. */
  languages?: readonly string[];
}

export class ChatApp {
  private readonly session: ChatSession;
  private readonly view: ChatView;

  constructor({ root, post, ...deps }: ChatDeps) {
    const session = new ChatSession({ ...deps, post });
    this.session = session;
    this.view = new ChatView(root, {
      say: (text) => session.say(text),
      attach: (files) => session.attach(files),
      submitEmail: (value) => session.submitEmail(value),
      emailEdited: () => session.clearEmailError(),
      retry: (local) => session.retry(local),
      discard: (local) => session.discard(local),
      reconnect: () => void session.connect(),
      typed: (text) => session.typed(text),
      leaveEmail: (value) => session.leaveEmail(value),
      close: post && (() => post({ event: 'close' })),
    });
    session.onChange((scroll) => this.view.render(session.state, scroll));
    this.view.render(session.state, false);
  }

  /** Starts the session once (after the loader's `init`, or at once when standalone). */
  start(init: StartInit) {
    this.session.start(init);
  }

  /** `Handoff('identify', …)` on the host page (null: logout). */
  identify(identity: Identity | null) {
    return this.session.identify(identity);
  }

  setPage(url: string) {
    this.session.setPage(url);
  }

  setOpen(open: boolean, focus = false) {
    this.session.setOpen(open);
    if (open) this.view.onShown();
    if (open && focus) this.view.focusBest(this.session.state);
  }

  onVisibilityChange() {
    this.session.onVisibilityChange();
  }

  get state(): ChatState {
    return this.session.state;
  }
}
