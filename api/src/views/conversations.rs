//! The dashboard's conversations: the list (visitor, last message, ticket) and one
//! conversation with its messages.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::models::Conversation;
use crate::domain::enums::TicketStatus;
use crate::views::messages::MessageOut;
use crate::views::tickets::{TicketOut, VisitorOut};

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketRef {
    pub id: Uuid,
    /// `TKT-10001`
    pub number: String,
    pub status: TicketStatus,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationOut {
    pub id: Uuid,
    pub visitor_id: Uuid,
    /// Agent messages the visitor has not seen yet.
    pub visitor_unread_count: i32,
    pub created_at: DateTime<Utc>,
    pub last_message_at: DateTime<Utc>,
}

impl From<Conversation> for ConversationOut {
    fn from(c: Conversation) -> Self {
        ConversationOut {
            id: c.id,
            visitor_id: c.visitor_id,
            visitor_unread_count: c.visitor_unread_count,
            created_at: c.created_at,
            last_message_at: c.last_message_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationSummary {
    pub id: Uuid,
    pub visitor: VisitorOut,
    pub last_message: Option<MessageOut>,
    pub ticket: Option<TicketRef>,
    pub visitor_unread_count: i32,
    pub created_at: DateTime<Utc>,
    pub last_message_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationList {
    pub items: Vec<ConversationSummary>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationDetail {
    pub conversation: ConversationOut,
    pub visitor: VisitorOut,
    pub messages: Vec<MessageOut>,
    pub ticket: Option<TicketOut>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ConversationListQuery {
    pub cursor: Option<String>,
    /// 1..100, default 25
    pub limit: Option<i64>,
}
