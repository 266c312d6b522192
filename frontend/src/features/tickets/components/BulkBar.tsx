import { useId, useState, type FormEvent } from 'react';
import { Button } from '../../../components/ui';
import { errorMessage } from '../../../lib/errors';
import { STATUS_LABEL, STATUSES } from '../../../lib/status';
import type { BulkRequest, BulkResult, Member, Tag, Ticket, TicketPriority, TicketStatus } from '../../../lib/types';
import { bulkSummary, useBulkChange } from '../api/bulk';
import { PRIORITIES } from '../api/labels';

/** The most tickets one bulk change takes (the API's cap). */
export const BULK_MAX = 100;

interface Props {
  ws: string;
  /** The selected tickets' ids, in list order. */
  selected: string[];
  /** The tickets of the list (to word a refusal with the ticket's status). */
  known?: Ticket[];
  members?: Member[];
  tags?: Tag[];
  /** The signed-in user ("Me" in Assign to). */
  meId?: string;
  /** Said when the change is done (the selection is then cleared by the page). */
  onDone: (summary: string, result: BulkResult) => void;
  onClear: () => void;
}

/**
 * The bar over the ticket list while tickets are ticked: one change (status, assignee,
 * priority, a tag to add or remove) applied to all of them in one request. Each ticket
 * still goes through its own rules; the page then shows what changed and what was refused.
 */
export function BulkBar({ ws, selected, known, members, tags, meId, onDone, onClear }: Props) {
  const id = useId();
  const bulk = useBulkChange(ws);
  const [status, setStatus] = useState<'' | TicketStatus>('');
  const [assignee, setAssignee] = useState('');
  const [priority, setPriority] = useState<'' | TicketPriority>('');
  const [addTag, setAddTag] = useState('');
  const [removeTag, setRemoveTag] = useState('');
  const n = selected.length;
  const tooMany = n > BULK_MAX;
  const chosen = Boolean(status || assignee || priority || addTag || removeTag);

  const reset = () => {
    setStatus('');
    setAssignee('');
    setPriority('');
    setAddTag('');
    setRemoveTag('');
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!chosen || tooMany || n === 0) return;
    const body: BulkRequest = { tickets: selected };
    if (status) body.status = status;
    if (assignee) body.assignee_id = assignee === 'none' ? null : assignee === 'me' ? (meId ?? null) : assignee;
    if (priority) body.priority = priority;
    if (addTag) body.add_tags = [addTag];
    if (removeTag) body.remove_tags = [removeTag];
    bulk.mutate(body, {
      onSuccess: (r) => {
        reset();
        const statusOf = (number: string) => known?.find((t) => t.number === number)?.status;
        onDone(bulkSummary(r, { to: body.status ?? undefined, statusOf }), r);
      },
    });
  };

  return (
    <form className="bulk-bar" role="toolbar" aria-label="Bulk actions" aria-describedby={`${id}-count`} onSubmit={submit}>
      <span className="bulk-count" id={`${id}-count`} aria-live="polite">
        {n} selected
      </span>
      <label className="bulk-field">
        <span className="sr-only">Status</span>
        <select className="input select input-sm" value={status} onChange={(e) => setStatus(e.target.value as '' | TicketStatus)} aria-label="Status">
          <option value="">Status…</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABEL[s]}
            </option>
          ))}
        </select>
      </label>
      <label className="bulk-field">
        <span className="sr-only">Assign to</span>
        <select className="input select input-sm" value={assignee} onChange={(e) => setAssignee(e.target.value)} aria-label="Assign to">
          <option value="">Assign to…</option>
          {meId ? <option value="me">Me</option> : null}
          <option value="none">Unassigned</option>
          {(members ?? [])
            .filter((m) => m.user_id !== meId)
            .map((m) => (
              <option key={m.user_id} value={m.user_id}>
                {m.name || m.email}
              </option>
            ))}
        </select>
      </label>
      <label className="bulk-field">
        <span className="sr-only">Priority</span>
        <select className="input select input-sm" value={priority} onChange={(e) => setPriority(e.target.value as '' | TicketPriority)} aria-label="Priority">
          <option value="">Priority…</option>
          {PRIORITIES.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
      </label>
      {tags && tags.length > 0 ? (
        <>
          <TagPick label="Add tag" tags={tags} value={addTag} other={removeTag} onChange={setAddTag} />
          <TagPick label="Remove tag" tags={tags} value={removeTag} other={addTag} onChange={setRemoveTag} />
        </>
      ) : null}
      <span className="bulk-actions">
        <Button type="submit" size="sm" variant="primary" busy={bulk.isPending} disabled={!chosen || tooMany}>
          Apply to {n}
        </Button>
        <Button size="sm" variant="ghost" onClick={onClear}>
          Clear selection
        </Button>
      </span>
      {tooMany ? (
        <p className="bulk-note" role="alert">
          A bulk change takes at most {BULK_MAX} tickets: untick {n - BULK_MAX}.
        </p>
      ) : null}
      {bulk.error ? (
        <p className="bulk-note field-error" role="alert">
          {errorMessage(bulk.error)}
        </p>
      ) : null}
    </form>
  );
}

/** A tag to add or remove for every selected ticket; the one chosen in the other box is not offered. */
function TagPick({ label, tags, value, other, onChange }: { label: string; tags: Tag[]; value: string; other: string; onChange: (id: string) => void }) {
  return (
    <label className="bulk-field">
      <span className="sr-only">{label}</span>
      <select className="input select input-sm" value={value} onChange={(e) => onChange(e.target.value)} aria-label={label}>
        <option value="">{label}…</option>
        {tags
          .filter((t) => t.id !== other)
          .map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
      </select>
    </label>
  );
}
