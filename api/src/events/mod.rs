//! Realtime fan-out across server processes.
//!
//! A change is announced with Postgres NOTIFY after its transaction commits (payload: ids
//! only). Every process LISTENs on one dedicated connection; its renderer reads each
//! announced row once (`render.rs`) and broadcasts the encoded SSE frames to the streams of
//! that process, which only filter. A stream that falls behind the broadcast, or whose event
//! could not be rendered, is closed: the browser's EventSource reconnects with
//! `Last-Event-ID` and the stream replays what it missed from the database.

pub mod bus;
pub mod render;
pub mod slots;
pub mod sse;

use actix_web::web::Bytes;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const CHANNEL: &str = "handoff_events";

pub const TICKET_CREATED: &str = "ticket.created";
pub const TICKET_UPDATED: &str = "ticket.updated";
pub const MESSAGE_CREATED: &str = "message.created";
/// An internal note (`{"note": Note, "ticket_id", "mentioned": [user_id]}`): dashboard
/// streams only, never a widget's; no event id (a resume doesn't replay it; the detail
/// pages reload their notes).
pub const NOTE_CREATED: &str = "note.created";
/// Who has a ticket open in the dashboard changed (a member opened or left it, or their
/// viewing lapsed): `TicketViewers` JSON (`{"ticket_id", "viewers": [{user_id, name,
/// since}], "as_of"}`), read from `ticket_viewers` when rendered. Dashboard streams only,
/// never a widget's; no event id (a resume doesn't replay it; the ticket detail carries
/// the list).
pub const TICKET_VIEWERS: &str = "ticket.viewers";
/// A conversation's live state changed (taken over, handed back, fell back to the
/// assistant, an agent replied): `{"conversation_id", "agent_name"}` for the dashboard
/// (which reloads it), `{"agent_name"}` for the widget (who has the chat; `null`: the
/// assistant).
pub const CONVERSATION_UPDATED: &str = "conversation.updated";
/// A conversation's ticket was merged: its messages are in `into` now (`merged_into`);
/// the widget reopens its session, which then shows the surviving conversation.
pub const CONVERSATION_MERGED: &str = "conversation.merged";
/// Someone is typing (ephemeral, never stored): `{"conversation_id", "sender": "agent" |
/// "visitor", "user_id"?, "name"?, "typing"}`. The widget gets agents' typing only.
pub const TYPING: &str = "typing";
/// The visitor's widget opened or closed (`{"conversation_id", "online"}`).
pub const VISITOR_PRESENCE: &str = "visitor.presence";
/// A piece of an assistant reply being written (streaming engines): widget streams of the
/// conversation only, not stored, no event id; the reply's `message.created` (same message
/// id) follows.
pub const MESSAGE_DELTA: &str = "message.delta";
/// Sent to a reconnecting stream that missed more than it replays (`render::REPLAY_ROWS`):
/// the client reloads through the REST API.
pub const RESYNC: &str = "resync";
/// A workspace's knowledge index changed: every process drops its cached passages (not
/// sent to any stream).
pub const KNOWLEDGE_CHANGED: &str = "knowledge.changed";
/// Access ended (never sent to clients: they close the streams that relied on it).
pub const MEMBER_REMOVED: &str = "access.member_removed";
pub const KEY_REVOKED: &str = "access.key_revoked";
/// One session logged out (`session_id`), or every session of a user (`user_id`, except
/// `session_id` when set: the one that changed the password).
pub const SESSION_ENDED: &str = "access.session_ended";
pub const USER_SESSIONS_ENDED: &str = "access.user_sessions_ended";

/// What changed, by id (the NOTIFY payload).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusEvent {
    pub kind: String,
    pub workspace_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<Uuid>,
    /// Typing: the agent's name (the visitor types anonymously).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Typing started (`true`) or stopped; presence: online or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<bool>,
    /// `message.delta`: the piece of text, and its place in the reply (0, 1, 2…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u32>,
    /// `conversation.merged`: the conversation that took this one's messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<Uuid>,
}

impl BusEvent {
    fn bare(kind: &str, workspace_id: Uuid) -> Self {
        BusEvent {
            kind: kind.into(),
            workspace_id,
            ticket_id: None,
            conversation_id: None,
            message_id: None,
            note_id: None,
            user_id: None,
            key_id: None,
            session_id: None,
            name: None,
            flag: None,
            text: None,
            seq: None,
            merged_into: None,
        }
    }
    /// A member left or was removed: their streams of the workspace close.
    pub fn member_removed(workspace_id: Uuid, user_id: Uuid) -> Self {
        BusEvent {
            user_id: Some(user_id),
            ..Self::bare(MEMBER_REMOVED, workspace_id)
        }
    }
    /// An API key was revoked: its streams close.
    pub fn key_revoked(workspace_id: Uuid, key_id: Uuid) -> Self {
        BusEvent {
            key_id: Some(key_id),
            ..Self::bare(KEY_REVOKED, workspace_id)
        }
    }
    /// A session logged out: the streams opened in it close.
    pub fn session_ended(session_id: Uuid) -> Self {
        BusEvent {
            session_id: Some(session_id),
            ..Self::bare(SESSION_ENDED, Uuid::nil())
        }
    }
    /// Every session of a user ended but `keep`'s (log out everywhere, password change).
    pub fn user_sessions_ended(user_id: Uuid, keep: Option<Uuid>) -> Self {
        BusEvent {
            user_id: Some(user_id),
            session_id: keep,
            ..Self::bare(USER_SESSIONS_ENDED, Uuid::nil())
        }
    }

    pub fn ticket(kind: &str, workspace_id: Uuid, ticket_id: Uuid) -> Self {
        BusEvent {
            ticket_id: Some(ticket_id),
            ..Self::bare(kind, workspace_id)
        }
    }
    /// Who has the ticket open changed (the renderer reads the list).
    pub fn viewers(workspace_id: Uuid, ticket_id: Uuid) -> Self {
        Self::ticket(TICKET_VIEWERS, workspace_id, ticket_id)
    }
    /// A workspace's knowledge index changed: every process drops its cached passages.
    pub fn knowledge(workspace_id: Uuid) -> Self {
        Self::bare(KNOWLEDGE_CHANGED, workspace_id)
    }
    /// A conversation's live state changed; `agent`: who has it now (`None`: the
    /// assistant answers).
    pub fn conversation(workspace_id: Uuid, conversation_id: Uuid, agent: Option<&str>) -> Self {
        BusEvent {
            conversation_id: Some(conversation_id),
            name: agent.map(str::to_string),
            flag: Some(agent.is_some()),
            ..Self::bare(CONVERSATION_UPDATED, workspace_id)
        }
    }
    /// A ticket's merge moved conversation `from` into `into`.
    pub fn conversation_merged(workspace_id: Uuid, from: Uuid, into: Uuid) -> Self {
        BusEvent {
            conversation_id: Some(from),
            merged_into: Some(into),
            ..Self::bare(CONVERSATION_MERGED, workspace_id)
        }
    }
    /// An agent (`user_id`, `name`) or the visitor (both `None`) is typing, or stopped.
    pub fn typing(
        workspace_id: Uuid,
        conversation_id: Uuid,
        agent: Option<(Option<Uuid>, String)>,
        typing: bool,
    ) -> Self {
        let (user_id, name) = match agent {
            Some((id, name)) => (id, Some(name)),
            None => (None, None),
        };
        BusEvent {
            conversation_id: Some(conversation_id),
            user_id,
            name,
            flag: Some(typing),
            ..Self::bare(TYPING, workspace_id)
        }
    }
    /// The visitor's widget is open (`online`) or closed.
    pub fn visitor_presence(workspace_id: Uuid, conversation_id: Uuid, online: bool) -> Self {
        BusEvent {
            conversation_id: Some(conversation_id),
            flag: Some(online),
            ..Self::bare(VISITOR_PRESENCE, workspace_id)
        }
    }
    /// Piece `seq` of the assistant reply `message_id` that is being written.
    pub fn delta(
        workspace_id: Uuid,
        conversation_id: Uuid,
        message_id: Uuid,
        seq: u32,
        text: String,
    ) -> Self {
        BusEvent {
            conversation_id: Some(conversation_id),
            message_id: Some(message_id),
            text: Some(text),
            seq: Some(seq),
            ..Self::bare(MESSAGE_DELTA, workspace_id)
        }
    }
    /// An internal note of a conversation (and its ticket): team-only.
    pub fn note(
        workspace_id: Uuid,
        conversation_id: Uuid,
        note_id: Uuid,
        ticket_id: Option<Uuid>,
    ) -> Self {
        BusEvent {
            ticket_id,
            conversation_id: Some(conversation_id),
            note_id: Some(note_id),
            ..Self::bare(NOTE_CREATED, workspace_id)
        }
    }
    pub fn message(
        workspace_id: Uuid,
        conversation_id: Uuid,
        message_id: Uuid,
        ticket_id: Option<Uuid>,
    ) -> Self {
        BusEvent {
            ticket_id,
            conversation_id: Some(conversation_id),
            message_id: Some(message_id),
            ..Self::bare(MESSAGE_CREATED, workspace_id)
        }
    }
}

/// An announced change as this process's streams send it: rendered once, encoded once.
#[derive(Debug, Clone)]
pub struct LiveEvent {
    pub workspace_id: Uuid,
    /// Set for messages: the widget streams of this conversation want it.
    pub conversation_id: Option<Uuid>,
    pub message_id: Option<Uuid>,
    pub frames: Frames,
}

/// The encoded SSE frames of a live event.
#[derive(Debug, Clone)]
pub enum Frames {
    /// A ticket event: the dashboard's frame (Ticket JSON).
    Ticket { dashboard: Bytes },
    /// A message: the dashboard's frame (`{"message", "ticket_id"}`) and the widget's
    /// (Message JSON, the message id as event id).
    Message { dashboard: Bytes, widget: Bytes },
    /// An ephemeral event of a conversation (its live state, typing, presence), rendered
    /// from the announcement alone, without an id (a resume never replays it): the
    /// dashboard's frame, and the widget's when the visitor is to see it.
    Live {
        dashboard: Bytes,
        widget: Option<Bytes>,
    },
    /// For the team's dashboards only (an internal note): no widget frame exists.
    Team { dashboard: Bytes },
    /// A piece of a reply being written: the widget's `message.delta` frame (no event id).
    Delta { widget: Bytes },
    /// The row could not be read: the workspace's streams (or the conversation's, for a
    /// message) close, and their clients resume with `Last-Event-ID`.
    Unrendered,
    /// The listener (re)connected: announcements may have been missed meanwhile, so every
    /// stream closes and its client resumes with `Last-Event-ID`.
    Reset,
    /// Access ended: the streams that relied on it close (their clients can't reopen them).
    AccessEnded(AccessEnded),
}

/// Whose access ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessEnded {
    Member { workspace_id: Uuid, user_id: Uuid },
    Key { key_id: Uuid },
    Session { session_id: Uuid },
    UserSessions { user_id: Uuid, keep: Option<Uuid> },
}

impl AccessEnded {
    /// The access-ending event a bus event announces, if it is one.
    pub fn of(ev: &BusEvent) -> Option<AccessEnded> {
        Some(match ev.kind.as_str() {
            MEMBER_REMOVED => AccessEnded::Member {
                workspace_id: ev.workspace_id,
                user_id: ev.user_id?,
            },
            KEY_REVOKED => AccessEnded::Key { key_id: ev.key_id? },
            SESSION_ENDED => AccessEnded::Session {
                session_id: ev.session_id?,
            },
            USER_SESSIONS_ENDED => AccessEnded::UserSessions {
                user_id: ev.user_id?,
                keep: ev.session_id,
            },
            _ => return None,
        })
    }

    /// Whether a stream opened by `holder` relied on the access that ended.
    pub fn ends(&self, holder: &StreamHolder) -> bool {
        match (*self, holder) {
            (
                AccessEnded::Member {
                    workspace_id,
                    user_id,
                },
                StreamHolder::User {
                    workspace_id: ws,
                    user_id: u,
                    ..
                },
            ) => workspace_id == *ws && user_id == *u,
            (AccessEnded::Key { key_id }, StreamHolder::Key { key_id: k }) => key_id == *k,
            (
                AccessEnded::Session { session_id },
                StreamHolder::User {
                    session_id: Some(s),
                    ..
                },
            ) => session_id == *s,
            (
                AccessEnded::UserSessions { user_id, keep },
                StreamHolder::User {
                    user_id: u,
                    session_id,
                    ..
                },
            ) => user_id == *u && (keep.is_none() || keep != *session_id),
            _ => false,
        }
    }
}

/// Who opened a stream, for closing it when their access ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamHolder {
    User {
        workspace_id: Uuid,
        user_id: Uuid,
        session_id: Option<Uuid>,
    },
    Key {
        key_id: Uuid,
    },
    Visitor,
}

impl LiveEvent {
    /// A reset of every stream (see `Frames::Reset`).
    pub fn reset() -> LiveEvent {
        LiveEvent {
            workspace_id: Uuid::nil(),
            conversation_id: None,
            message_id: None,
            frames: Frames::Reset,
        }
    }

    /// Whether a dashboard stream of `workspace_id`, opened by `holder`, must end here.
    pub fn ends_workspace_stream(&self, workspace_id: Uuid, holder: &StreamHolder) -> bool {
        match &self.frames {
            Frames::Reset => true,
            Frames::Unrendered => self.workspace_id == workspace_id,
            Frames::AccessEnded(ended) => ended.ends(holder),
            _ => false,
        }
    }

    /// Whether a widget stream of one conversation must end here.
    pub fn ends_conversation_stream(&self, workspace_id: Uuid, conversation_id: Uuid) -> bool {
        match self.frames {
            Frames::Reset => true,
            Frames::Unrendered => {
                self.workspace_id == workspace_id && self.conversation_id == Some(conversation_id)
            }
            _ => false,
        }
    }
}
