import type { TicketPriority } from '../../../lib/types';
import { PRIORITY_LABEL } from '../api/labels';

/** Priority as a word with a coloured marker (normal stays quiet). */
export function PriorityBadge({ priority }: { priority: TicketPriority }) {
  return (
    <span className={`priority priority-${priority}`} title={`Priority: ${PRIORITY_LABEL[priority]}`}>
      <span className="priority-mark" aria-hidden="true" />
      {PRIORITY_LABEL[priority]}
    </span>
  );
}
