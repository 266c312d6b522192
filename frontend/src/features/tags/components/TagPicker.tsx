import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import { Spinner } from '../../../components/ui';
import { errorMessage } from '../../../lib/errors';
import { filterTags, tagsQuery } from '../api/tags';

/**
 * The workspace's tags as a checklist: one click adds or removes a tag (the caller saves
 * each change). Type to filter; Escape closes; focus starts in the filter box.
 */
export function TagPicker({
  ws,
  selected,
  onToggle,
  onClose,
  busy,
  canManage,
}: {
  ws: string;
  selected: string[];
  onToggle: (tagId: string) => void;
  onClose: () => void;
  busy?: boolean;
  canManage: boolean;
}) {
  const tags = useQuery(tagsQuery(ws));
  const [filter, setFilter] = useState('');
  const box = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const id = useId();
  useEffect(() => {
    input.current?.focus();
    const away = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) onClose();
    };
    document.addEventListener('mousedown', away);
    return () => document.removeEventListener('mousedown', away);
  }, [onClose]);
  const shown = filterTags(tags.data ?? [], filter);
  return (
    <div
      className="tag-picker"
      role="dialog"
      aria-label="Tags"
      ref={box}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <label htmlFor={`${id}-filter`} className="sr-only">
        Filter tags
      </label>
      <input
        id={`${id}-filter`}
        ref={input}
        className="input input-sm"
        placeholder="Filter tags"
        value={filter}
        onChange={(e) => setFilter(e.target.value)}
        onKeyDown={(e) => {
          // Enter toggles the only (or first) match.
          if (e.key === 'Enter' && shown[0]) {
            e.preventDefault();
            onToggle(shown[0].id);
          }
        }}
      />
      {tags.isPending ? <Spinner label="Loading tags…" /> : null}
      {tags.error ? <p className="field-error">{errorMessage(tags.error)}</p> : null}
      {tags.data && tags.data.length === 0 ? (
        <p className="muted small">
          No tags yet.{' '}
          {canManage ? <Link to={`/w/${ws}/tags`}>Create tags</Link> : 'Ask an owner or admin to create some.'}
        </p>
      ) : null}
      <ul className="tag-options">
        {shown.map((t) => (
          <li key={t.id}>
            <label className="tag-option">
              <input type="checkbox" checked={selected.includes(t.id)} disabled={busy} onChange={() => onToggle(t.id)} />
              <span className="tag-dot" style={{ ['--tag' as string]: t.colour }} aria-hidden="true" />
              <span>{t.name}</span>
            </label>
          </li>
        ))}
      </ul>
      {tags.data && tags.data.length > 0 && shown.length === 0 ? <p className="muted small">No tag matches “{filter}”.</p> : null}
    </div>
  );
}
