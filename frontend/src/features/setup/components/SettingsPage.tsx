import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Alert, Button, Card, ErrorBox, PageHeader, Spinner, TextField } from '../../../components/ui';
import { fieldError } from '../../../lib/errors';
import type { MailStatus, Plan, TicketSettings, Workspace } from '../../../lib/types';
import { isAdmin, useMyRole, useUpdateWorkspace, useWs, workspaceQuery } from '../../workspaces/api/workspaces';
import { mailStatusQuery, ticketSettingsQuery, useUpdateTicketSettings } from '../api/setup';
import { NotificationsCard } from '../../notifications/components/NotificationsCard';
import { PrivacyCard } from '../../privacy/components/PrivacyCard';

export function SettingsPage() {
  const ws = useWs();
  const role = useMyRole(ws);
  const workspace = useQuery(workspaceQuery(ws));
  const settings = useQuery(ticketSettingsQuery(ws));
  const mail = useQuery({ ...mailStatusQuery(ws), enabled: isAdmin(role) });
  return (
    <div className="page">
      <PageHeader title="Settings" />
      {!isAdmin(role) && role ? <Alert kind="info">Only owners and admins can change these settings.</Alert> : null}
      {workspace.isPending || settings.isPending ? <Spinner /> : null}
      {workspace.error ? <ErrorBox error={workspace.error} onRetry={() => void workspace.refetch()} /> : null}
      {settings.error ? <ErrorBox error={settings.error} onRetry={() => void settings.refetch()} /> : null}
      <div className="stack">
        {workspace.data ? <WorkspaceForm workspace={workspace.data} canEdit={isAdmin(role)} /> : null}
        {settings.data && workspace.data ? <TicketForm ws={ws} settings={settings.data} plan={workspace.data.plan} canEdit={isAdmin(role)} /> : null}
        {isAdmin(role) ? <PrivacyCard ws={ws} /> : null}
        <NotificationsCard ws={ws} />
        {mail.data ? <MailCard status={mail.data} /> : null}
      </div>
    </div>
  );
}

const PLAN_NAMES: Record<Plan, string> = { free: 'Free', standard: 'Standard', pro: 'Pro' };

function WorkspaceForm({ workspace, canEdit }: { workspace: Workspace; canEdit: boolean }) {
  const update = useUpdateWorkspace(workspace.id);
  const [name, setName] = useState(workspace.name);
  useEffect(() => {
    setName(workspace.name);
  }, [workspace.name]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    update.mutate({ name: name.trim() });
  };
  return (
    <Card title="Workspace" id="ws-settings">
      <form className="stack narrow" onSubmit={submit}>
        <TextField label="Name" required value={name} onChange={(e) => setName(e.target.value)} disabled={!canEdit} error={fieldError(update.error, 'name')} />
        <div className="field">
          <span className="field-label">Plan</span>
          <p className="plan-current" data-testid="plan">
            <strong>{PLAN_NAMES[workspace.plan]}</strong>
            <span className="muted small"> Plans are set by the operator of this Handoff instance. Support tickets need Standard or Pro.</span>
          </p>
        </div>
        {canEdit ? (
          <div className="row-end">
            <Button type="submit" variant="primary" busy={update.isPending} disabled={name === workspace.name}>
              Save workspace
            </Button>
          </div>
        ) : null}
        {update.error && !fieldError(update.error, 'name') ? <ErrorBox error={update.error} /> : null}
        {update.isSuccess ? <Alert kind="success">Saved.</Alert> : null}
      </form>
    </Card>
  );
}

function TicketForm({ ws, settings, plan, canEdit }: { ws: string; settings: TicketSettings; plan: Plan; canEdit: boolean }) {
  const update = useUpdateTicketSettings(ws);
  const [enabled, setEnabled] = useState(settings.enabled);
  const [email, setEmail] = useState(settings.notification_email ?? '');
  const [replyInProgress, setReplyInProgress] = useState(settings.reply_sets_in_progress ?? false);
  const [senderName, setSenderName] = useState(settings.sender_name ?? '');
  const [senderAddress, setSenderAddress] = useState(settings.sender_address ?? '');
  const [emailReplies, setEmailReplies] = useState(settings.email_replies);
  const [acknowledge, setAcknowledge] = useState(settings.acknowledge_tickets);
  useEffect(() => {
    setAcknowledge(settings.acknowledge_tickets);
    setEnabled(settings.enabled);
    setEmail(settings.notification_email ?? '');
    setReplyInProgress(settings.reply_sets_in_progress ?? false);
    setSenderName(settings.sender_name ?? '');
    setSenderAddress(settings.sender_address ?? '');
    setEmailReplies(settings.email_replies);
  }, [settings]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    update.mutate({
      enabled,
      notification_email: email.trim() || null,
      reply_sets_in_progress: replyInProgress,
      sender_name: senderName.trim(),
      sender_address: senderAddress.trim(),
      ...(emailReplies !== settings.email_replies ? { email_replies: emailReplies } : {}),
      acknowledge_tickets: acknowledge,
    });
  };
  const known = ['notification_email', 'sender_name', 'sender_address', 'email_replies'];
  const repliesBlocked = plan !== 'pro' || !settings.email_replies_available;
  return (
    <Card title="Support tickets" id="ticket-settings">
      {plan === 'free' ? <Alert kind="info">Support tickets are available on the Standard and Pro plans.</Alert> : null}
      <form className="stack narrow" onSubmit={submit}>
        <label className="check">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} disabled={!canEdit} />
          <span>Let the AI create tickets when it can’t help</span>
        </label>
        <TextField
          label="Notification email"
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          disabled={!canEdit}
          hint="Where you want to receive new ticket notifications."
          error={fieldError(update.error, 'notification_email')}
        />
        <label className="check">
          <input type="checkbox" checked={replyInProgress} onChange={(e) => setReplyInProgress(e.target.checked)} disabled={!canEdit} />
          <span>Move open tickets to In Progress when someone replies</span>
        </label>
        <fieldset className="fieldset stack" aria-describedby="mail-sender-hint">
          <legend className="field-label">Email to visitors</legend>
          <p className="muted small" id="mail-sender-hint">
            Replies you also email go out as <strong data-testid="mail-sender">{settings.sender}</strong>.
          </p>
          <TextField
            label="Sender name"
            value={senderName}
            onChange={(e) => setSenderName(e.target.value)}
            disabled={!canEdit}
            maxLength={80}
            hint="Leave empty to use the workspace’s name."
            error={fieldError(update.error, 'sender_name')}
          />
          <TextField
            label="Sender address"
            type="email"
            value={senderAddress}
            onChange={(e) => setSenderAddress(e.target.value)}
            disabled={!canEdit}
            hint="Leave empty to use this server’s address. Your domain must let this server send for it (SPF, DKIM)."
            error={fieldError(update.error, 'sender_address')}
          />
          <label className="check">
            <input
              type="checkbox"
              checked={emailReplies}
              onChange={(e) => setEmailReplies(e.target.checked)}
              disabled={!canEdit || (repliesBlocked && !emailReplies)}
              aria-describedby="email-replies-hint"
            />
            <span>Visitors can answer by email: their replies come back into the ticket</span>
          </label>
          <p className="muted small" id="email-replies-hint">
            {plan !== 'pro'
              ? 'Available on the Pro plan. On this plan, visitors answer in the chat.'
              : !settings.email_replies_available
                ? 'This server does not receive mail yet: its operator sets INBOUND_DOMAIN (see docs/email.md).'
                : settings.email_replies_active
                  ? 'On: each email carries a reply address of its ticket; replies reopen resolved tickets.'
                  : 'Each email will carry a reply address of its ticket.'}
          </p>
          {fieldError(update.error, 'email_replies') ? <p className="field-error">{fieldError(update.error, 'email_replies')}</p> : null}
          <label className="check">
            <input type="checkbox" checked={acknowledge} onChange={(e) => setAcknowledge(e.target.checked)} disabled={!canEdit} />
            <span>Send the visitor an acknowledgement email when a ticket is created</span>
          </label>
          <p className="muted small">“We got your request TKT-10001 …”, from the sender above, so that later mail about the ticket threads with it.</p>
        </fieldset>
        {canEdit ? (
          <div className="row-end">
            <Button type="submit" variant="primary" busy={update.isPending}>
              Save ticket settings
            </Button>
          </div>
        ) : null}
        {update.error && !known.some((f) => fieldError(update.error, f)) ? <ErrorBox error={update.error} /> : null}
        {update.isSuccess ? <Alert kind="success">Saved.</Alert> : null}
      </form>
    </Card>
  );
}

/** Outgoing mail: sent this hour against the quota, and what waits for the next hour. */
function MailCard({ status }: { status: MailStatus }) {
  const next = status.next_send_at ? new Date(status.next_send_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : null;
  return (
    <Card title="Outgoing mail" id="mail-status">
      <div className="stack narrow">
        <p>
          Sent this hour: <strong>{status.sent_this_hour}</strong> of {status.quota_per_hour} (each address receives at most {status.recipient_quota_per_hour} an hour).
        </p>
        {status.waiting_for_quota > 0 ? (
          <Alert kind="warning">
            {status.waiting_for_quota === 1 ? '1 mail waits' : `${status.waiting_for_quota} mails wait`} because the hourly mail limit was reached. {next ? `They go out from ${next}; ` : ''}nothing is lost.
          </Alert>
        ) : status.queued > 0 ? (
          <p className="muted small">{status.queued === 1 ? '1 mail is' : `${status.queued} mails are`} on the way.</p>
        ) : (
          <p className="muted small">No mail waiting.</p>
        )}
      </div>
    </Card>
  );
}
