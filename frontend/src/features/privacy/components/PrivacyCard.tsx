import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Alert, Button, Card, ErrorBox, Spinner, TextField } from '../../../components/ui';
import { fieldError } from '../../../lib/errors';
import type { PrivacySettings } from '../../../lib/types';
import { privacySettingsQuery, useSavePrivacySettings } from '../api/privacy';

const FIELDS = ['conversations_without_ticket_days', 'closed_tickets_days'] as const;
const HINT = 'Empty: kept until you erase them.';

/** A field's text as the API wants it: empty is `null` (keep forever), anything else a number. */
export function daysValue(text: string): number | null {
  const t = text.trim();
  return t === '' ? null : Number(t);
}

const daysText = (n: number | null | undefined) => (n == null ? '' : String(n));

/** Settings → Privacy (owners and admins): how long visitor data is kept. */
export function PrivacyCard({ ws }: { ws: string }) {
  const q = useQuery(privacySettingsQuery(ws));
  return (
    <Card title="Privacy" id="privacy-settings">
      {q.isPending ? <Spinner /> : null}
      {q.error ? <ErrorBox error={q.error} onRetry={() => void q.refetch()} /> : null}
      {q.data ? <PrivacyForm ws={ws} settings={q.data} /> : null}
      <p className="muted small privacy-note">
        To erase one visitor now, open their ticket or conversation: the Export data and Erase visitor buttons are on its Visitor card.
      </p>
    </Card>
  );
}

function PrivacyForm({ ws, settings }: { ws: string; settings: PrivacySettings }) {
  const save = useSavePrivacySettings(ws);
  const [conversations, setConversations] = useState(daysText(settings.conversations_without_ticket_days));
  const [tickets, setTickets] = useState(daysText(settings.closed_tickets_days));
  useEffect(() => {
    setConversations(daysText(settings.conversations_without_ticket_days));
    setTickets(daysText(settings.closed_tickets_days));
  }, [settings]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ conversations_without_ticket_days: daysValue(conversations), closed_tickets_days: daysValue(tickets) });
  };
  const number = { type: 'number', inputMode: 'numeric', min: 1, max: 3650, step: 1, placeholder: 'Keep forever' } as const;
  return (
    <form className="stack narrow" onSubmit={submit}>
      <TextField
        label="Delete conversations without a ticket after … days"
        {...number}
        value={conversations}
        onChange={(e) => setConversations(e.target.value)}
        hint={HINT}
        error={fieldError(save.error, 'conversations_without_ticket_days')}
      />
      <TextField
        label="Anonymise closed tickets after … days"
        {...number}
        value={tickets}
        onChange={(e) => setTickets(e.target.value)}
        hint={HINT}
        error={fieldError(save.error, 'closed_tickets_days')}
      />
      <div className="row-end">
        <Button type="submit" variant="primary" busy={save.isPending}>
          Save privacy settings
        </Button>
      </div>
      {save.error && !FIELDS.some((f) => fieldError(save.error, f)) ? <ErrorBox error={save.error} /> : null}
      {save.isSuccess ? <Alert kind="success">Saved.</Alert> : null}
    </form>
  );
}
