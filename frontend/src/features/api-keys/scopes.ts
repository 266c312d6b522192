import type { Scope } from '../../lib/types';

/** What each scope allows; a Record, so a scope the server adds is a compile error here. */
const SCOPE_INFO: Record<Scope, { label: string; allows: string }> = {
  'tickets:read': { label: 'Read tickets', allows: 'tickets with their conversation, internal notes and timeline; tags; the team' },
  'tickets:write': { label: 'Work tickets', allows: 'create, change status, assign, reply to visitors (also by email), add notes; live chats' },
  'conversations:read': { label: 'Read all conversations', allows: 'every chat, also those that never became a ticket; the live event stream' },
  'kb:read': { label: 'Read the knowledge base', allows: 'read and search articles' },
  'kb:write': { label: 'Edit the knowledge base', allows: 'create, change and delete articles (what the assistant tells visitors)' },
  admin: { label: 'Workspace settings', allows: 'name and allowed origins, ticket and AI settings, tags, webhooks' },
};

/** Every scope, in the server's order. */
export const SCOPES = (Object.keys(SCOPE_INFO) as Scope[]).map((scope) => ({ scope, ...SCOPE_INFO[scope] }));

/** What the server gives a key when none is named, and what the form starts with. */
export const DEFAULT_SCOPES: Scope[] = ['tickets:read'];
