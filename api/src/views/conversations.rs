//! The dashboard's conversations: the list (visitor, last message, ticket) and one
//! conversation with its messages.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::models::Conversation;
use crate::domain::enums::TicketStatus;
use crate::domain::live;
use crate::views::messages::MessageOut;
use crate::views::tickets::{TicketOut, VisitorOut};

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketRef {
    pub id: Uuid,
    /// `TKT-10001`
    pub number: String,
    pub status: TicketStatus,
}

/// A human has the conversation: the assistant stays silent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TakeoverOut {
    /// The user who took it over (`null` for an API key, or a deleted user).
    pub user_id: Option<Uuid>,
    pub name: String,
    pub at: DateTime<Utc>,
    /// When it goes back to the assistant if the agent does nothing meanwhile (a reply
    /// moves it; `TAKEOVER_IDLE_MINUTES` after the agent's last action).
    pub falls_back_at: Option<DateTime<Utc>>,
}

/// A conversation's live state: who answers, whether the visitor waits for a human, and
/// whether their widget is open now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LiveState {
    /// `null`: the assistant answers.
    pub taken_over: Option<TakeoverOut>,
    /// The visitor wrote while a human was expected (taken over, or an open ticket) and no
    /// agent has replied since.
    pub waiting_since: Option<DateTime<Utc>>,
    /// The visitor's widget is open now (its live stream is connected).
    pub visitor_online: bool,
}

impl LiveState {
    pub fn of(c: &Conversation, idle_minutes: u32, now: DateTime<Utc>) -> LiveState {
        LiveState {
            taken_over: c.taken_over_at.map(|at| TakeoverOut {
                user_id: c.taken_over_by,
                name: c
                    .taken_over_name
                    .clone()
                    .unwrap_or_else(|| live::AGENT_FALLBACK_NAME.into()),
                at,
                falls_back_at: c
                    .agent_active_at
                    .map(|a| live::falls_back_at(a, idle_minutes)),
            }),
            waiting_since: c.waiting_since,
            visitor_online: live::is_online(c.visitor_online_until, now),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationOut {
    pub id: Uuid,
    pub visitor_id: Uuid,
    /// Agent messages the visitor has not seen yet.
    pub visitor_unread_count: i32,
    pub created_at: DateTime<Utc>,
    pub last_message_at: DateTime<Utc>,
    #[serde(flatten)]
    pub live: LiveState,
}

impl ConversationOut {
    pub fn of(c: Conversation, idle_minutes: u32, now: DateTime<Utc>) -> Self {
        ConversationOut {
            live: LiveState::of(&c, idle_minutes, now),
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
    /// The visitor's messages you have not read, counted up to 100 (show "99+"): for a
    /// conversation you took over, or whose open ticket is yours (assigned to you, or
    /// unassigned); absent otherwise (and for API keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unread_count: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub last_message_at: DateTime<Utc>,
    #[serde(flatten)]
    pub live: LiveState,
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
    /// The conversation's internal notes, oldest first (the newest 500): the team's only.
    pub notes: Vec<crate::views::notes::NoteOut>,
    /// The caller's unread mentions in these notes (`null` for API keys).
    pub unread_mentions: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ConversationListQuery {
    pub cursor: Option<String>,
    /// 1..100, default 25
    pub limit: Option<i64>,
    /// `waiting` (the visitor waits for a human reply), `taken_over` (a human has it) or
    /// `assistant` (the assistant answers); none: all.
    pub status: Option<String>,
    /// `true`: only conversations whose visitor has the widget open now.
    pub online: Option<bool>,
}

/// `POST …/conversations/{id}/take-over`
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TakeOverIn {
    /// Take it from another agent who has it (otherwise 409 `already_taken_over`).
    #[serde(default)]
    pub force: bool,
}

/// `POST …/conversations/{id}/replies`
#[derive(Debug, Deserialize, ToSchema)]
pub struct ConversationReplyIn {
    pub body: String,
    /// Also email the reply to the visitor (needs the conversation's ticket: the reply is
    /// then a ticket reply).
    #[serde(default)]
    pub email_visitor: bool,
    /// Take the conversation over first when nobody has it (default `true`: the assistant
    /// must not talk over an agent who replied).
    pub take_over: Option<bool>,
    /// Files uploaded beforehand (`POST …/attachments`), at most 10; the body may then be
    /// empty.
    #[serde(default)]
    pub attachment_ids: Vec<Uuid>,
}

/// `POST …/conversations/{id}/typing` and `POST /widget/typing`
#[derive(Debug, Deserialize, ToSchema)]
pub struct TypingIn {
    /// `true` while typing (send it again every few seconds), `false` when stopped.
    pub typing: bool,
}
