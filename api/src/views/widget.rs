//! The public widget API's JSON: sessions, messages, the widget's settings.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::models::Workspace;
use crate::domain::locale::Lang;
use crate::views::messages::MessageOut;

#[derive(Debug, Serialize, ToSchema)]
pub struct WidgetConfig {
    pub workspace_name: String,
    pub greeting: String,
    /// Launcher colour (hex).
    pub color: String,
    pub tickets_enabled: bool,
    /// The widget's language when the visitor's browser language is none it speaks.
    pub default_language: Lang,
}

impl From<&Workspace> for WidgetConfig {
    fn from(ws: &Workspace) -> Self {
        WidgetConfig {
            workspace_name: ws.name.clone(),
            greeting: ws.greeting.clone(),
            color: ws.widget_color.clone(),
            tickets_enabled: ws.tickets_available().is_ok(),
            default_language: ws.default_lang(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateSession {
    pub widget_key: String,
    /// A token from an earlier session: resumes that visitor and conversation.
    pub visitor_token: Option<String>,
    /// The page the widget is on.
    pub page_url: Option<String>,
    pub referrer: Option<String>,
    pub locale: Option<String>,
    /// The host page's logged-in user (`Handoff('identify', …)`): with a right `hash` the
    /// visitor becomes that user's one visitor, on every device; otherwise the session goes
    /// on anonymous and `identity` says why.
    pub identity: Option<IdentityIn>,
}

/// Who the host page says its user is. `hash` = hex HMAC-SHA256(`user_id`), keyed with the
/// workspace's identity secret, computed on the host's server.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct IdentityIn {
    /// The host's id of the user: 1 to 255 characters.
    pub user_id: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub hash: String,
}

/// What became of a session's `identity`: `verified`, or refused as `not_enabled` (the
/// workspace has no identity secret), `malformed` or `bad_hash`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IdentityResult {
    Verified,
    NotEnabled,
    Malformed,
    BadHash,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionOut {
    /// Who answers now, and what the visitor may expect.
    pub live: WidgetLive,
    pub visitor_token: String,
    pub visitor_id: Uuid,
    pub conversation_id: Uuid,
    /// The conversation so far, oldest first.
    pub messages: Vec<MessageOut>,
    /// Team replies the visitor has not seen yet.
    pub unread_count: i32,
    pub config: WidgetConfig,
    /// The widget's language: the session's `locale` when the widget speaks it (`de-AT`
    /// → `de`), else the workspace's default.
    pub language: Lang,
    /// The conversation's ticket while it is not closed (the widget shows its card).
    pub ticket: Option<TicketBrief>,
    /// Whether the visitor is a verified user of the host (never asked for an email).
    pub verified: bool,
    /// What became of the request's `identity` (absent when it had none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<IdentityResult>,
}

/// `POST /widget/email`: the visitor's email, for replies by email.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SetEmail {
    pub email: String,
}

/// The conversation's live state as the visitor sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct WidgetLive {
    /// The agent who has the conversation (`null`: the assistant answers).
    pub agent_name: Option<String>,
    /// Whether a team member has the dashboard open now; when not, replies come later
    /// (by email when the visitor's email is known).
    pub humans_online: bool,
    /// The visitor's email as the team knows it (their own; `null` when not given).
    pub visitor_email: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ConfigQuery {
    pub widget_key: String,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct MessagesQuery {
    /// Only messages after this one.
    pub after: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageList {
    pub items: Vec<MessageOut>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PostMessage {
    /// 1 to 4,000 characters.
    pub body: String,
    pub page_url: Option<String>,
    /// Files uploaded beforehand (`POST …/attachments`), at most 10; the body may then be
    /// empty.
    #[serde(default)]
    pub attachment_ids: Vec<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketBrief {
    pub id: Uuid,
    /// `TKT-10001`
    pub number: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PostMessageOut {
    /// The visitor's message, then the assistant's answer(s).
    pub messages: Vec<MessageOut>,
    /// The conversation's ticket when this message created or added to one.
    pub ticket: Option<TicketBrief>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MarkRead {
    /// The last message the visitor has seen.
    pub up_to: Uuid,
}
