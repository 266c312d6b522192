import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Button, Card, Empty, ErrorBox, PageHeader, Spinner, TextField } from '../../../components/ui';
import { ApiError, errorMessage, fieldError } from '../../../lib/errors';
import type { Tag } from '../../../lib/types';
import { isAdmin, useMyRole, useWs } from '../../workspaces/api/workspaces';
import { TAG_COLOURS, tagsQuery, useCreateTag, useDeleteTag, useUpdateTag } from '../api/tags';
import { TagChip } from './TagChip';

/** Workspace tags: owners and admins create, rename, recolour and delete; agents see them. */
export function TagsPage() {
  const ws = useWs();
  const role = useMyRole(ws);
  const manage = isAdmin(role);
  const tags = useQuery(tagsQuery(ws));
  return (
    <div className="page">
      <PageHeader
        title="Tags"
        subtitle="Label tickets by topic or customer, then filter the ticket list by a tag. Everyone on the team applies tags; owners and admins manage the list."
      />
      {manage ? <CreateTag ws={ws} used={tags.data ?? []} /> : null}
      <Card title="Workspace tags" id="tags" className="card-flush-body">
        {tags.isPending ? <Spinner /> : null}
        {tags.error ? <ErrorBox error={tags.error} onRetry={() => void tags.refetch()} /> : null}
        {tags.data && tags.data.length === 0 ? (
          <Empty title="No tags yet">{manage ? 'Add the first one above.' : 'Only owners and admins create tags.'}</Empty>
        ) : null}
        <ul className="tag-admin-list">
          {tags.data?.map((t) => <TagRow key={t.id} ws={ws} tag={t} manage={manage} />)}
        </ul>
      </Card>
    </div>
  );
}

function ColourChoice({ value, onChange, name }: { value: string; onChange: (c: string) => void; name: string }) {
  return (
    <fieldset className="colour-choice">
      <legend className="field-label">Colour</legend>
      {TAG_COLOURS.map((c) => (
        <label key={c} className="colour-swatch" style={{ ['--tag' as string]: c }} title={c}>
          <input type="radio" name={name} value={c} checked={value === c} onChange={() => onChange(c)} aria-label={`Colour ${c}`} />
          <span aria-hidden="true" />
        </label>
      ))}
    </fieldset>
  );
}

function CreateTag({ ws, used }: { ws: string; used: Tag[] }) {
  const create = useCreateTag(ws);
  const [name, setName] = useState('');
  const next = TAG_COLOURS.find((c) => !used.some((t) => t.colour === c)) ?? TAG_COLOURS[0];
  const [colour, setColour] = useState<string | null>(null);
  const chosen = colour ?? next;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      { name: name.trim(), colour: chosen },
      {
        onSuccess: () => {
          setName('');
          setColour(null);
        },
      },
    );
  };
  const nameError = fieldError(create.error, 'name') ?? (create.error instanceof ApiError && create.error.status === 409 ? errorMessage(create.error) : undefined);
  return (
    <Card title="Add a tag" id="add-tag">
      <form className="stack" onSubmit={submit}>
        <TextField label="Tag name" required maxLength={40} placeholder="e.g. VIP, Billing, Bug" value={name} onChange={(e) => setName(e.target.value)} error={nameError} />
        <ColourChoice value={chosen} onChange={setColour} name="new-tag-colour" />
        <div className="row-end">
          {name.trim() ? <TagChip tag={{ name: name.trim(), colour: chosen }} /> : null}
          <Button type="submit" variant="primary" busy={create.isPending} disabled={!name.trim()}>
            Add tag
          </Button>
        </div>
        {create.error && !nameError ? <ErrorBox error={create.error} /> : null}
      </form>
    </Card>
  );
}

function TagRow({ ws, tag, manage }: { ws: string; tag: Tag; manage: boolean }) {
  const update = useUpdateTag(ws);
  const del = useDeleteTag(ws);
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(tag.name);
  const [colour, setColour] = useState(tag.colour);
  if (editing) {
    return (
      <li className="tag-admin-row">
        <form
          className="stack grow"
          onSubmit={(e) => {
            e.preventDefault();
            update.mutate({ id: tag.id, name: name.trim(), colour }, { onSuccess: () => setEditing(false) });
          }}
        >
          <TextField label={`New name for ${tag.name}`} required maxLength={40} value={name} onChange={(e) => setName(e.target.value)} error={fieldError(update.error, 'name')} />
          <ColourChoice value={colour} onChange={setColour} name={`colour-${tag.id}`} />
          {update.error && !fieldError(update.error, 'name') ? <p className="field-error">{errorMessage(update.error)}</p> : null}
          <div className="row-end">
            <Button size="sm" onClick={() => setEditing(false)}>
              Cancel
            </Button>
            <Button size="sm" type="submit" variant="primary" busy={update.isPending}>
              Save
            </Button>
          </div>
        </form>
      </li>
    );
  }
  return (
    <li className="tag-admin-row">
      <TagChip tag={tag} />
      {manage ? (
        <div className="row-end">
          <Button
            size="sm"
            variant="ghost"
            onClick={() => {
              setName(tag.name);
              setColour(tag.colour);
              setEditing(true);
            }}
          >
            Edit<span className="sr-only"> {tag.name}</span>
          </Button>
          <Button
            size="sm"
            variant="danger"
            busy={del.isPending}
            onClick={() => {
              if (window.confirm(`Delete the tag “${tag.name}”? It is removed from every ticket.`)) del.mutate(tag.id);
            }}
          >
            Delete<span className="sr-only"> {tag.name}</span>
          </Button>
        </div>
      ) : null}
      {del.error ? <p className="field-error">{errorMessage(del.error)}</p> : null}
    </li>
  );
}
