import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Button, Card, Empty, ErrorBox, PageHeader, RelativeTime, SecretOnce, Spinner, TextField } from '../../../components/ui';
import { fieldError } from '../../../lib/errors';
import type { Webhook } from '../../../lib/types';
import { useWs } from '../../workspaces/api/workspaces';
import { DEFAULT_WEBHOOK_EVENTS, WEBHOOK_EVENTS, deliveriesQuery, useCreateWebhook, useDeleteWebhook, useRedeliver, useSendTestEvent, useUpdateWebhook, webhooksQuery } from '../api/webhooks';

export function WebhooksPage() {
  const ws = useWs();
  const hooks = useQuery(webhooksQuery(ws));
  return (
    <div className="page">
      <PageHeader title="Webhooks" subtitle="Get an HTTP POST when tickets change. Each request carries an HMAC-SHA256 signature made with the webhook's secret." />
      <CreateWebhook ws={ws} />
      <Card title="Endpoints" id="hooks" className="card-flush-body">
        {hooks.isPending ? <Spinner /> : null}
        {hooks.error ? <ErrorBox error={hooks.error} onRetry={() => void hooks.refetch()} /> : null}
        {hooks.data && hooks.data.items.length === 0 ? <Empty title="No webhooks yet" /> : null}
        <ul className="hook-list">
          {hooks.data?.items.map((h) => <HookRow key={h.id} ws={ws} hook={h} />)}
        </ul>
      </Card>
    </div>
  );
}

function CreateWebhook({ ws }: { ws: string }) {
  const create = useCreateWebhook(ws);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>([...DEFAULT_WEBHOOK_EVENTS]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ url: url.trim(), events, active: true }, { onSuccess: () => setUrl('') });
  };
  return (
    <Card title="Add an endpoint" id="add-hook">
      <form className="stack" onSubmit={submit}>
        <TextField label="Endpoint URL" type="url" required placeholder="https://example.com/hooks/handoff" value={url} onChange={(e) => setUrl(e.target.value)} error={fieldError(create.error, 'url')} />
        <fieldset className="checks">
          <legend className="field-label">Events</legend>
          {WEBHOOK_EVENTS.map((ev) => (
            <label key={ev} className="check">
              <input type="checkbox" checked={events.includes(ev)} onChange={(e) => setEvents(e.target.checked ? [...events, ev] : events.filter((x) => x !== ev))} />
              <code>{ev}</code>
              {ev === 'ticket.note_added' ? <span className="muted small">internal notes (team only)</span> : null}
            </label>
          ))}
        </fieldset>
        <div className="row-end">
          <Button type="submit" variant="primary" busy={create.isPending} disabled={events.length === 0}>
            Add webhook
          </Button>
        </div>
        {create.error && !fieldError(create.error, 'url') ? <ErrorBox error={create.error} /> : null}
      </form>
      {create.data ? (
        <SecretOnce value={create.data.secret} what="webhook secret" onDone={() => create.reset()}>
          <strong>Signing secret for {create.data.url}.</strong> Copy it now: it is shown only once.
        </SecretOnce>
      ) : null}
    </Card>
  );
}

function HookRow({ ws, hook }: { ws: string; hook: Webhook }) {
  const [open, setOpen] = useState(false);
  const update = useUpdateWebhook(ws);
  const del = useDeleteWebhook(ws);
  const test = useSendTestEvent(ws, hook.id);
  return (
    <li className="hook">
      <div className="hook-main">
        <div className="hook-info">
          <strong className="break">{hook.url}</strong>
          <div className="muted small">
            {hook.events.join(', ')} · added <RelativeTime iso={hook.created_at} />
          </div>
        </div>
        <div className="hook-actions">
          <label className="check">
            <input type="checkbox" checked={hook.active} disabled={update.isPending} onChange={(e) => update.mutate({ id: hook.id, active: e.target.checked })} />
            <span>Active</span>
          </label>
          <Button size="sm" busy={test.isPending} onClick={() => test.mutate(undefined, { onSuccess: () => setOpen(true) })}>
            Send test event
          </Button>
          <Button size="sm" onClick={() => setOpen(!open)} aria-expanded={open}>
            {open ? 'Hide deliveries' : 'Deliveries'}
          </Button>
          <Button
            size="sm"
            variant="danger"
            busy={del.isPending}
            onClick={() => {
              if (window.confirm(`Delete the webhook for ${hook.url}?`)) del.mutate(hook.id);
            }}
          >
            Delete
          </Button>
        </div>
      </div>
      {update.error ? <ErrorBox error={update.error} /> : null}
      {del.error ? <ErrorBox error={del.error} /> : null}
      {test.error ? <ErrorBox error={test.error} /> : null}
      {test.isSuccess ? (
        <p className="muted small hook-note" role="status">
          A signed <code>webhook.test</code> event is on its way; its result shows in the deliveries below.
        </p>
      ) : null}
      {open ? <Deliveries ws={ws} id={hook.id} /> : null}
    </li>
  );
}

function Deliveries({ ws, id }: { ws: string; id: string }) {
  const q = useQuery(deliveriesQuery(ws, id));
  const redeliver = useRedeliver(ws, id);
  if (q.isPending) return <Spinner label="Loading deliveries…" />;
  if (q.error) return <ErrorBox error={q.error} onRetry={() => void q.refetch()} />;
  if (q.data.items.length === 0) return <p className="muted small deliveries-empty">No deliveries yet.</p>;
  return (
    <>
      {redeliver.error ? <ErrorBox error={redeliver.error} /> : null}
      <div className="table-scroll">
        <table className="table deliveries">
          <caption className="sr-only">Recent deliveries</caption>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Result</th>
              <th scope="col">Attempts</th>
              <th scope="col">When</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {q.data.items.map((d) => (
              <tr key={d.id}>
                <td>
                  <code>{d.event}</code>
                </td>
                <td>
                  {d.delivered_at ? (
                    <span className="pill pill-ok">{d.status_code ?? 'OK'}</span>
                  ) : (
                    <span className="pill pill-bad" title={d.last_error ?? undefined}>
                      {d.status_code ?? 'pending'}
                      {d.last_error ? ` · ${d.last_error.slice(0, 60)}` : ''}
                    </span>
                  )}
                </td>
                <td>{d.attempts}</td>
                <td>
                  <RelativeTime iso={d.created_at} />
                </td>
                <td>
                  {!d.delivered_at && d.attempts > 0 ? (
                    <Button
                      size="sm"
                      busy={redeliver.isPending && redeliver.variables === d.id}
                      disabled={redeliver.isPending}
                      onClick={() => redeliver.mutate(d.id)}
                      aria-label={`Redeliver ${d.event} of ${new Date(d.created_at).toLocaleString()}`}
                    >
                      Redeliver
                    </Button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
