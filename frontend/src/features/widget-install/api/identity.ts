import { useMutation, useQueryClient } from '@tanstack/react-query';
import { client, unwrap } from '../../../lib/api';
import { workspaceQuery } from '../../workspaces/api/workspaces';

/** A new identity secret (shown once); an earlier one stops verifying at once. */
export function useRotateIdentitySecret(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(client.POST('/api/v1/workspaces/{ws}/identity-secret', { params: { path: { ws } } })),
    onSettled: () => qc.invalidateQueries({ queryKey: workspaceQuery(ws).queryKey }),
  });
}

/** Verified identity off: identify claims are no longer checked. */
export function useRemoveIdentitySecret(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(client.DELETE('/api/v1/workspaces/{ws}/identity-secret', { params: { path: { ws } } })),
    onSettled: () => qc.invalidateQueries({ queryKey: workspaceQuery(ws).queryKey }),
  });
}

/** What the host page calls once its user is logged in (`hash` comes from its server). */
export const IDENTIFY_SNIPPET = `<script>
  // Before widget.js, or anywhere after it: calls wait until the widget is there.
  window.Handoff = window.Handoff || function () { (Handoff.q = Handoff.q || []).push(arguments); };
  Handoff('identify', {
    user_id: '{{ user.id }}',
    email: '{{ user.email }}',
    name: '{{ user.name }}',
    hash: '{{ hmac_sha256_hex(IDENTITY_SECRET, user.id) }}', // made on your server
  });
  // When the user logs out: Handoff('logout');
</script>`;

/** The hash, on the host's server. */
export const SERVER_SNIPPET = `// Node.js
const hash = require('crypto').createHmac('sha256', process.env.HANDOFF_IDENTITY_SECRET).update(String(user.id)).digest('hex');

# Python
hash = hmac.new(os.environ["HANDOFF_IDENTITY_SECRET"].encode(), str(user.id).encode(), hashlib.sha256).hexdigest()`;
