import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Button, ErrorBox, TextField } from '../../../components/ui';
import { fieldError } from '../../../lib/errors';
import { meQuery } from '../../auth/api/auth';
import { AuthLayout } from '../../auth/components/AuthLayout';
import { rememberWorkspace, useCreateWorkspace } from '../api/workspaces';

export function CreateWorkspacePage() {
  const nav = useNavigate();
  const me = useQuery(meQuery());
  const create = useCreateWorkspace();
  const [name, setName] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      { name: name.trim() },
      {
        onSuccess: (ws) => {
          rememberWorkspace(ws.id);
          nav(`/w/${ws.id}/tickets`);
        },
      },
    );
  };
  const hasOther = (me.data?.workspaces.length ?? 0) > 0;
  return (
    <AuthLayout
      title="Create a workspace"
      footer={hasOther ? <Link to="/">Back to your workspaces</Link> : undefined}
    >
      <p className="muted">A workspace is one website and its chat assistant. You can invite your team later.</p>
      <form onSubmit={submit} className="stack">
        {create.error && !fieldError(create.error, 'name') ? <ErrorBox error={create.error} /> : null}
        <TextField label="Workspace name" placeholder="Acme Shop" required value={name} onChange={(e) => setName(e.target.value)} error={fieldError(create.error, 'name')} autoFocus />
        <p className="muted small">New workspaces start on the Free plan (chat widget and knowledge base). The operator of this Handoff instance sets paid plans, which add support tickets.</p>
        <Button type="submit" variant="primary" busy={create.isPending} className="btn-block">
          Create workspace
        </Button>
      </form>
    </AuthLayout>
  );
}
