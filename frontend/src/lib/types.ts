// Friendly names for the generated schema types. When the generated file renames a schema,
// only this file changes.
// Schemas the server's openapi.yaml has come from api-types.ts; the rest, until they land,
// from api-types.pending.ts (generated from openapi.draft.yaml).
import type { components } from './api-types';
import type { components as pending } from './api-types.pending';

type R = components['schemas'];
type S = pending['schemas'];
export type User = R['UserOut'];
export type AuthResponse = R['AuthResponse'];
export type Me = R['Me'];
export type MeWorkspace = R['MeWorkspace'];
export type Plan = R['Plan'];
export type Role = R['Role'];
export type Workspace = R['WorkspaceOut'];
export type Member = R['MemberOut'];
export type Invitation = R['InvitationOut'];
export type ApiKey = R['ApiKeyOut'];
export type CreatedApiKey = R['CreatedApiKey'];
export type LintWarning = R['Warning'];
export type TicketSettings = S['TicketSettings'];
export type AiSettings = R['AiSettings'];
export type Article = R['ArticleOut'];
export type Message = R['MessageOut'];
export type Visitor = S['Visitor'];
export type ConversationSummary = S['ConversationSummary'];
export type ConversationDetail = S['ConversationDetail'];
export type Ticket = S['Ticket'];
export type TicketStatus = S['TicketStatus'];
export type TicketSort = S['TicketSort'];
export type TicketCounts = S['TicketCounts'];
export type TicketDetail = S['TicketDetail'];
export type TicketEvent = S['TicketEvent'];
export type Webhook = S['Webhook'];
export type CreatedWebhook = S['CreatedWebhook'];
export type WebhookDelivery = S['WebhookDelivery'];
