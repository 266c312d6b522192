import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Alert, Avatar, Button, Card, ErrorBox, PageHeader, SelectField, Spinner, TextField } from '../../../components/ui';
import { fieldError } from '../../../lib/errors';
import type { Role } from '../../../lib/types';
import { meQuery } from '../../auth/api/auth';
import { isAdmin, useMyRole, useWs } from '../../workspaces/api/workspaces';
import { invitationsQuery, membersQuery, useChangeRole, useInvite, useRemoveMember } from '../api/team';

const ROLES: { value: Role; label: string }[] = [
  { value: 'owner', label: 'Owner' },
  { value: 'admin', label: 'Admin' },
  { value: 'agent', label: 'Agent' },
];

export function TeamPage() {
  const ws = useWs();
  const role = useMyRole(ws);
  const admin = isAdmin(role);
  const me = useQuery(meQuery());
  const members = useQuery(membersQuery(ws));
  const change = useChangeRole(ws);
  const remove = useRemoveMember(ws);
  return (
    <div className="page">
      <PageHeader title="Team" subtitle="Owners and admins manage settings, members and keys. Agents work tickets." />
      {admin ? <InviteForm ws={ws} canInviteOwner={role === 'owner'} /> : null}
      <Card title="Members" id="members" className="card-flush-body">
        {members.isPending ? <Spinner /> : null}
        {members.error ? <ErrorBox error={members.error} onRetry={() => void members.refetch()} /> : null}
        {change.error ? <ErrorBox error={change.error} /> : null}
        {remove.error ? <ErrorBox error={remove.error} /> : null}
        <ul className="member-list">
          {members.data?.items.map((m) => {
            const self = m.user_id === me.data?.id;
            return (
              <li key={m.user_id} className="member">
                <Avatar name={m.name || m.email} />
                <div className="member-who">
                  <strong>
                    {m.name || m.email}
                    {self ? <span className="muted"> (you)</span> : null}
                  </strong>
                  <span className="muted small break">{m.email}</span>
                </div>
                {admin && (role === 'owner' || m.role !== 'owner') ? (
                  <div className="member-actions">
                    <label className="sr-only" htmlFor={`role-${m.user_id}`}>
                      Role of {m.name || m.email}
                    </label>
                    <select
                      id={`role-${m.user_id}`}
                      className="input select select-sm"
                      value={m.role}
                      onChange={(e) => change.mutate({ userId: m.user_id, role: e.target.value as Role })}
                    >
                      {ROLES.filter((r) => role === 'owner' || r.value !== 'owner').map((r) => (
                        <option key={r.value} value={r.value}>
                          {r.label}
                        </option>
                      ))}
                    </select>
                    <Button
                      size="sm"
                      variant="danger"
                      busy={remove.isPending && remove.variables === m.user_id}
                      onClick={() => {
                        if (window.confirm(self ? 'Leave this workspace?' : `Remove ${m.name || m.email} from this workspace?`)) remove.mutate(m.user_id);
                      }}
                    >
                      {self ? 'Leave' : 'Remove'}
                    </Button>
                  </div>
                ) : (
                  <span className="pill">{ROLES.find((r) => r.value === m.role)?.label ?? m.role}</span>
                )}
              </li>
            );
          })}
        </ul>
      </Card>
      {admin ? <PendingInvitations ws={ws} /> : null}
    </div>
  );
}

function PendingInvitations({ ws }: { ws: string }) {
  const q = useQuery(invitationsQuery(ws));
  if (q.isPending) return null;
  if (q.error) return <ErrorBox error={q.error} title="Pending invitations unavailable." />;
  if (q.data.items.length === 0) return null;
  return (
    <Card title="Pending invitations" id="pending" className="card-flush-body">
      <ul className="member-list">
        {q.data.items.map((i) => (
          <li key={i.id} className="member">
            <Avatar name={i.email} />
            <div className="member-who">
              <strong className="break">{i.email}</strong>
              <span className="muted small">Expires {new Date(i.expires_at).toLocaleDateString('en-US', { dateStyle: 'medium' })}</span>
            </div>
            <span className="pill">{ROLES.find((r) => r.value === i.role)?.label ?? i.role}</span>
          </li>
        ))}
      </ul>
    </Card>
  );
}

function InviteForm({ ws, canInviteOwner }: { ws: string; canInviteOwner: boolean }) {
  const invite = useInvite(ws);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    invite.mutate({ email: email.trim(), role }, { onSuccess: () => setEmail('') });
  };
  return (
    <Card title="Invite a teammate" id="invite">
      <form className="inline-form" onSubmit={submit}>
        <TextField label="Email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} error={fieldError(invite.error, 'email')} placeholder="colleague@company.com" />
        <SelectField label="Role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLES.filter((r) => canInviteOwner || r.value !== 'owner').map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </SelectField>
        <Button type="submit" variant="primary" busy={invite.isPending}>
          Send invitation
        </Button>
      </form>
      {invite.error && !fieldError(invite.error, 'email') ? <ErrorBox error={invite.error} /> : null}
      {invite.isSuccess ? <Alert kind="success">Invitation sent to {invite.data.email}. It expires {new Date(invite.data.expires_at).toLocaleDateString()}.</Alert> : null}
    </Card>
  );
}
