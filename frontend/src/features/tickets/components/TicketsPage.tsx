import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router';
import { Alert, Button, Empty, ErrorBox, LoadMore, PageHeader, Spinner } from '../../../components/ui';
import { meQuery } from '../../auth/api/auth';
import { LintWarnings } from '../../setup/components/LintWarnings';
import { SetupCard } from '../../setup/components/SetupCard';
import { ticketSettingsQuery } from '../../setup/api/setup';
import { tagsQuery } from '../../tags/api/tags';
import { membersQuery } from '../../team/api/team';
import { isAdmin, useMyRole, useWs, workspaceQuery } from '../../workspaces/api/workspaces';
import { useShortcuts } from '../../../lib/shortcuts';
import { listStateToSearch, parseListState, type TicketListState } from '../api/list-params';
import { lastOpenedTicket, rememberListSearch } from '../api/list-memory';
import { ticketCountsQuery, ticketListQuery } from '../api/tickets';
import { useLiveStatus } from '../api/live';
import { useTicketSelection } from '../api/selection';
import { BulkBar } from './BulkBar';
import { NewTicketForm } from './NewTicketForm';
import { TicketFilters } from './TicketFilters';
import { TicketTable } from './TicketTable';

export function TicketsPage() {
  const ws = useWs();
  const role = useMyRole(ws);
  const me = useQuery(meQuery());
  const workspace = useQuery(workspaceQuery(ws));
  const settings = useQuery(ticketSettingsQuery(ws));
  const [sp, setSp] = useSearchParams();
  const state = parseListState(sp);
  const setState = (s: TicketListState) => setSp(listStateToSearch(s), { replace: true });

  const enabled = settings.data?.enabled ?? false;
  const counts = useQuery({ ...ticketCountsQuery(ws), enabled: settings.isSuccess });
  const members = useQuery(membersQuery(ws));
  const tags = useQuery(tagsQuery(ws));
  const list = useInfiniteQuery({ ...ticketListQuery(ws, state), enabled: settings.isSuccess });
  const tickets = list.data?.pages.flatMap((p) => p.items) ?? [];
  const anyTickets = (counts.data?.all ?? tickets.length) > 0;
  const live = useLiveStatus();
  const [creating, setCreating] = useState(false);
  // Bulk actions: the ticked tickets of the page, and what the last change did.
  const ids = useMemo(() => tickets.map((t) => t.id), [tickets]);
  const selection = useTicketSelection(ids);
  const [bulkDone, setBulkDone] = useState<{ text: string; refused: boolean } | null>(null);
  const query = sp.toString();
  const clearSelection = selection.clear;
  useEffect(() => clearSelection(), [query, clearSelection]);

  // The keyboard: j/k move the current row (starting from the ticket last opened), Enter
  // opens it, / goes to the search box (also when a ticket page sent us here with /).
  const navigate = useNavigate();
  const location = useLocation();
  const [current, setCurrent] = useState<string | null>(() => lastOpenedTicket(ws));
  const table = useRef<HTMLDivElement>(null);
  const search = useRef<HTMLInputElement>(null);
  const wantSearch = useRef(Boolean((location.state as { focusSearch?: boolean } | null)?.focusSearch));
  useEffect(() => rememberListSearch(ws, query), [ws, query]);
  useEffect(() => {
    if (wantSearch.current && search.current) {
      wantSearch.current = false;
      search.current.focus();
    }
  });
  const move = (by: 1 | -1) => {
    if (!tickets.length) return;
    const at = tickets.findIndex((t) => t.number === current);
    const next = tickets[at < 0 ? 0 : Math.min(tickets.length - 1, Math.max(0, at + by))];
    setCurrent(next.number);
    const row = Array.from(table.current?.querySelectorAll<HTMLElement>('[data-ticket]') ?? []).find((r) => r.dataset.ticket === next.number);
    row?.focus({ preventScroll: true });
    row?.scrollIntoView?.({ block: 'nearest' });
  };
  const cursorTicket = tickets.find((t) => t.number === current);
  useShortcuts({
    j: { run: () => move(1), repeat: true },
    k: { run: () => move(-1), repeat: true },
    Enter: current && tickets.some((t) => t.number === current) ? () => navigate(`/w/${ws}/tickets/${current}`) : null,
    x: cursorTicket ? () => selection.toggle(cursorTicket.id) : null,
    '/': () => search.current?.focus(),
  });

  return (
    <div className="page">
      <PageHeader
        title={
          <>
            Tickets
            {enabled ? (
              <span className={`live live-${live}`} title={live === 'open' ? 'New tickets appear here as they arrive' : 'Reconnecting to live updates…'}>
                <span className="live-dot" aria-hidden="true" />
                {live === 'open' ? 'Live' : 'Connecting…'}
              </span>
            ) : null}
          </>
        }
        subtitle={
          enabled ? (
            <>
              AI creates tickets when it can’t help.
              {settings.data?.notification_email ? <> New ticket notifications go to {settings.data.notification_email}.</> : null}
            </>
          ) : undefined
        }
        actions={
          enabled ? (
            <>
              {isAdmin(role) ? (
                <Link to={`/w/${ws}/settings`} className="btn btn-secondary btn-sm">
                  Ticket settings
                </Link>
              ) : null}
              {!creating ? (
                <Button size="sm" variant="primary" onClick={() => setCreating(true)}>
                  New ticket
                </Button>
              ) : null}
            </>
          ) : undefined
        }
      />
      {settings.isPending || workspace.isPending ? <Spinner /> : null}
      {settings.error ? <ErrorBox error={settings.error} onRetry={() => void settings.refetch()} /> : null}
      {workspace.error ? <ErrorBox error={workspace.error} onRetry={() => void workspace.refetch()} /> : null}
      {settings.data && workspace.data && !settings.data.enabled ? (
        <SetupCard ws={ws} plan={workspace.data.plan} settings={settings.data} canManage={isAdmin(role)} defaultEmail={me.data?.email} />
      ) : null}
      {creating ? <NewTicketForm ws={ws} onCancel={() => setCreating(false)} /> : null}
      {settings.data && settings.data.instruction_warnings.length > 0 ? (
        <LintWarnings warnings={settings.data.instruction_warnings} editHref={`/w/${ws}/ai-instructions`} compact={enabled} />
      ) : null}
      {settings.isSuccess && (enabled || anyTickets) ? (
        <section aria-label="Ticket list" className="card card-flush">
          <TicketFilters state={state} onChange={setState} counts={counts.data} members={members.data?.items} tags={tags.data} searchRef={search} />
          {counts.error ? <ErrorBox error={counts.error} title="Counts unavailable." /> : null}
          {list.isPending ? <Spinner label="Loading tickets…" /> : null}
          {list.error ? <ErrorBox error={list.error} onRetry={() => void list.refetch()} /> : null}
          {list.isSuccess && tickets.length === 0 ? (
            state.filter === 'all' && !state.q && !state.assignee && !state.tag ? (
              <Empty title="No tickets yet">When the AI can’t help a visitor, it creates a ticket and it shows up here instantly.</Empty>
            ) : (
              <Empty title="No tickets match these filters" />
            )
          ) : null}
          {bulkDone ? (
            <div className="ticket-list-summary">
              <Alert kind={bulkDone.refused ? 'warning' : 'success'} onDismiss={() => setBulkDone(null)}>
                {bulkDone.text}
              </Alert>
            </div>
          ) : null}
          {selection.some ? (
            <BulkBar
              ws={ws}
              selected={selection.ids}
              known={tickets}
              members={members.data?.items}
              tags={tags.data}
              meId={me.data?.id}
              onClear={selection.clear}
              onDone={(text, r) => {
                setBulkDone({ text, refused: r.refused.length > 0 });
                selection.clear();
              }}
            />
          ) : null}
          {tickets.length > 0 ? (
            <TicketTable
              ws={ws}
              tickets={tickets}
              sort={state.sort}
              canManageTags={isAdmin(role)}
              current={current}
              onCurrent={setCurrent}
              tableRef={table}
              selection={selection}
            />
          ) : null}
          <LoadMore list={list} />
        </section>
      ) : null}
    </div>
  );
}
