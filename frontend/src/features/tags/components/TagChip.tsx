import type { Tag } from '../../../lib/types';

/** A tag as a small coloured chip; the name is rendered as text. */
export function TagChip({ tag, onRemove }: { tag: Pick<Tag, 'name' | 'colour'>; onRemove?: () => void }) {
  return (
    <span className="tag-chip" style={{ ['--tag' as string]: tag.colour }}>
      <span className="tag-dot" aria-hidden="true" />
      <span className="tag-name">{tag.name}</span>
      {onRemove ? (
        <button type="button" className="tag-remove" aria-label={`Remove tag ${tag.name}`} onClick={onRemove}>
          ×
        </button>
      ) : null}
    </span>
  );
}

export function TagChips({ tags }: { tags: Pick<Tag, 'id' | 'name' | 'colour'>[] }) {
  if (tags.length === 0) return null;
  return (
    <span className="tag-chips">
      {tags.map((t) => (
        <TagChip key={t.id} tag={t} />
      ))}
    </span>
  );
}
