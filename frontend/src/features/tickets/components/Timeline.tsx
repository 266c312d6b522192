import { RelativeTime } from '../../../components/ui';
import type { TicketEvent } from '../../../lib/types';
import { describeEvent } from '../api/timeline';

export function Timeline({ events }: { events: TicketEvent[] }) {
  if (events.length === 0) return <p className="muted">Nothing yet.</p>;
  return (
    <ol className="timeline">
      {events.map((e) => (
        <li key={e.id} className={`tl tl-${e.kind}`}>
          <span className="tl-dot" aria-hidden="true" />
          <div>
            <div className="tl-text">{describeEvent(e)}</div>
            <div className="tl-time">
              <RelativeTime iso={e.created_at} />
            </div>
          </div>
        </li>
      ))}
    </ol>
  );
}
