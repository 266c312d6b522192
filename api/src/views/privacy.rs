//! Privacy JSON: a visitor's export, an erasure's summary, the retention policy, the
//! audit log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::models::{AuditEvent, Conversation, Visitor};
use crate::domain::actor::Actor;
use crate::views::messages::MessageOut;
use crate::views::notes::NoteOut;
use crate::views::tickets::{TicketEventOut, TicketOut};

/// Everything stored about a visitor (`GET …/visitors/{visitor}/export`).
#[derive(Debug, Serialize, ToSchema)]
pub struct VisitorExport {
    pub exported_at: DateTime<Utc>,
    pub workspace_id: Uuid,
    pub visitor: VisitorRecord,
    /// Their conversations with every message (files as metadata and links valid for 30
    /// days), oldest first.
    pub conversations: Vec<ConversationExport>,
    /// Their tickets with the timeline and the team's internal notes.
    pub tickets: Vec<TicketExport>,
}

/// The visitor's row as stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct VisitorRecord {
    pub id: Uuid,
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
    pub external_id: Option<String>,
    pub verified_at: Option<DateTime<Utc>>,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub erased_at: Option<DateTime<Utc>>,
}

impl From<Visitor> for VisitorRecord {
    fn from(v: Visitor) -> Self {
        VisitorRecord {
            id: v.id,
            email: v.email,
            name: v.name,
            country: v.country,
            browser: v.browser,
            os: v.os,
            device_kind: v.device_kind,
            user_agent: v.user_agent,
            page_url: v.page_url,
            referrer: v.referrer,
            locale: v.locale,
            external_id: v.external_id,
            verified_at: v.verified_at,
            first_seen_at: v.first_seen_at,
            last_seen_at: v.last_seen_at,
            erased_at: v.erased_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationExport {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub last_message_at: DateTime<Utc>,
    pub language: Option<String>,
    pub messages: Vec<MessageOut>,
}

impl ConversationExport {
    pub fn new(c: &Conversation, messages: Vec<MessageOut>) -> Self {
        ConversationExport {
            id: c.id,
            created_at: c.created_at,
            last_message_at: c.last_message_at,
            language: c.language.clone(),
            messages,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketExport {
    pub ticket: TicketOut,
    pub events: Vec<TicketEventOut>,
    /// The team's internal notes on the ticket's conversation.
    pub notes: Vec<NoteOut>,
}

/// What an erasure removed (`POST …/visitors/{visitor}/erase`).
#[derive(Debug, Serialize, ToSchema)]
pub struct VisitorErasure {
    pub visitor_id: Uuid,
    pub erased_at: DateTime<Utc>,
    /// Conversations emptied (they stay, without messages, for their tickets).
    pub conversations: usize,
    pub messages_deleted: usize,
    pub attachments_deleted: usize,
    /// Tickets kept as anonymous shells (status, category, priority, tags and times stay).
    pub tickets_anonymised: usize,
}

/// The workspace's retention policy: `null` keeps forever.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PrivacySettings {
    /// Conversations that never became a ticket are deleted this many days (1 to 3650)
    /// after their last message.
    #[schema(required = true)]
    pub conversations_without_ticket_days: Option<i32>,
    /// Closed tickets are anonymised (their conversation emptied, summary, description
    /// and email removed) this many days (1 to 3650) after closing.
    #[schema(required = true)]
    pub closed_tickets_days: Option<i32>,
}

/// One team action.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventOut {
    pub id: Uuid,
    /// `workspace.updated`, `privacy.updated`, `plan.changed`, `ticket_settings.updated`,
    /// `member.invited`, `member.role_changed`, `member.removed`, `api_key.created`,
    /// `api_key.revoked`, `webhook.created`, `webhook.updated`, `webhook.deleted`,
    /// `identity_secret.rotated`, `identity_secret.removed`, `visitor.exported`,
    /// `visitor.erased`.
    pub action: String,
    pub actor: Actor,
    pub target_type: Option<String>,
    pub target_id: Option<Uuid>,
    /// What changed (`{"fields": ["name"]}`, `{"name": "CI"}`, …).
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl From<AuditEvent> for AuditEventOut {
    fn from(e: AuditEvent) -> Self {
        AuditEventOut {
            id: e.id,
            action: e.action,
            actor: Actor {
                kind: e.actor_type,
                id: e.actor_id,
                name: e.actor_name,
            },
            target_type: e.target_type,
            target_id: e.target_id,
            data: e.data,
            created_at: e.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditLog {
    pub items: Vec<AuditEventOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditQuery {
    /// 1 to 100 (default 25).
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
