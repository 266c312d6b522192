import { useState, type FormEvent } from 'react';
import { Button, Card, ErrorBox, TextField } from '../../../components/ui';
import { fieldError } from '../../../lib/errors';
import type { Plan, TicketSettings } from '../../../lib/types';
import { useUpdateTicketSettings } from '../api/setup';

/** "Enable tickets in one step": shown on the Tickets page while tickets are off. */
export function SetupCard({ ws, plan, settings, canManage, defaultEmail }: { ws: string; plan: Plan; settings: TicketSettings; canManage: boolean; defaultEmail?: string }) {
  const update = useUpdateTicketSettings(ws);
  const [email, setEmail] = useState(settings.notification_email ?? defaultEmail ?? '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    update.mutate({ enabled: true, notification_email: email.trim(), reply_sets_in_progress: settings.reply_sets_in_progress });
  };
  const emailErr = fieldError(update.error, 'notification_email');
  return (
    <Card className="setup-card" title="Support tickets" id="setup">
      <p className="setup-lead">
        Let your AI create a ticket when it cannot help a visitor. Instead of leaving the visitor stuck, the AI collects their email, describes the issue and creates a ticket
        for your team to handle.
      </p>
      <ol className="setup-steps">
        <li>AI can’t help</li>
        <li>AI offers a ticket and asks for the visitor’s email</li>
        <li>Ticket appears here instantly</li>
        <li>You reply; the visitor sees it in the widget</li>
      </ol>
      {plan === 'free' ? (
        <div className="alert alert-info" role="status">
          <div>
            <strong>Support tickets are available on the Standard and Pro plans.</strong> This workspace is on the Free plan.{' '}
            Plans are set by the operator of this Handoff instance: ask them to upgrade this workspace.
          </div>
        </div>
      ) : canManage ? (
        <form className="setup-form" onSubmit={submit}>
          <TextField
            label="Notification email"
            type="email"
            required
            placeholder="support@yourcompany.com"
            hint="Where you want to receive new ticket notifications."
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={emailErr}
            className="setup-email"
          />
          <Button type="submit" variant="primary" busy={update.isPending} className="setup-enable">
            Enable
          </Button>
        </form>
      ) : (
        <p className="muted">Ask a workspace owner or admin to enable tickets.</p>
      )}
      {update.error && !emailErr ? <ErrorBox error={update.error} /> : null}
    </Card>
  );
}
