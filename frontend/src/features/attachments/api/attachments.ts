import { useState, type ClipboardEvent as ReactClipboardEvent } from 'react';
import { authFetch, ApiError } from '../../../lib/api';
import { apiErrorFrom } from '../../../lib/errors';
import type { Message } from '../../../lib/types';

export type Attachment = NonNullable<Message['attachments']>[number];

/** A pasted screenshot has no useful name: give it one with the time. */
export function fileName(f: File): string {
  if (f.name && f.name !== 'image.png') return f.name;
  const stamp = new Date().toISOString().slice(0, 19).replace(/[T:]/g, '-');
  const ext = f.type.split('/')[1] ?? 'png';
  return `screenshot-${stamp}.${ext === 'jpeg' ? 'jpg' : ext}`;
}

/** Uploads one file (the raw body, its type, its name): the attachment to send with a reply. */
export async function uploadFile(ws: string, file: File): Promise<Attachment> {
  const url = new URL(`/api/v1/workspaces/${encodeURIComponent(ws)}/attachments`, window.location.origin);
  url.searchParams.set('filename', fileName(file));
  const res = await authFetch(
    new Request(url, { method: 'POST', body: file, headers: { 'Content-Type': file.type || 'application/octet-stream' } }),
  );
  const body = await res.json().catch(() => null);
  if (!res.ok) throw apiErrorFrom(res.status, body);
  return body as Attachment;
}

/** The files chosen for the next reply: uploaded as soon as they are picked or pasted. */
export function useUploads(ws: string) {
  const [files, setFiles] = useState<Attachment[]>([]);
  const [busy, setBusy] = useState(0);
  const [error, setError] = useState<ApiError | null>(null);
  const add = async (list: Iterable<File>) => {
    setError(null);
    for (const f of list) {
      setBusy((n) => n + 1);
      try {
        const a = await uploadFile(ws, f);
        setFiles((old) => [...old, a]);
      } catch (e) {
        setError(e instanceof ApiError ? e : new ApiError(0, 'upload_failed', String(e)));
      } finally {
        setBusy((n) => n - 1);
      }
    }
  };
  return {
    files,
    busy: busy > 0,
    error,
    add,
    remove: (id: string) => setFiles((old) => old.filter((f) => f.id !== id)),
    clear: () => setFiles([]),
  };
}

/** The files of a paste (a screenshot copied to the clipboard), if any. */
export function pastedFiles(e: ClipboardEvent | ReactClipboardEvent): File[] {
  return Array.from(e.clipboardData?.files ?? []);
}
