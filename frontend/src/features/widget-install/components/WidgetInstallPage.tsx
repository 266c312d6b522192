import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Alert, Button, Card, CopyButton, ErrorBox, PageHeader, RelativeTime, SecretOnce, SelectField, Spinner, TextField } from '../../../components/ui';
import { WIDGET_LANGUAGES, type WidgetLanguage } from '../../../lib/language';
import type { Workspace } from '../../../lib/types';
import { isAdmin, useMyRole, useUpdateWorkspace, useWs, workspaceQuery } from '../../workspaces/api/workspaces';
import { IDENTIFY_SNIPPET, SERVER_SNIPPET, useRemoveIdentitySecret, useRotateIdentitySecret } from '../api/identity';

export function widgetSnippet(origin: string, widgetKey: string): string {
  return `<script src="${origin}/widget.js" data-key="${widgetKey}" async></script>`;
}

/** "https://shop.example.com/path" → "https://shop.example.com"; null when not an http(s) origin. */
export function normalizeOrigin(input: string): string | null {
  const v = input.trim();
  if (!v) return null;
  try {
    const u = new URL(v.includes('://') ? v : `https://${v}`);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u.origin;
  } catch {
    return null;
  }
}

export function WidgetInstallPage() {
  const ws = useWs();
  const q = useQuery(workspaceQuery(ws));
  const role = useMyRole(ws);
  return (
    <div className="page">
      <PageHeader title="Widget" subtitle="Add the chat widget to your website and make it look like yours." />
      {q.isPending ? <Spinner /> : null}
      {q.error ? <ErrorBox error={q.error} onRetry={() => void q.refetch()} /> : null}
      {q.data ? (
        <div className="stack">
          <Snippet workspace={q.data} />
          <Origins workspace={q.data} canEdit={isAdmin(role)} />
          <Appearance workspace={q.data} canEdit={isAdmin(role)} />
          <IdentityVerification workspace={q.data} canEdit={isAdmin(role)} />
        </div>
      ) : null}
    </div>
  );
}

function Snippet({ workspace }: { workspace: Workspace }) {
  const snippet = widgetSnippet(window.location.origin, workspace.widget_key);
  return (
    <Card title="Install" id="install" actions={<CopyButton text={snippet} what="widget snippet" label="Copy snippet" />}>
      <p className="muted">Paste this just before the closing &lt;/body&gt; tag of every page where the chat should appear.</p>
      <pre className="code" aria-label="Widget snippet">
        <code>{snippet}</code>
      </pre>
    </Card>
  );
}

function Origins({ workspace, canEdit }: { workspace: Workspace; canEdit: boolean }) {
  const update = useUpdateWorkspace(workspace.id);
  const [list, setList] = useState(workspace.allowed_origins);
  const [input, setInput] = useState('');
  const [err, setErr] = useState<string | null>(null);
  useEffect(() => setList(workspace.allowed_origins), [workspace.allowed_origins]);
  const dirty = JSON.stringify(list) !== JSON.stringify(workspace.allowed_origins);
  const add = (e: FormEvent) => {
    e.preventDefault();
    const o = normalizeOrigin(input);
    if (!o) return setErr('Enter a website address such as https://shop.example.com');
    setErr(null);
    if (!list.includes(o)) setList([...list, o]);
    setInput('');
  };
  return (
    <Card title="Allowed websites" id="origins">
      <p className="muted">
        The widget only loads on these origins. Leave the list empty to allow any website while you try it out.
      </p>
      {list.length ? (
        <ul className="chips">
          {list.map((o) => (
            <li key={o} className="chip">
              <span>{o}</span>
              {canEdit ? (
                <button type="button" className="chip-x" aria-label={`Remove ${o}`} onClick={() => setList(list.filter((x) => x !== o))}>
                  ×
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small">No restriction: any website can embed the widget.</p>
      )}
      {canEdit ? (
        <>
          <form className="inline-form" onSubmit={add}>
            <TextField label="Add a website" placeholder="https://shop.example.com" value={input} onChange={(e) => setInput(e.target.value)} error={err ?? undefined} />
            <Button type="submit">Add</Button>
          </form>
          <div className="row-end">
            <Button variant="primary" disabled={!dirty} busy={update.isPending} onClick={() => update.mutate({ allowed_origins: list })}>
              Save websites
            </Button>
          </div>
          {update.error ? <ErrorBox error={update.error} /> : null}
          {update.isSuccess && !dirty ? <Alert kind="success">Saved.</Alert> : null}
        </>
      ) : null}
    </Card>
  );
}

function Appearance({ workspace, canEdit }: { workspace: Workspace; canEdit: boolean }) {
  const update = useUpdateWorkspace(workspace.id);
  const [color, setColor] = useState(workspace.widget_color);
  const [greeting, setGreeting] = useState(workspace.greeting);
  const [language, setLanguage] = useState<WidgetLanguage>(workspace.default_language);
  const valid = /^#[0-9a-fA-F]{6}$/.test(color);
  const dirty = color !== workspace.widget_color || greeting !== workspace.greeting || language !== workspace.default_language;
  return (
    <Card title="Appearance" id="appearance">
      <form
        className="appearance"
        onSubmit={(e) => {
          e.preventDefault();
          update.mutate({ widget_color: color, greeting, default_language: language });
        }}
      >
        <div className="stack">
          <div className="field">
            <label htmlFor="widget-color" className="field-label">
              Colour
            </label>
            <div className="color-row">
              <input type="color" id="widget-color" value={valid ? color : '#4f46e5'} onChange={(e) => setColor(e.target.value)} disabled={!canEdit} />
              <input className="input mono" aria-label="Colour hex value" value={color} onChange={(e) => setColor(e.target.value)} disabled={!canEdit} maxLength={7} />
            </div>
            {!valid ? <p className="field-error">Use a hex colour like #4f46e5.</p> : null}
          </div>
          <TextField label="Greeting" value={greeting} onChange={(e) => setGreeting(e.target.value)} disabled={!canEdit} maxLength={200} />
          <SelectField
            label="Default language"
            hint="The widget speaks the visitor's browser language when it is one of these, and this one otherwise. The assistant answers in the language the visitor writes in."
            value={language}
            onChange={(e) => setLanguage(e.target.value as WidgetLanguage)}
            disabled={!canEdit}
          >
            {WIDGET_LANGUAGES.map((l) => (
              <option key={l.code} value={l.code}>
                {l.name}
              </option>
            ))}
          </SelectField>
          {canEdit ? (
            <div className="row-end">
              <Button type="submit" variant="primary" busy={update.isPending} disabled={!dirty || !valid}>
                Save appearance
              </Button>
            </div>
          ) : null}
          {update.error ? <ErrorBox error={update.error} /> : null}
        </div>
        <div className="preview" aria-label="Preview">
          <div className="preview-bubble">
            <div className="preview-head" style={{ background: valid ? color : undefined }}>
              {workspace.name}
            </div>
            <div className="preview-msg">{greeting}</div>
          </div>
          <div className="preview-launcher" style={{ background: valid ? color : undefined }} aria-hidden="true">
            <svg viewBox="0 0 24 24" width="26" height="26" fill="white">
              <path d="M4 5h16v10H9l-5 4z" />
            </svg>
          </div>
        </div>
      </form>
    </Card>
  );
}

/** Verified identity: the host page tells the widget who its logged-in user is, signed with
 * the workspace's identity secret, so the user keeps one chat history on every device and is
 * never asked for an email. */
function IdentityVerification({ workspace, canEdit }: { workspace: Workspace; canEdit: boolean }) {
  const rotate = useRotateIdentitySecret(workspace.id);
  const remove = useRemoveIdentitySecret(workspace.id);
  const since = workspace.identity_secret_created_at;
  return (
    <Card title="Identity verification" id="identity">
      <div className="stack">
        <p className="muted">
          When your visitors are logged in to your site, tell the widget who they are. They keep one chat history on every device, are never asked for their email, and
          show as verified to your team. Each call carries a hash of the user id made on your server with this workspace’s identity secret, so nobody can pretend to be
          another user; a wrong hash is refused and the visitor stays anonymous.
        </p>
        <p role="status">
          {since ? (
            <>
              <strong>On.</strong> The secret in use was made <RelativeTime iso={since} />.
            </>
          ) : (
            <>
              <strong>Off.</strong> Make a secret to turn it on.
            </>
          )}
        </p>
        {canEdit ? (
          <div className="page-actions">
            <Button
              variant={since ? 'secondary' : 'primary'}
              busy={rotate.isPending}
              onClick={() => {
                if (!since || window.confirm('Make a new identity secret? The current one stops working at once: update your server first.')) rotate.mutate();
              }}
            >
              {since ? 'Rotate secret' : 'Make identity secret'}
            </Button>
            {since ? (
              <Button
                variant="danger"
                busy={remove.isPending}
                onClick={() => {
                  if (window.confirm('Turn identity verification off? Visitors will no longer be recognised across devices.')) remove.mutate();
                }}
              >
                Turn off
              </Button>
            ) : null}
          </div>
        ) : null}
        {rotate.error ? <ErrorBox error={rotate.error} /> : null}
        {remove.error ? <ErrorBox error={remove.error} /> : null}
        {rotate.data ? (
          <SecretOnce value={rotate.data.secret} what="identity secret" onDone={() => rotate.reset()}>
            <strong>Identity secret.</strong> Copy it now to your server’s configuration (never into a web page): it is shown only once.
          </SecretOnce>
        ) : null}
        <div>
          <p className="field-label">On your pages, once the user is logged in</p>
          <pre className="code" aria-label="Identify snippet">
            <code>{IDENTIFY_SNIPPET}</code>
          </pre>
        </div>
        <div>
          <p className="field-label">On your server, the hash</p>
          <pre className="code" aria-label="Server hash snippet">
            <code>{SERVER_SNIPPET}</code>
          </pre>
        </div>
      </div>
    </Card>
  );
}
