import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Button, ErrorBox, TextField } from '../../../components/ui';
import { fieldError } from '../../../lib/errors';
import type { Plan } from '../../../lib/types';
import { meQuery } from '../../auth/api/auth';
import { AuthLayout } from '../../auth/components/AuthLayout';
import { rememberWorkspace, useCreateWorkspace } from '../api/workspaces';

const PLANS: { value: Plan; title: string; text: string }[] = [
  { value: 'free', title: 'Free', text: 'AI chat widget and knowledge base.' },
  { value: 'standard', title: 'Standard', text: 'Adds support tickets when the AI cannot help.' },
  { value: 'pro', title: 'Pro', text: 'Tickets, API keys and webhooks for larger teams.' },
];

export function CreateWorkspacePage() {
  const nav = useNavigate();
  const me = useQuery(meQuery());
  const create = useCreateWorkspace();
  const [name, setName] = useState('');
  const [plan, setPlan] = useState<Plan>('standard');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      { name: name.trim(), plan },
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
        <fieldset className="plan-picker">
          <legend className="field-label">Plan</legend>
          {PLANS.map((p) => (
            <label key={p.value} className={`plan-option ${plan === p.value ? 'is-selected' : ''}`}>
              <input type="radio" name="plan" value={p.value} checked={plan === p.value} onChange={() => setPlan(p.value)} />
              <span>
                <strong>{p.title}</strong>
                <span className="muted small">{p.text}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <Button type="submit" variant="primary" busy={create.isPending} className="btn-block">
          Create workspace
        </Button>
      </form>
    </AuthLayout>
  );
}
