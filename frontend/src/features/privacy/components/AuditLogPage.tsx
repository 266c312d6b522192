import { useInfiniteQuery } from '@tanstack/react-query';
import { Alert, Empty, ErrorBox, LoadMore, PageHeader, RelativeTime, Spinner } from '../../../components/ui';
import type { AuditEvent } from '../../../lib/types';
import { isAdmin, useMyRole, useWs } from '../../workspaces/api/workspaces';
import { actorText, auditDetails, auditText } from '../api/audit';
import { auditLogQuery } from '../api/privacy';

const SUBTITLE = 'What your team changed: settings, plan, members, API keys, webhooks, exports and erasures.';

/** Audit log (owners and admins): who changed what, newest first. */
export function AuditLogPage() {
  const ws = useWs();
  const role = useMyRole(ws);
  return (
    <div className="page">
      <PageHeader title="Audit log" subtitle={SUBTITLE} />
      {role === undefined ? <Spinner /> : isAdmin(role) ? <AuditLog ws={ws} /> : <Alert kind="info">Only owners and admins can see the audit log.</Alert>}
    </div>
  );
}

function AuditLog({ ws }: { ws: string }) {
  const list = useInfiniteQuery(auditLogQuery(ws));
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section className="card card-flush-body" aria-label="Audit log entries">
      {list.isPending ? <Spinner label="Loading the audit log…" /> : null}
      {list.error ? <ErrorBox error={list.error} onRetry={() => void list.refetch()} /> : null}
      {list.isSuccess && items.length === 0 ? <Empty title="Nothing recorded yet">Changes your team makes show up here.</Empty> : null}
      {items.length ? (
        <div className="table-scroll">
          <table className="table audit-log">
            <caption className="sr-only">Audit log</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <AuditRow key={e.id} e={e} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <LoadMore list={list} />
    </section>
  );
}

function AuditRow({ e }: { e: AuditEvent }) {
  const details = auditDetails(e);
  return (
    <tr data-action={e.action}>
      <td className="audit-when">
        <RelativeTime iso={e.created_at} />
      </td>
      <td className="audit-who">{actorText(e.actor, e.action)}</td>
      <td className="audit-what break">{auditText(e)}</td>
      <td className="audit-details break muted">{details || '—'}</td>
    </tr>
  );
}
