import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Button, Card, CopyButton, Empty, ErrorBox, PageHeader, RelativeTime, SecretOnce, Spinner, TextField } from '../../../components/ui';
import { fieldError } from '../../../lib/errors';
import type { Scope } from '../../../lib/types';
import { useWs } from '../../workspaces/api/workspaces';
import { apiKeysQuery, useCreateApiKey, useRevokeApiKey } from '../api/api-keys';
import { DEFAULT_SCOPES, SCOPES } from '../scopes';

export function ApiKeysPage() {
  const ws = useWs();
  const keys = useQuery(apiKeysQuery(ws));
  const create = useCreateApiKey(ws);
  const revoke = useRevokeApiKey(ws);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(DEFAULT_SCOPES);
  const mcpUrl = `${window.location.origin}/mcp`;
  const mcpConfig = mcpClientConfig(mcpUrl);
  const toggle = (scope: Scope, on: boolean) =>
    setScopes((now) => (on ? SCOPES.map((s) => s.scope).filter((s) => s === scope || now.includes(s)) : now.filter((s) => s !== scope)));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ name: name.trim(), scopes }, { onSuccess: () => { setName(''); setScopes(DEFAULT_SCOPES); } });
  };
  const scopeError = fieldError(create.error, 'scopes');
  return (
    <div className="page">
      <PageHeader
        title="API keys"
        subtitle={
          <>
            Keys let your own systems use the REST API (<a href="/docs">API docs</a>) and AI clients use the MCP server of this workspace. Send them as <code>Authorization: Bearer hk_…</code>.
          </>
        }
      />
      <Card title="Create a key" id="create-key">
        <form className="stack" onSubmit={submit}>
          <TextField label="Name" required placeholder="CRM sync" value={name} onChange={(e) => setName(e.target.value)} error={fieldError(create.error, 'name')} />
          <fieldset className="scope-checks" aria-describedby="scope-help">
            <legend className="field-label">What the key may do</legend>
            <p id="scope-help" className="muted small">
              Choose only what the integration needs. A key’s scopes can’t be changed later: make a new key instead.
            </p>
            {SCOPES.map((s) => (
              <label key={s.scope} className="check scope-check">
                <input type="checkbox" checked={scopes.includes(s.scope)} onChange={(e) => toggle(s.scope, e.target.checked)} />
                <span className="scope-text">
                  <span>
                    <strong>{s.label}</strong> <code>{s.scope}</code>
                  </span>
                  <span className="muted small">{s.allows}</span>
                </span>
              </label>
            ))}
            {scopeError ? <p className="field-error">{scopeError}</p> : null}
          </fieldset>
          <div className="row-end">
            <Button type="submit" variant="primary" busy={create.isPending} disabled={scopes.length === 0}>
              Create key
            </Button>
          </div>
        </form>
        {create.error && !scopeError ? <ErrorBox error={create.error} /> : null}
        {create.data ? (
          <SecretOnce value={create.data.key} what="API key" onDone={() => create.reset()}>
            <strong>Copy your new key “{create.data.name}” now.</strong> For your security it is shown only once. It may:{' '}
            {create.data.scopes.map((s) => (
              <code key={s} className="scope-pill">
                {s}
              </code>
            ))}
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
              <div className="key-who">
                <strong>{k.name}</strong>
                <div className="muted small">
                  <code>{k.prefix}…</code> · created <RelativeTime iso={k.created_at} /> · {k.last_used_at ? <>last used <RelativeTime iso={k.last_used_at} /></> : 'never used'}
                </div>
                <div className="scope-pills" aria-label={`Scopes of ${k.name}`}>
                  {k.scopes.map((s) => (
                    <code key={s} className="scope-pill">
                      {s}
                    </code>
                  ))}
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
      <Card title="Connect an AI client (MCP)" id="mcp" actions={<CopyButton text={mcpConfig} what="MCP client configuration" label="Copy config" />}>
        <p className="muted small">
          Claude Desktop, IDEs and agents can work this inbox through the MCP server: list and read tickets, reply, add notes, search the knowledge base. Give each client its own key, with the scopes it needs.
        </p>
        <div className="mcp-url">
          <span className="field-label">Server URL</span>
          <code>{mcpUrl}</code>
          <CopyButton text={mcpUrl} label="Copy" what="MCP URL" />
        </div>
        <pre className="code" aria-label="MCP client configuration">
          <code>{mcpConfig}</code>
        </pre>
      </Card>
    </div>
  );
}

/**
 * Claude Desktop's `claude_desktop_config.json` entry (stdio, bridged by mcp-remote). The
 * header value comes from `env` because Claude Desktop splits arguments at spaces; mcp-remote
 * refuses plain http outside localhost unless told.
 */
export function mcpClientConfig(url: string): string {
  const http = url.startsWith('http://') ? ['--allow-http'] : [];
  return JSON.stringify(
    {
      mcpServers: {
        handoff: {
          command: 'npx',
          args: ['-y', 'mcp-remote', url, ...http, '--header', 'Authorization:${HANDOFF_API_KEY}'],
          env: { HANDOFF_API_KEY: 'Bearer hk_…' },
        },
      },
    },
    null,
    2,
  );
}
