// Friendly names for the schemas generated from openapi.yaml (src/lib/api-types.ts). When the
// server renames a schema, only this file changes.
import type { components } from './api-types';

type S = components['schemas'];
export type User = S['UserOut'];
export type AuthResponse = S['AuthResponse'];
export type Me = S['Me'];
export type MeWorkspace = S['MeWorkspace'];
export type Plan = S['Plan'];
export type Role = S['Role'];
export type Workspace = S['WorkspaceOut'];
export type MailStatus = S['MailStatus'];
export type Member = S['MemberOut'];
export type Invitation = S['InvitationOut'];
export type ApiKey = S['ApiKeyOut'];
export type CreatedApiKey = S['CreatedApiKey'];
export type Scope = S['Scope'];
export type LintWarning = S['Warning'];
export type TicketSettings = S['TicketSettings'];
export type AiSettings = S['AiSettings'];
export type Article = S['ArticleOut'];
export type Message = S['MessageOut'];
export type Visitor = S['VisitorOut'];
export type ConversationSummary = S['ConversationSummary'];
export type ConversationDetail = S['ConversationDetail'];
export type Ticket = S['TicketOut'];
export type TicketStatus = S['TicketStatus'];
/** The list's `sort` parameter (a plain string in the spec). */
export type TicketSort = 'created_desc' | 'created_asc' | 'updated_desc' | 'priority_desc';
export type TicketPriority = S['TicketPriority'];
export type Tag = S['TagOut'];
export type SavedReply = S['SavedReplyOut'];
export type TicketCounts = S['TicketCounts'];
export type TicketDetail = S['TicketDetail'];
export type TicketEvent = S['TicketEventOut'];
export type TicketLink = S['TicketLink'];
export type BulkRequest = S['BulkIn'];
export type BulkResult = S['BulkOut'];
export type MergeResult = S['MergeOut'];
export type Webhook = S['WebhookOut'];
export type CreatedWebhook = S['CreatedWebhook'];
export type WebhookDelivery = S['WebhookDeliveryOut'];
export type Note = S['NoteOut'];
export type Mention = S['MentionOut'];
export type TicketViewer = S['TicketViewerOut'];
export type TicketViewers = S['TicketViewersOut'];
