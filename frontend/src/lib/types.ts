// Friendly names for the generated schema types. When the generated file renames a schema,
// only this file changes.
import type { components } from './api-types';

type S = components['schemas'];
export type User = S['User'];
export type AuthResponse = S['AuthResponse'];
export type Me = S['Me'];
export type MeWorkspace = S['MeWorkspace'];
export type Plan = S['Plan'];
export type Role = S['Role'];
export type Workspace = S['Workspace'];
export type Member = S['Member'];
export type Invitation = S['Invitation'];
export type ApiKey = S['ApiKey'];
export type CreatedApiKey = S['CreatedApiKey'];
export type LintWarning = S['Warning'];
export type TicketSettings = S['TicketSettings'];
export type AiSettings = S['AiSettings'];
export type Article = S['Article'];
export type Message = S['Message'];
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
