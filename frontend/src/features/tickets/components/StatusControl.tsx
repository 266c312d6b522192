import type { Ref } from 'react';
import { Button } from '../../../components/ui';
import { statusActions } from '../../../lib/status';
import type { TicketStatus } from '../../../lib/types';

/** Buttons for exactly the moves the workflow allows from `status` (`groupRef`: their group, which the ticket page's `s` focuses). */
export function StatusControl({
  status,
  onMove,
  busyTo,
  disabled,
  groupRef,
}: {
  status: TicketStatus;
  onMove: (to: TicketStatus) => void;
  busyTo?: TicketStatus | null;
  disabled?: boolean;
  groupRef?: Ref<HTMLDivElement>;
}) {
  const actions = statusActions(status);
  return (
    <div className="status-control" role="group" aria-label="Change status" ref={groupRef} aria-keyshortcuts="s">
      {actions.map((a) => (
        <Button
          key={a.to}
          size="sm"
          variant={a.label === 'Reopen' ? 'secondary' : a.to === 'resolved' ? 'primary' : 'secondary'}
          onClick={() => onMove(a.to)}
          busy={busyTo === a.to}
          disabled={disabled}
          data-status={a.to}
        >
          {a.label}
        </Button>
      ))}
    </div>
  );
}
