import { useEffect, useState } from 'react';
import { dateTime, relativeTime } from '../../lib/time';

/** "5 min ago", kept fresh every 30 s, with the full date as a tooltip. */
export function RelativeTime({ iso }: { iso: string | null | undefined }) {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 30_000);
    return () => clearInterval(t);
  }, []);
  if (!iso) return <span>—</span>;
  return (
    <time dateTime={iso} title={dateTime(iso)}>
      {relativeTime(iso, now)}
    </time>
  );
}
