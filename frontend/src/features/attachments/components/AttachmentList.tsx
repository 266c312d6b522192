import type { Message } from '../../../lib/types';

type Attachment = NonNullable<Message['attachments']>[number];

/** `512 B`, `12 KB`, `3.4 MB`. */
export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * A message's files: images as thumbnails that open the full picture in a new tab, other
 * files as a chip with name and size that downloads. The links are the server's signed
 * ones (same origin, relative); names are rendered as text.
 */
export function AttachmentList({ files }: { files: readonly Attachment[] | undefined }) {
  if (!files || files.length === 0) return null;
  return (
    <ul className="attachments" aria-label="Attachments">
      {files.map((f) => {
        const image = f.content_type.startsWith('image/');
        return (
          <li key={f.id} className={image ? 'attachment attachment-image' : 'attachment attachment-file'}>
            <a href={f.url} target="_blank" rel="noopener noreferrer" title={`${f.filename} (${humanSize(f.size)})`}>
              {image ? (
                <img src={f.thumbnail_url ?? f.url} alt={f.filename} width={f.width ?? undefined} height={f.height ?? undefined} loading="lazy" />
              ) : (
                <>
                  <span className="attachment-name">{f.filename}</span>
                  <span className="attachment-size muted small">{humanSize(f.size)}</span>
                </>
              )}
            </a>
          </li>
        );
      })}
    </ul>
  );
}
