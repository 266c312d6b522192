import { useQuery } from '@tanstack/react-query';
import { Navigate } from 'react-router';
import { ErrorBox, Spinner } from '../../../components/ui';
import { meQuery } from '../../auth/api/auth';
import { lastWorkspace } from '../api/workspaces';

/** "/" → the last workspace used, else the first one, else "create a workspace". */
export function HomeRedirect() {
  const me = useQuery(meQuery());
  if (me.isPending) return <div className="center-page"><Spinner /></div>;
  if (me.error) return <div className="center-page"><ErrorBox error={me.error} onRetry={() => void me.refetch()} /></div>;
  const list = me.data.workspaces;
  if (list.length === 0) return <Navigate to="/workspaces/new" replace />;
  const last = lastWorkspace();
  const target = list.find((w) => w.id === last) ?? list[0];
  return <Navigate to={`/w/${target.id}/tickets`} replace />;
}
