//! A conversation message as the API shows it (widget, dashboard, webhooks).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::enums::Sender;
use crate::db::models::Message;

/// `action` of a message: what the widget should offer under it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MessageAction {
    /// `request_email`: show an email field.
    #[serde(rename = "type")]
    pub kind: String,
}

/// A message of a conversation.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageOut {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub sender: Sender,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author_name: Option<String>,
    pub body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<MessageAction>)]
    pub action: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

impl From<Message> for MessageOut {
    fn from(m: Message) -> Self {
        MessageOut {
            id: m.id,
            conversation_id: m.conversation_id,
            sender: m.sender,
            author_name: m.author_name,
            body: m.body,
            action: m.action,
            created_at: m.created_at,
        }
    }
}
