import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Button, Card, Empty, ErrorBox, PageHeader, RelativeTime, SecretOnce, Spinner, TextField } from '../../../components/ui';
import { useWs } from '../../workspaces/api/workspaces';
import { apiKeysQuery, useCreateApiKey, useRevokeApiKey } from '../api/api-keys';

export function ApiKeysPage() {
  const ws = useWs();
  const keys = useQuery(apiKeysQuery(ws));
  const create = useCreateApiKey(ws);
  const revoke = useRevokeApiKey(ws);
  const [name, setName] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(name.trim(), { onSuccess: () => setName('') });
  };
  return (
    <div className="page">
      <PageHeader
        title="API keys"
        subtitle={
          <>
            Keys let your own systems use the REST API for this workspace (<a href="/docs">API docs</a>). Send them as <code>Authorization: Bearer hk_…</code>.
          </>
        }
      />
      <Card title="Create a key" id="create-key">
        <form className="inline-form" onSubmit={submit}>
          <TextField label="Name" required placeholder="CRM sync" value={name} onChange={(e) => setName(e.target.value)} />
          <Button type="submit" variant="primary" busy={create.isPending}>
            Create key
          </Button>
        </form>
        {create.error ? <ErrorBox error={create.error} /> : null}
        {create.data ? (
          <SecretOnce value={create.data.key} what="API key" onDone={() => create.reset()}>
            <strong>Copy your new key “{create.data.name}” now.</strong> For your security it is shown only once.
          </SecretOnce>
        ) : null}
      </Card>
      <Card title="Keys" id="keys" className="card-flush-body">
        {keys.isPending ? <Spinner /> : null}
        {keys.error ? <ErrorBox error={keys.error} onRetry={() => void keys.refetch()} /> : null}
        {revoke.error ? <ErrorBox error={revoke.error} /> : null}
        {keys.data && keys.data.items.length === 0 ? <Empty title="No API keys" /> : null}
        <ul className="key-list">
          {keys.data?.items.map((k) => (
            <li key={k.id} className={`key ${k.revoked_at ? 'is-revoked' : ''}`}>
              <div>
                <strong>{k.name}</strong>
                <div className="muted small">
                  <code>{k.prefix}…</code> · created <RelativeTime iso={k.created_at} /> · {k.last_used_at ? <>last used <RelativeTime iso={k.last_used_at} /></> : 'never used'}
                </div>
              </div>
              {k.revoked_at ? (
                <span className="pill">
                  Revoked&nbsp;<RelativeTime iso={k.revoked_at} />
                </span>
              ) : (
              <Button
                size="sm"
                variant="danger"
                busy={revoke.isPending && revoke.variables === k.id}
                onClick={() => {
                  if (window.confirm(`Revoke “${k.name}”? Anything using it stops working at once.`)) revoke.mutate(k.id);
                }}
              >
                Revoke
              </Button>
              )}
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}
