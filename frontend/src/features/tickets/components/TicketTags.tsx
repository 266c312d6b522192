import { useState, type Ref } from 'react';
import { Button } from '../../../components/ui';
import { errorMessage } from '../../../lib/errors';
import type { Ticket } from '../../../lib/types';
import { toggleTag } from '../../tags/api/tags';
import { TagChip } from '../../tags/components/TagChip';
import { TagPicker } from '../../tags/components/TagPicker';

/**
 * A ticket's tags with add/remove: chips (× removes) and a "Tags" button opening the
 * workspace's tags. `save` gets the whole new set; the picker stays open for more.
 */
export function TicketTags({
  ws,
  ticket,
  save,
  busy,
  error,
  canManage,
  compact,
  buttonRef,
}: {
  ws: string;
  ticket: Ticket;
  save: (tags: string[]) => void;
  busy: boolean;
  error?: unknown;
  canManage: boolean;
  compact?: boolean;
  /** The button that opens the picker (the ticket page's `t` presses it). */
  buttonRef?: Ref<HTMLButtonElement>;
}) {
  const [open, setOpen] = useState(false);
  const ids = ticket.tags.map((t) => t.id);
  return (
    <div className={`ticket-tags ${compact ? 'is-compact' : ''}`}>
      {!compact ? (
        <div className="tag-chips">
          {ticket.tags.map((t) => (
            <TagChip key={t.id} tag={t} onRemove={busy ? undefined : () => save(ids.filter((x) => x !== t.id))} />
          ))}
          {ticket.tags.length === 0 ? <span className="muted small">No tags</span> : null}
        </div>
      ) : null}
      <Button
        ref={buttonRef}
        size="sm"
        variant={compact ? 'ghost' : 'secondary'}
        className={compact ? 'tag-btn' : undefined}
        aria-expanded={open}
        aria-label={compact ? `Tags of ${ticket.number}` : undefined}
        title={compact ? 'Add or remove tags' : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        {compact ? <span aria-hidden="true">#</span> : open ? 'Done' : 'Edit tags'}
      </Button>
      {open ? <TagPicker ws={ws} selected={ids} busy={busy} canManage={canManage} onToggle={(id) => save(toggleTag(ids, id))} onClose={() => setOpen(false)} /> : null}
      {error ? <p className="field-error">{errorMessage(error)}</p> : null}
    </div>
  );
}
