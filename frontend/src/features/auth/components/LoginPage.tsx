import { useState, type FormEvent } from 'react';
import { Link, Navigate, useSearchParams } from 'react-router';
import { Button, ErrorBox, TextField } from '../../../components/ui';
import { useLogin, useSession } from '../api/auth';
import { AuthLayout } from './AuthLayout';

export function LoginPage() {
  const session = useSession();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const login = useLogin();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  if (session) return <Navigate to={next} replace />;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate({ email: email.trim(), password });
  };
  return (
    <AuthLayout
      title="Log in"
      footer={
        <>
          New to Handoff? <Link to={`/signup${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`}>Create an account</Link>
        </>
      }
    >
      <form onSubmit={submit} className="stack">
        {login.error ? <ErrorBox error={login.error} /> : null}
        <TextField label="Email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        <TextField label="Password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <Button type="submit" variant="primary" busy={login.isPending} className="btn-block">
          Log in
        </Button>
      </form>
    </AuthLayout>
  );
}

/** Only same-app paths, never another origin. */
export function safeNext(v: string | null): string {
  if (!v || !v.startsWith('/') || v.startsWith('//')) return '/';
  return v;
}
