import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { client, unwrap } from '../../../lib/api';
import { clearSession, getAuthStatus, getSession, sessionFrom, signedIn, subscribe } from '../../../lib/auth-store';

export function useSession() {
  return useSyncExternalStore(subscribe, getSession, getSession);
}

/** `restoring` while the page trades its refresh cookie for a session. */
export function useAuthStatus() {
  return useSyncExternalStore(subscribe, getAuthStatus, getAuthStatus);
}

export const meQuery = () =>
  queryOptions({
    queryKey: ['me'],
    queryFn: () => unwrap(client.GET('/api/v1/me')),
    staleTime: 60_000,
  });

export function useLogin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; password: string }) => unwrap(client.POST('/api/v1/auth/login', { body })),
    onSuccess: (data) => {
      qc.clear();
      signedIn(sessionFrom(data));
    },
  });
}

export function useRegister() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; password: string; name: string }) => unwrap(client.POST('/api/v1/auth/register', { body })),
    onSuccess: (data) => {
      qc.clear();
      signedIn(sessionFrom(data));
    },
  });
}

export function useLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      // `{}`: the server revokes the session its cookie names, and removes the cookie.
      if (getSession()) await client.POST('/api/v1/auth/logout', { body: {} }).catch(() => undefined);
    },
    onSettled: () => {
      clearSession();
      qc.clear();
    },
  });
}

export function useVerifyEmail() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (token: string) => unwrap(client.POST('/api/v1/auth/verify-email', { body: { token } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['me'] }),
  });
}

export function useResendVerification() {
  return useMutation({
    mutationFn: () => unwrap(client.POST('/api/v1/auth/verify-email/resend')),
  });
}
