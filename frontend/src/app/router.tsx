import { createBrowserRouter, Navigate, Outlet, type RouteObject } from 'react-router';
import { ToastProvider } from '../components/ui/Toast';
import { RequireAuth } from '../features/auth/components/RequireAuth';
import { RouteError, NotFound } from './RouteError';

// Every screen is its own chunk, loaded when first visited; the shell is tiny.
const page = (load: () => Promise<Record<string, unknown>>, name: string) => async () => {
  const m = await load();
  return { Component: m[name] as React.ComponentType };
};

const authed = (el: React.ReactNode) => <RequireAuth>{el}</RequireAuth>;

function Root() {
  return (
    <ToastProvider>
      <Outlet />
    </ToastProvider>
  );
}

const children: RouteObject[] = [
  { path: '/login', lazy: page(() => import('../features/auth/components/LoginPage'), 'LoginPage'), errorElement: <RouteError /> },
  { path: '/verify-email', lazy: page(() => import('../features/auth/components/VerifyEmailPage'), 'VerifyEmailPage'), errorElement: <RouteError /> },
  { path: '/signup', lazy: page(() => import('../features/auth/components/SignupPage'), 'SignupPage'), errorElement: <RouteError /> },
  {
    errorElement: <RouteError />,
    children: [
      {
        path: '/',
        lazy: async () => {
          const { HomeRedirect } = await import('../features/workspaces/components/HomeRedirect');
          return { element: authed(<HomeRedirect />) };
        },
      },
      {
        path: '/workspaces/new',
        lazy: async () => {
          const { CreateWorkspacePage } = await import('../features/workspaces/components/CreateWorkspacePage');
          return { element: authed(<CreateWorkspacePage />) };
        },
      },
      // The invitation email links to /invitations/accept?token=… (api/src/routes/team.rs); /accept-invite is kept as an alias.
      ...['/accept-invite', '/invitations/accept'].map((path) => ({
        path,
        lazy: async () => {
          const { AcceptInvitationPage } = await import('../features/team/components/AcceptInvitationPage');
          return { element: authed(<AcceptInvitationPage />) };
        },
      })),
      {
        path: '/w/:ws',
        lazy: async () => {
          const { AppShell } = await import('./AppShell');
          return { element: authed(<AppShell />) };
        },
        children: [
          { index: true, element: <Navigate to="tickets" replace /> },
          { path: 'tickets', lazy: page(() => import('../features/tickets/components/TicketsPage'), 'TicketsPage'), errorElement: <RouteError /> },
          { path: 'tickets/:ticket', lazy: page(() => import('../features/tickets/components/TicketDetailPage'), 'TicketDetailPage'), errorElement: <RouteError /> },
          { path: 'conversations', lazy: page(() => import('../features/conversations/components/ConversationsPage'), 'ConversationsPage'), errorElement: <RouteError /> },
          { path: 'conversations/:id', lazy: page(() => import('../features/conversations/components/ConversationPage'), 'ConversationPage'), errorElement: <RouteError /> },
          { path: 'ai-instructions', lazy: page(() => import('../features/setup/components/AiInstructionsPage'), 'AiInstructionsPage'), errorElement: <RouteError /> },
          { path: 'knowledge', lazy: page(() => import('../features/knowledge/components/KnowledgePage'), 'KnowledgePage'), errorElement: <RouteError /> },
          { path: 'widget', lazy: page(() => import('../features/widget-install/components/WidgetInstallPage'), 'WidgetInstallPage'), errorElement: <RouteError /> },
          { path: 'mentions', lazy: page(() => import('../features/notes/components/MentionsPage'), 'MentionsPage'), errorElement: <RouteError /> },
          { path: 'tags', lazy: page(() => import('../features/tags/components/TagsPage'), 'TagsPage'), errorElement: <RouteError /> },
          { path: 'saved-replies', lazy: page(() => import('../features/saved-replies/components/SavedRepliesPage'), 'SavedRepliesPage'), errorElement: <RouteError /> },
          { path: 'team', lazy: page(() => import('../features/team/components/TeamPage'), 'TeamPage'), errorElement: <RouteError /> },
          { path: 'api-keys', lazy: page(() => import('../features/api-keys/components/ApiKeysPage'), 'ApiKeysPage'), errorElement: <RouteError /> },
          { path: 'webhooks', lazy: page(() => import('../features/webhooks/components/WebhooksPage'), 'WebhooksPage'), errorElement: <RouteError /> },
          { path: 'settings', lazy: page(() => import('../features/setup/components/SettingsPage'), 'SettingsPage'), errorElement: <RouteError /> },
          { path: 'audit-log', lazy: page(() => import('../features/privacy/components/AuditLogPage'), 'AuditLogPage'), errorElement: <RouteError /> },
          { path: '*', element: <NotFound /> },
        ],
      },
      { path: '*', element: <NotFound /> },
    ],
  },
];

export const routes: RouteObject[] = [{ element: <Root />, children }];

export function makeRouter() {
  return createBrowserRouter(routes);
}
