import { useState, type FormEvent } from 'react';
import { Link, Navigate, useSearchParams } from 'react-router';
import { Button, ErrorBox, TextField } from '../../../components/ui';
import { fieldError } from '../../../lib/errors';
import { useRegister, useSession } from '../api/auth';
import { AuthLayout } from './AuthLayout';
import { safeNext } from './LoginPage';

export function SignupPage() {
  const session = useSession();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const register = useRegister();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  if (session) return <Navigate to={next === '/' ? '/workspaces/new' : next} replace />;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    register.mutate({ name: name.trim(), email: email.trim(), password });
  };
  const err = register.error;
  return (
    <AuthLayout
      title="Create your account"
      footer={
        <>
          Already have an account? <Link to={`/login${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`}>Log in</Link>
        </>
      }
    >
      <form onSubmit={submit} className="stack">
        {err && !fieldError(err, 'email') && !fieldError(err, 'password') && !fieldError(err, 'name') ? <ErrorBox error={err} /> : null}
        <TextField label="Your name" autoComplete="name" required value={name} onChange={(e) => setName(e.target.value)} error={fieldError(err, 'name')} autoFocus />
        <TextField label="Work email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} error={fieldError(err, 'email')} />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          hint="At least 8 characters."
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={fieldError(err, 'password')}
        />
        <Button type="submit" variant="primary" busy={register.isPending} className="btn-block">
          Create account
        </Button>
      </form>
    </AuthLayout>
  );
}
