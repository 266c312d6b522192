//! Row structs (Queryable/Selectable) and insert forms (Insertable) for every table.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::schema::*;
use crate::domain::enums::{
    ActorKind, Plan, Role, Sender, TicketCategory, TicketPriority, TicketSource, TicketStatus,
};
use crate::domain::tickets::{TicketsUnavailable, tickets_available};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// An instance operator: sets workspace plans (`handoff operator grant`).
    pub is_operator: bool,
    /// When the user confirmed their email; `None` until then.
    pub email_verified_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub id: Uuid,
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub email_verified_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = workspaces, check_for_backend(diesel::pg::Pg))]
pub struct Workspace {
    pub id: Uuid,
    pub name: String,
    pub plan: Plan,
    pub widget_key: String,
    pub allowed_origins: Vec<String>,
    pub widget_color: String,
    pub greeting: String,
    pub tickets_enabled: bool,
    pub notification_email: Option<String>,
    pub ai_instructions: String,
    pub reply_sets_in_progress: bool,
    pub ticket_counter: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The sender of ticket mail; the instance's `MAIL_FROM` when unset.
    pub mail_sender_name: Option<String>,
    pub mail_sender_address: Option<String>,
    /// Replies by email come back into the ticket (Pro, with `INBOUND_DOMAIN` set).
    pub email_replies: bool,
    /// The visitor gets "We got your request TKT-10001" when a ticket is created.
    pub acknowledge_tickets: bool,
    /// The key of verified identity (HMAC-SHA256 of the host's user id); `None`: off.
    pub identity_secret: Option<String>,
    pub identity_secret_created_at: Option<DateTime<Utc>>,
    /// The widget's language when the visitor's browser language is none it speaks
    /// (`domain::locale::Lang`; a CHECK keeps it one of them).
    pub default_language: String,
    /// The retention policy: conversations without a ticket deleted, closed tickets
    /// anonymised, after this many days (`None`: kept).
    pub retain_conversations_days: Option<i32>,
    pub anonymise_closed_tickets_days: Option<i32>,
}

impl Workspace {
    pub fn default_lang(&self) -> crate::domain::locale::Lang {
        crate::domain::locale::Lang::from_tag(&self.default_language).unwrap_or_default()
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = workspaces)]
pub struct NewWorkspace<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub plan: Plan,
    pub widget_key: &'a str,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = workspaces)]
pub struct WorkspaceChanges {
    pub name: Option<String>,
    pub plan: Option<Plan>,
    pub allowed_origins: Option<Vec<String>>,
    pub widget_color: Option<String>,
    pub greeting: Option<String>,
    pub default_language: Option<String>,
}

impl WorkspaceChanges {
    /// Nothing to change (diesel refuses an empty `SET`).
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.plan.is_none()
            && self.allowed_origins.is_none()
            && self.widget_color.is_none()
            && self.greeting.is_none()
            && self.default_language.is_none()
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = memberships, check_for_backend(diesel::pg::Pg))]
pub struct Membership {
    pub workspace_id: Uuid,
    pub user_id: Uuid,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invitations, check_for_backend(diesel::pg::Pg))]
pub struct Invitation {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub email: String,
    pub role: Role,
    pub token_hash: String,
    pub invited_by: Option<Uuid>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = invitations)]
pub struct NewInvitation<'a> {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub email: &'a str,
    pub role: Role,
    pub token_hash: &'a str,
    pub invited_by: Option<Uuid>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens, check_for_backend(diesel::pg::Pg))]
pub struct RefreshToken {
    pub id: Uuid,
    pub user_id: Uuid,
    pub family_id: Uuid,
    pub token_hash: String,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub family_expires_at: DateTime<Utc>,
    pub replaced_by: Option<Uuid>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct NewRefreshToken<'a> {
    pub id: Uuid,
    pub user_id: Uuid,
    pub family_id: Uuid,
    pub token_hash: &'a str,
    pub expires_at: DateTime<Utc>,
    pub family_expires_at: DateTime<Utc>,
}

/// A single-use ticket that opens one SSE stream (`services::streams`).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = stream_tickets, check_for_backend(diesel::pg::Pg))]
pub struct StreamTicket {
    pub token_hash: String,
    pub workspace_id: Uuid,
    pub user_id: Option<Uuid>,
    pub session_id: Option<Uuid>,
    pub api_key_id: Option<Uuid>,
    pub visitor_id: Option<Uuid>,
    pub access_expires_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys, check_for_backend(diesel::pg::Pg))]
pub struct ApiKey {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    pub prefix: String,
    pub key_hash: String,
    pub created_by: Option<Uuid>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Scope names (`domain::scopes::Scope`); a CHECK keeps them known and non-empty.
    pub scopes: Vec<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = api_keys)]
pub struct NewApiKey<'a> {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: &'a str,
    pub prefix: &'a str,
    pub key_hash: &'a str,
    pub created_by: Option<Uuid>,
    pub scopes: Vec<&'static str>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox_jobs, check_for_backend(diesel::pg::Pg))]
pub struct OutboxJob {
    pub id: i64,
    pub workspace_id: Option<Uuid>,
    pub kind: String,
    pub payload: serde_json::Value,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: DateTime<Utc>,
    pub locked_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub done_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Why the due job waits (`mail_quota`), not an error.
    pub waiting: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = visitors, check_for_backend(diesel::pg::Pg))]
pub struct Visitor {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub email: Option<String>,
    pub name: Option<String>,
    pub country: Option<String>,
    pub browser: Option<String>,
    pub os: Option<String>,
    pub device_kind: Option<String>,
    pub user_agent: Option<String>,
    pub page_url: Option<String>,
    pub referrer: Option<String>,
    pub locale: Option<String>,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The host's user id of a verified visitor (`Handoff('identify', …)`).
    pub external_id: Option<String>,
    pub verified_at: Option<DateTime<Utc>>,
    /// Erased (`services::privacy`): every field above that said who they are is empty.
    pub erased_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Insertable)]
#[diesel(table_name = visitors)]
pub struct NewVisitor {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub email: Option<String>,
    pub country: Option<String>,
    pub browser: Option<String>,
    pub os: Option<String>,
    pub device_kind: Option<String>,
    pub user_agent: Option<String>,
    pub page_url: Option<String>,
    pub referrer: Option<String>,
    pub locale: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = conversations, check_for_backend(diesel::pg::Pg))]
pub struct Conversation {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub visitor_id: Uuid,
    pub flow: serde_json::Value,
    pub visitor_unread_count: i32,
    pub visitor_last_read_at: Option<DateTime<Utc>>,
    pub last_message_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub taken_over_at: Option<DateTime<Utc>>,
    pub taken_over_by: Option<Uuid>,
    pub taken_over_name: Option<String>,
    pub agent_active_at: Option<DateTime<Utc>>,
    pub waiting_since: Option<DateTime<Utc>>,
    pub visitor_online_until: Option<DateTime<Utc>>,
    /// The conversation that took this one's messages when its ticket was merged.
    pub merged_into_id: Option<Uuid>,
    /// The language of its last visitor message that had one (ISO 639-1).
    pub language: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = conversations)]
pub struct NewConversation {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub visitor_id: Uuid,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = messages, check_for_backend(diesel::pg::Pg))]
pub struct Message {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub conversation_id: Uuid,
    pub sender: Sender,
    pub author_user_id: Option<Uuid>,
    pub author_name: Option<String>,
    pub body: String,
    pub action: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
    /// The knowledge passages an assistant's answer used (`[{passage_id, article_id, title}]`).
    pub sources: Option<serde_json::Value>,
    /// Chat or email.
    pub channel: crate::domain::enums::Channel,
    /// An email message's sender, subject and attachments (`views::messages::EmailMeta`).
    pub email: Option<serde_json::Value>,
    /// The files it carries (`[views::attachments::Stored]`), written when it claimed them.
    pub attachments: Option<serde_json::Value>,
    /// A visitor message's language (ISO 639-1), when it could be told.
    pub language: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = messages)]
pub struct NewMessage {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub conversation_id: Uuid,
    pub sender: Sender,
    pub author_user_id: Option<Uuid>,
    pub author_name: Option<String>,
    pub body: String,
    pub action: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = articles, check_for_backend(diesel::pg::Pg))]
pub struct Article {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub title: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Where the article lives on the website (http or https).
    pub url: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = articles)]
pub struct NewArticle<'a> {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub title: &'a str,
    pub body: &'a str,
    pub url: Option<&'a str>,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = tickets, check_for_backend(diesel::pg::Pg))]
pub struct Ticket {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub number: i64,
    pub status: TicketStatus,
    pub summary: String,
    pub description: String,
    pub category: TicketCategory,
    pub source: TicketSource,
    pub visitor_id: Uuid,
    pub visitor_email: String,
    pub conversation_id: Uuid,
    pub assignee_id: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub priority: TicketPriority,
    /// The ticket this one was merged into (then it is closed), and that ticket's number.
    pub merged_into_id: Option<Uuid>,
    pub merged_into_number: Option<i64>,
    /// The visitor's language when the ticket was opened (ISO 639-1).
    pub language: Option<String>,
    /// Its visitor was erased, or the retention policy anonymised it: an empty shell.
    pub anonymised_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = tickets)]
pub struct NewTicket {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub number: i64,
    pub summary: String,
    pub description: String,
    pub category: TicketCategory,
    pub source: TicketSource,
    pub visitor_id: Uuid,
    pub visitor_email: String,
    pub conversation_id: Uuid,
    pub language: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ticket_events, check_for_backend(diesel::pg::Pg))]
pub struct TicketEvent {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub ticket_id: Uuid,
    pub kind: String,
    pub actor_type: ActorKind,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub data: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhooks, check_for_backend(diesel::pg::Pg))]
pub struct Webhook {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub url: String,
    pub events: Vec<String>,
    pub secret: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries, check_for_backend(diesel::pg::Pg))]
pub struct WebhookDelivery {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub webhook_id: Uuid,
    pub event: String,
    pub payload: serde_json::Value,
    pub status_code: Option<i32>,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Workspace {
    /// Whether tickets can be created now (plan and switch; `domain::tickets`).
    pub fn tickets_available(&self) -> Result<(), TicketsUnavailable> {
        tickets_available(self.plan, self.tickets_enabled)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tags, check_for_backend(diesel::pg::Pg))]
pub struct Tag {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    pub colour: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An internal note on a conversation (and the ticket it was written on): the team's only.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = notes, check_for_backend(diesel::pg::Pg))]
pub struct Note {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub conversation_id: Uuid,
    pub ticket_id: Option<Uuid>,
    pub author_user_id: Option<Uuid>,
    pub author_name: String,
    pub body: String,
    /// Who it mentions, as written: `[{"user_id", "name"}]`.
    pub mentions: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = saved_replies, check_for_backend(diesel::pg::Pg))]
pub struct SavedReply {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub title: String,
    pub shortcut: String,
    pub body: String,
    pub created_by: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = attachments, check_for_backend(diesel::pg::Pg))]
pub struct Attachment {
    pub id: Uuid,
    pub workspace_id: Uuid,
    /// `None` while uploaded and not yet sent with a message.
    pub message_id: Option<Uuid>,
    pub uploaded_by_user_id: Option<Uuid>,
    pub uploaded_by_visitor_id: Option<Uuid>,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub has_thumbnail: bool,
    pub storage_key: String,
    /// Signs the download links (`domain::attachments::link`).
    pub url_key: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events, check_for_backend(diesel::pg::Pg))]
pub struct AuditEvent {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub action: String,
    pub actor_type: ActorKind,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<Uuid>,
    pub data: serde_json::Value,
    pub created_at: DateTime<Utc>,
}
