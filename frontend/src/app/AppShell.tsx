import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigation } from 'react-router';
import { ErrorBox, ShortcutsDialog } from '../components/ui';
import { useShortcuts } from '../lib/shortcuts';
import { ApiError } from '../lib/errors';
import { meQuery, useLogout, useResendVerification, useSession } from '../features/auth/api/auth';
import { useLiveWorkspace } from '../features/tickets/api/live';
import { ticketCountsQuery } from '../features/tickets/api/tickets';
import { unreadMentionsQuery } from '../features/notes/api/notes';
import { isAdmin, rememberWorkspace, useMyRole, useWs, workspaceQuery } from '../features/workspaces/api/workspaces';
import { WorkspaceSwitcher } from '../features/workspaces/components/WorkspaceSwitcher';

interface NavItem {
  to: string;
  label: string;
  icon: string;
  admin?: boolean;
}

const NAV: NavItem[] = [
  { to: 'tickets', label: 'Tickets', icon: 'M4 6h16v4a2 2 0 0 0 0 4v4H4v-4a2 2 0 0 0 0-4z' },
  { to: 'conversations', label: 'Conversations', icon: 'M4 5h16v10H9l-5 4z' },
  { to: 'mentions', label: 'Mentions', icon: 'M16 12a4 4 0 1 1-8 0 4 4 0 0 1 8 0zM16 12v1.5a2.5 2.5 0 0 0 5 0V12a9 9 0 1 0-3.5 7.1' },
  { to: 'tags', label: 'Tags', icon: 'M4 4h7l9 9-7 7-9-9zM8 8h.01' },
  { to: 'saved-replies', label: 'Saved replies', icon: 'M5 5h14v10H9l-4 4zM9 9h6M9 12h4' },
  { to: 'ai-instructions', label: 'AI Instructions', icon: 'M12 3l2.5 5.5L20 11l-5.5 2.5L12 19l-2.5-5.5L4 11l5.5-2.5z' },
  { to: 'knowledge', label: 'Knowledge base', icon: 'M5 4h10l4 4v12H5zM14 4v5h5' },
  { to: 'widget', label: 'Widget', icon: 'M8 9l-4 3 4 3M16 9l4 3-4 3M13 6l-2 12' },
  { to: 'team', label: 'Team', icon: 'M9 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM3 19c0-3 3-5 6-5s6 2 6 5M16 5a3 3 0 0 1 0 6M18 14c2 .5 3 2.5 3 5' },
  { to: 'api-keys', label: 'API keys', icon: 'M14 10a4 4 0 1 0-3.5 4L12 16h2v2h2v2h4v-4z', admin: true },
  { to: 'webhooks', label: 'Webhooks', icon: 'M12 4v6M6 14a4 4 0 1 0 4 4h8M18 14a4 4 0 1 0-4-4', admin: true },
  { to: 'settings', label: 'Settings', icon: 'M12 9a3 3 0 1 0 0 6 3 3 0 0 0 0-6zM4 12h2M18 12h2M12 4v2M12 18v2M6.3 6.3l1.4 1.4M16.3 16.3l1.4 1.4M6.3 17.7l1.4-1.4M16.3 7.7l1.4-1.4' },
  { to: 'audit-log', label: 'Audit log', icon: 'M7 4h10v16H7zM10 8h4M10 12h4M10 16h2', admin: true },
];

export function AppShell() {
  const ws = useWs();
  const session = useSession();
  const me = useQuery(meQuery());
  const workspace = useQuery(workspaceQuery(ws));
  const role = useMyRole(ws);
  const counts = useQuery({ ...ticketCountsQuery(ws), enabled: workspace.isSuccess && workspace.data.plan !== 'free', retry: false });
  const openCount = counts.data?.open ?? 0;
  const mentions = useQuery({ ...unreadMentionsQuery(ws), enabled: workspace.isSuccess });
  const unreadMentions = mentions.data ?? 0;
  const logout = useLogout();
  const loc = useLocation();
  const navigation = useNavigation();
  const [menuOpen, setMenuOpen] = useState(false);
  const menuBtn = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setMenuOpen(false);
        menuBtn.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [menuOpen]);
  useLiveWorkspace(ws);
  // `?` anywhere lists the keyboard shortcuts (also the button under the navigation).
  const [helpOpen, setHelpOpen] = useState(false);
  useShortcuts({ '?': () => setHelpOpen(true) });

  useEffect(() => {
    if (workspace.isSuccess) rememberWorkspace(ws);
  }, [ws, workspace.isSuccess]);
  useEffect(() => setMenuOpen(false), [loc.pathname]);
  useEffect(() => {
    const name = workspace.data?.name;
    document.title = name ? `${name} · Handoff` : 'Handoff';
  }, [workspace.data?.name]);

  const items = NAV.filter((n) => !n.admin || role === undefined || isAdmin(role));
  const userName = me.data?.name ?? session?.user.name ?? '';

  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <button ref={menuBtn} type="button" className="menu-btn" aria-expanded={menuOpen} aria-controls="sidenav" onClick={() => setMenuOpen(!menuOpen)}>
          <span className="sr-only">Menu</span>
          <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
            <path d="M4 7h16M4 12h16M4 17h16" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
          </svg>
        </button>
        <Link to="/" className="brand" aria-label="Handoff home">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">Handoff</span>
        </Link>
        <WorkspaceSwitcher current={ws} />
        <div className="topbar-right">
          <span className="user-name" title={me.data?.email}>
            {userName}
          </span>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => logout.mutate()}>
            Log out
          </button>
        </div>
        {navigation.state === 'loading' ? <div className="route-progress" aria-hidden="true" /> : null}
      </header>
      <div className="shell-body">
        <nav id="sidenav" className={`sidenav ${menuOpen ? 'is-open' : ''}`} aria-label="Main">
          <ul>
            {items.map((n) => (
              <li key={n.to}>
                <NavLink to={`/w/${ws}/${n.to}`} className={({ isActive }) => `nav-link ${isActive ? 'is-active' : ''}`}>
                  <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" className="nav-icon">
                    <path d={n.icon} fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
                  </svg>
                  {n.label}
                  {n.to === 'tickets' && openCount > 0 ? (
                    <span className="nav-badge" aria-label={`${openCount} open`}>
                      {openCount > 99 ? '99+' : openCount}
                    </span>
                  ) : null}
                  {n.to === 'mentions' && unreadMentions > 0 ? (
                    <span className="nav-badge" data-testid="mentions-badge" aria-label={`${unreadMentions} unread`}>
                      {unreadMentions > 99 ? '99+' : unreadMentions}
                    </span>
                  ) : null}
                </NavLink>
              </li>
            ))}
          </ul>
          <button type="button" className="nav-link nav-shortcuts" onClick={() => setHelpOpen(true)} aria-keyshortcuts="?">
            <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" className="nav-icon">
              <path d="M3 7h18v10H3zM7 11h.01M11 11h.01M15 11h.01M8 14h8" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
            </svg>
            Keyboard shortcuts
            <kbd className="nav-kbd" aria-hidden="true">?</kbd>
          </button>
        </nav>
        {helpOpen ? <ShortcutsDialog onClose={() => setHelpOpen(false)} /> : null}
        {menuOpen ? <div className="backdrop" aria-hidden="true" onClick={() => setMenuOpen(false)} /> : null}
        <main id="main" className="main" tabIndex={-1}>
          {me.data && !me.data.email_verified ? <VerifyBanner email={me.data.email} /> : null}
          {workspace.error ? (
            <div className="page">
              <ErrorBox error={workspace.error instanceof ApiError && workspace.error.status === 404 ? new Error('This workspace does not exist or you are not a member of it.') : workspace.error} />
              <p>
                <Link to="/">Go to your workspaces</Link>
              </p>
            </div>
          ) : (
            <Outlet />
          )}
        </main>
      </div>
    </div>
  );
}

/** Until the address is confirmed, invitations wait: say so, and offer a new link. */
function VerifyBanner({ email }: { email: string }) {
  const resend = useResendVerification();
  return (
    <div className="alert alert-info verify-banner" role="status">
      <div>
        <strong>Confirm your email address.</strong> We sent a link to {email}; you can invite your team once it is confirmed.{' '}
        {resend.isSuccess ? (
          'A new link is on its way.'
        ) : (
          <button type="button" className="btn btn-ghost btn-sm" disabled={resend.isPending} onClick={() => resend.mutate()}>
            Mail me a new link
          </button>
        )}
        {resend.error ? <ErrorBox error={resend.error} /> : null}
      </div>
    </div>
  );
}
