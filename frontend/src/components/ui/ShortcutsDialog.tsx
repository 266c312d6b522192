import { useId, useRef } from 'react';
import { SHORTCUTS } from '../../lib/shortcuts';
import { useModal } from './useModal';

/**
 * The list of every keyboard shortcut, as a modal dialog: focus moves into it and stays
 * there (Tab cycles), Escape or Close closes it and gives focus back to where it was.
 */
export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  const id = useId();
  const close = useRef<HTMLButtonElement>(null);
  const { box, onKeyDown } = useModal(onClose, close);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div ref={box} className="modal shortcuts" role="dialog" aria-modal="true" aria-labelledby={`${id}-title`} onKeyDown={onKeyDown}>
        <div className="modal-head">
          <h2 className="modal-title" id={`${id}-title`}>
            Keyboard shortcuts
          </h2>
          <button ref={close} type="button" className="btn btn-ghost btn-sm" onClick={onClose}>
            Close
          </button>
        </div>
        <div className="shortcut-groups">
          {SHORTCUTS.map((g) => (
            <section key={g.title} className="shortcut-group" aria-labelledby={`${id}-${g.title}`}>
              <h3 className="shortcut-group-title" id={`${id}-${g.title}`}>
                {g.title}
              </h3>
              <dl className="shortcut-list">
                {g.keys.map((k) => (
                  <div className="shortcut" key={k.what}>
                    <dt>
                      {k.keys.map((key) => (
                        <kbd key={key}>{key}</kbd>
                      ))}
                    </dt>
                    <dd>{k.what}</dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
        </div>
        <p className="muted small shortcut-note">Shortcuts are off while you type in a field: press Tab or click outside it first.</p>
      </div>
    </div>
  );
}
