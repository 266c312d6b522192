import type { RefObject } from 'react';
import { Button, ErrorBox } from '../../../components/ui';
import type { useUploads } from '../api/attachments';
import { humanSize } from './AttachmentList';

/**
 * The reply's files: an "Attach files" button (a file input), the files uploaded so far
 * with a button to drop each, and what went wrong (too large, a type that isn't allowed).
 * Pasting a screenshot into the reply adds it here too (the reply box's `onPaste`).
 */
export function AttachmentPicker({ uploads, inputRef }: { uploads: ReturnType<typeof useUploads>; inputRef: RefObject<HTMLInputElement | null> }) {
  return (
    <div className="attach">
      <div className="attach-row">
        <Button variant="ghost" size="sm" onClick={() => inputRef.current?.click()} disabled={uploads.busy}>
          📎 Attach files
        </Button>
        <input
          ref={inputRef}
          type="file"
          multiple
          hidden
          data-testid="attach-input"
          onChange={(e) => {
            const list = Array.from(e.target.files ?? []);
            e.target.value = '';
            void uploads.add(list);
          }}
        />
        {uploads.busy ? (
          <span className="muted small" role="status">
            Uploading…
          </span>
        ) : null}
      </div>
      {uploads.files.length > 0 ? (
        <ul className="attach-list" aria-label="Files to send">
          {uploads.files.map((f) => (
            <li key={f.id} className="attach-chip">
              {f.thumbnail_url || f.content_type.startsWith('image/') ? <img src={f.thumbnail_url ?? f.url} alt="" /> : null}
              <span className="attachment-name">{f.filename}</span>
              <span className="muted small">{humanSize(f.size)}</span>
              <button type="button" className="attach-remove" aria-label={`Remove ${f.filename}`} onClick={() => uploads.remove(f.id)}>
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {uploads.error ? <ErrorBox error={uploads.error} /> : null}
    </div>
  );
}
