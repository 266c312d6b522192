import { useEffect, useRef } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Alert, ErrorBox, Spinner } from '../../../components/ui';
import { useSession, useVerifyEmail } from '../api/auth';
import { AuthLayout } from './AuthLayout';

/** The link in the sign-up mail lands here: it confirms the address with the token. */
export function VerifyEmailPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const session = useSession();
  const verify = useVerifyEmail();
  const sent = useRef(false);
  useEffect(() => {
    if (token && !sent.current) {
      sent.current = true;
      verify.mutate(token);
    }
  }, [token, verify]);
  return (
    <AuthLayout title="Confirm your email" footer={<Link to={session ? '/' : '/login'}>{session ? 'Go to your workspaces' : 'Log in'}</Link>}>
      {!token ? <Alert kind="error">This link has no token. Open the link from the mail again.</Alert> : null}
      {verify.isPending ? <Spinner /> : null}
      {verify.error ? <ErrorBox error={verify.error} /> : null}
      {verify.isSuccess ? <Alert kind="success">Your email address {verify.data.email} is confirmed. You can invite your team now.</Alert> : null}
    </AuthLayout>
  );
}
