//! Internal notes JSON: a note, the body to add one, and the mentions inbox. These shapes
//! are served to the team only (never by the widget API or in visitor-facing webhooks).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::models::Note;
use crate::domain::enums::TicketStatus;

/// A member a note mentions, as they were named when it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MentionedOut {
    pub user_id: Uuid,
    pub name: String,
}

/// An internal note: seen by the team only.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoteOut {
    pub id: Uuid,
    pub conversation_id: Uuid,
    /// The ticket it was written on (`null`: a conversation without a ticket).
    pub ticket_id: Option<Uuid>,
    /// The member who wrote it (`null` for an API key, or a deleted user).
    pub author_user_id: Option<Uuid>,
    pub author_name: String,
    pub body: String,
    /// The members it mentions (`@Full Name`, or `@First` when unambiguous).
    pub mentions: Vec<MentionedOut>,
    pub created_at: DateTime<Utc>,
}

impl From<Note> for NoteOut {
    fn from(n: Note) -> Self {
        NoteOut {
            id: n.id,
            conversation_id: n.conversation_id,
            ticket_id: n.ticket_id,
            author_user_id: n.author_user_id,
            author_name: n.author_name,
            body: n.body,
            mentions: serde_json::from_value(n.mentions).unwrap_or_default(),
            created_at: n.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteIn {
    /// 1 to 20,000 characters. `@Full Name` (or `@First`, when no other member has that
    /// first name) mentions a member: they are notified in the dashboard and, per their
    /// notification settings, by email.
    pub body: String,
}

/// The ticket a mention's note is on.
#[derive(Debug, Serialize, ToSchema)]
pub struct MentionTicket {
    pub id: Uuid,
    /// `TKT-10001`
    pub number: String,
    pub status: TicketStatus,
    pub summary: String,
}

/// A note that mentions the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct MentionOut {
    pub note: NoteOut,
    /// `null` when the note is on a conversation without a ticket.
    pub ticket: Option<MentionTicket>,
    /// Opening the ticket or conversation reads it.
    pub read: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MentionList {
    pub items: Vec<MentionOut>,
    pub next_cursor: Option<String>,
    /// The caller's unread mentions in the workspace, counted up to 100 (shown as 99+).
    pub unread_count: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct MentionListQuery {
    pub cursor: Option<String>,
    /// 1..100, default 25
    pub limit: Option<i64>,
    /// Only the unread ones.
    #[serde(default)]
    pub unread: Option<bool>,
}
