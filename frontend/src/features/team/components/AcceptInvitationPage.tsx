import { useEffect, useRef } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ErrorBox, Spinner } from '../../../components/ui';
import { AuthLayout } from '../../auth/components/AuthLayout';
import { useAcceptInvitation } from '../api/team';

export function AcceptInvitationPage() {
  const [sp] = useSearchParams();
  const token = sp.get('token') ?? '';
  const accept = useAcceptInvitation();
  const nav = useNavigate();
  const started = useRef(false);
  useEffect(() => {
    if (!token || started.current) return;
    started.current = true;
    accept.mutate(token, {
      onSuccess: (m) => {
        nav(`/w/${m.workspace_id}/tickets`, { replace: true });
      },
    });
  }, [token, accept, nav]);
  return (
    <AuthLayout title="Joining workspace" footer={<Link to="/">Go to the dashboard</Link>}>
      {!token ? <ErrorBox error={new Error('This invitation link is incomplete.')} /> : null}
      {accept.isPending ? <Spinner label="Accepting invitation…" /> : null}
      {accept.error ? <ErrorBox error={accept.error} /> : null}
    </AuthLayout>
  );
}
