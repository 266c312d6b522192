import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Alert, Button, Card, ErrorBox, Spinner } from '../../../components/ui';
import { fieldError } from '../../../lib/errors';
import {
  browserNotificationsOn,
  browserNotificationsSupported,
  notificationPrefsQuery,
  setBrowserNotifications,
  useSaveNotificationPrefs,
  type NotificationPrefs,
} from '../api/notifications';

/** Your own notifications in this workspace: email about unread visitor messages, and browser notifications. */
export function NotificationsCard({ ws }: { ws: string }) {
  const prefs = useQuery(notificationPrefsQuery(ws));
  return (
    <Card title="Your notifications" id="notifications">
      {prefs.isPending ? <Spinner /> : null}
      {prefs.error ? <ErrorBox error={prefs.error} onRetry={() => void prefs.refetch()} /> : null}
      {prefs.data ? <EmailPrefs ws={ws} prefs={prefs.data} /> : null}
      <BrowserToggle />
    </Card>
  );
}

function EmailPrefs({ ws, prefs }: { ws: string; prefs: NotificationPrefs }) {
  const save = useSaveNotificationPrefs(ws);
  const [email, setEmail] = useState(prefs.email);
  const [minutes, setMinutes] = useState(String(prefs.delay_minutes));
  useEffect(() => {
    setEmail(prefs.email);
    setMinutes(String(prefs.delay_minutes));
  }, [prefs]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ email, delay_minutes: Number.parseInt(minutes, 10) || 0 });
  };
  const minutesError = fieldError(save.error, 'delay_minutes');
  return (
    <form className="stack narrow" onSubmit={submit}>
      <fieldset className="fieldset stack" aria-describedby="notify-email-hint">
        <legend className="field-label">Email me about a visitor’s message I haven’t read</legend>
        <p className="muted small" id="notify-email-hint">
          Messages into tickets assigned to you, unassigned tickets, and conversations you took over.
        </p>
        <label className="check">
          <input type="radio" name="notify-email" checked={email === 'off'} onChange={() => setEmail('off')} />
          <span>Off</span>
        </label>
        <label className="check">
          <input type="radio" name="notify-email" checked={email === 'immediately'} onChange={() => setEmail('immediately')} />
          <span>Immediately</span>
        </label>
        <div className="check notify-delay">
          <input type="radio" name="notify-email" id="notify-delayed" checked={email === 'delayed'} onChange={() => setEmail('delayed')} />
          <label htmlFor="notify-delayed">When I haven’t read it after</label>
          <input
            className="input input-small"
            type="number"
            min={1}
            max={1440}
            aria-label="Minutes"
            value={minutes}
            onChange={(e) => {
              setMinutes(e.target.value);
              setEmail('delayed');
            }}
            aria-invalid={minutesError ? true : undefined}
          />
          <span>minutes</span>
        </div>
        {minutesError ? <p className="field-error">{minutesError}</p> : null}
      </fieldset>
      <div className="row-end">
        <Button type="submit" variant="primary" busy={save.isPending}>
          Save notifications
        </Button>
      </div>
      {save.error && !minutesError ? <ErrorBox error={save.error} /> : null}
      {save.isSuccess ? <Alert kind="success">Saved.</Alert> : null}
    </form>
  );
}

function BrowserToggle() {
  const [on, setOn] = useState(browserNotificationsOn());
  const [denied, setDenied] = useState(false);
  if (!browserNotificationsSupported()) return <p className="muted small">This browser can’t show notifications.</p>;
  return (
    <div className="stack narrow notify-browser">
      <label className="check">
        <input
          type="checkbox"
          checked={on}
          onChange={(e) => {
            const want = e.target.checked;
            void setBrowserNotifications(want).then((now) => {
              setOn(now);
              setDenied(want && !now);
            });
          }}
        />
        <span>Browser notifications when the dashboard is in the background</span>
      </label>
      <p className="muted small" role="status">
        {on ? 'On in this browser.' : denied ? 'The browser did not allow notifications: allow them for this site in its settings.' : 'Off in this browser.'}
      </p>
    </div>
  );
}
