import { useId, useRef } from 'react';
import { Button, useModal } from '../../../components/ui';
import { errorMessage } from '../../../lib/errors';

/**
 * "Erase this visitor?": what goes and what stays, Erase visitor or Cancel. A modal dialog:
 * the focus moves to Cancel and stays inside (Tab cycles), Escape cancels, and the focus goes
 * back to where it was when it closes.
 */
export function EraseVisitorDialog({
  email,
  busy,
  error,
  onConfirm,
  onCancel,
}: {
  email: string | null | undefined;
  busy: boolean;
  error: unknown;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const id = useId();
  const cancel = useRef<HTMLButtonElement>(null);
  const close = () => {
    if (!busy) onCancel();
  };
  const { box, onKeyDown } = useModal(close, cancel);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div
        ref={box}
        className="modal erase-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-text`}
        onKeyDown={onKeyDown}
      >
        <h2 className="modal-title" id={`${id}-title`}>
          Erase this visitor?
        </h2>
        <p id={`${id}-text`} className="erase-text">
          Everything stored about {email ? <strong className="break">{email}</strong> : 'this visitor'} is deleted: their messages, email address, device and page
          data, and files. Their tickets stay as anonymous records for reports. This can’t be undone.
        </p>
        {error ? (
          <p className="field-error" role="alert">
            {errorMessage(error)}
          </p>
        ) : null}
        <div className="modal-actions">
          <Button ref={cancel} variant="ghost" onClick={close} disabled={busy}>
            Cancel
          </Button>
          <Button variant="danger" busy={busy} onClick={onConfirm}>
            Erase visitor
          </Button>
        </div>
      </div>
    </div>
  );
}
