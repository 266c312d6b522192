import { useRef, useState } from 'react';
import { Alert, Button, ErrorBox } from '../../../components/ui';
import type { Visitor, VisitorErasure } from '../../../lib/types';
import { isAdmin, useMyRole } from '../../workspaces/api/workspaces';
import { useEraseVisitor, useExportVisitor } from '../api/privacy';
import { EraseVisitorDialog } from './EraseVisitorDialog';

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "Visitor erased: 12 messages and 2 files deleted, 1 ticket anonymised." */
export function erasureSummary(r: Pick<VisitorErasure, 'messages_deleted' | 'attachments_deleted' | 'tickets_anonymised'>): string {
  return `Visitor erased: ${count(r.messages_deleted, 'message', 'messages')} and ${count(r.attachments_deleted, 'file', 'files')} deleted, ${count(r.tickets_anonymised, 'ticket', 'tickets')} anonymised.`;
}

/**
 * Export data / Erase visitor… under a visitor's facts (the ticket page and the conversation
 * page), for owners and admins. An erased visitor has neither: only what erasing did stays.
 */
export function VisitorPrivacyActions({ ws, visitor, email }: { ws: string; visitor: Pick<Visitor, 'id' | 'email' | 'erased_at'>; email?: string | null }) {
  const role = useMyRole(ws);
  const exporting = useExportVisitor(ws, visitor.id);
  const erase = useEraseVisitor(ws, visitor.id);
  const [confirming, setConfirming] = useState(false);
  const [erased, setErased] = useState<VisitorErasure | null>(null);
  // One erasure per confirmation, also for a double click before the button shows it is busy.
  const inFlight = useRef(false);
  if (!isAdmin(role)) return null;
  const erasedNow = Boolean(visitor.erased_at);
  if (erasedNow && !erased) return null;
  return (
    <div className="visitor-privacy">
      {erased ? (
        <Alert kind="success" onDismiss={() => setErased(null)}>
          {erasureSummary(erased)}
        </Alert>
      ) : null}
      {!erasedNow ? (
        <div className="visitor-privacy-actions">
          <Button size="sm" busy={exporting.isPending} onClick={() => exporting.mutate()}>
            Export data
          </Button>
          <Button
            size="sm"
            variant="danger"
            onClick={() => {
              erase.reset();
              setConfirming(true);
            }}
          >
            Erase visitor…
          </Button>
        </div>
      ) : null}
      {exporting.error ? <ErrorBox error={exporting.error} title="The export failed." /> : null}
      {confirming ? (
        <EraseVisitorDialog
          email={email ?? visitor.email}
          busy={erase.isPending}
          error={erase.error}
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            if (inFlight.current) return;
            inFlight.current = true;
            erase.mutate(undefined, {
              onSuccess: (r) => {
                setErased(r);
                setConfirming(false);
              },
              onSettled: () => {
                inFlight.current = false;
              },
            });
          }}
        />
      ) : null}
    </div>
  );
}
