import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { Spinner } from '../../../components/ui';
import { useAuthStatus, useSession } from '../api/auth';

export function RequireAuth({ children }: { children: ReactNode }) {
  const session = useSession();
  const status = useAuthStatus();
  const loc = useLocation();
  if (!session && status === 'restoring') return <Spinner />;
  if (!session) {
    const next = loc.pathname + loc.search;
    return <Navigate to={next && next !== '/' ? `/login?next=${encodeURIComponent(next)}` : '/login'} replace />;
  }
  return <>{children}</>;
}
