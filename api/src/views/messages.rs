//! A conversation message as the API shows it (widget, dashboard, webhooks).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::models::Message;
use crate::domain::enums::{Channel, Sender};
use crate::domain::handoff::Action;
use crate::domain::ticket_number::TicketNumber;
use crate::views::attachments::{self, AttachmentOut};

/// `action` of a message: what the widget should offer or show under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MessageAction {
    /// Show an email field under this message.
    RequestEmail,
    /// This message confirms a new ticket: show the ticket's card under it.
    TicketCreated {
        ticket_id: Uuid,
        /// `TKT-10001`
        number: String,
    },
}

impl From<Action> for MessageAction {
    fn from(a: Action) -> Self {
        match a {
            Action::RequestEmail => MessageAction::RequestEmail,
            Action::TicketCreated { ticket_id, number } => MessageAction::TicketCreated {
                ticket_id,
                number: TicketNumber::new(number).to_string(),
            },
        }
    }
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
    pub action: Option<MessageAction>,
    /// The knowledge-base passages an assistant's answer was built from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    /// Where the message came from: `chat` (widget, dashboard) or `email` (a reply to a
    /// ticket's mail).
    pub channel: Channel,
    /// For `email` messages: who sent it and what it carried.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<EmailMeta>,
    /// The files sent with the message.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentOut>,
    /// A visitor message's language (ISO 639-1, e.g. `de`), when it could be told.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// What an email message carried besides its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
pub struct EmailMeta {
    /// The sender's address (`From`).
    pub from: String,
    /// The sender is not the ticket's visitor (someone they forwarded to, a colleague in
    /// copy): the message was accepted, and the visitor's email was not changed.
    pub foreign_sender: bool,
    /// The mail's subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The names of the mail's attachments that were not kept (a type that is not
    /// allowed, over the size limit); the kept ones are the message's `attachments`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
}

/// A knowledge-base passage an answer used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
pub struct Source {
    pub passage_id: Uuid,
    pub article_id: Uuid,
    /// The article's title.
    pub title: String,
    /// The article's URL (http or https), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl From<Message> for MessageOut {
    fn from(m: Message) -> Self {
        MessageOut {
            id: m.id,
            conversation_id: m.conversation_id,
            sender: m.sender,
            author_name: m.author_name,
            body: m.body,
            // The stored jsonb is the flow's `Action`; anything unreadable shows no action.
            action: m
                .action
                .and_then(|v| serde_json::from_value::<Action>(v).ok())
                .map(MessageAction::from),
            sources: m
                .sources
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default(),
            channel: m.channel,
            email: m.email.and_then(|v| serde_json::from_value(v).ok()),
            attachments: attachments::of_message(m.attachments.as_ref()),
            language: m.language,
            created_at: m.created_at,
        }
    }
}
