import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { client, unwrap } from '../../../lib/api';
import { clearSession, getSession, sessionFrom, setSession, subscribe } from '../../../lib/auth-store';

export function useSession() {
  return useSyncExternalStore(subscribe, getSession, getSession);
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
      setSession(sessionFrom(data));
    },
  });
}

export function useRegister() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; password: string; name: string }) => unwrap(client.POST('/api/v1/auth/register', { body })),
    onSuccess: (data) => {
      qc.clear();
      setSession(sessionFrom(data));
    },
  });
}

export function useLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      const s = getSession();
      if (s) await client.POST('/api/v1/auth/logout', { body: { refresh_token: s.refreshToken } }).catch(() => undefined);
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
