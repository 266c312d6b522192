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
pub mod sse;

use actix_web::web::Bytes;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const CHANNEL: &str = "handoff_events";

pub const TICKET_CREATED: &str = "ticket.created";
pub const TICKET_UPDATED: &str = "ticket.updated";
pub const MESSAGE_CREATED: &str = "message.created";
/// A workspace's knowledge index changed: every process drops its cached passages (not
/// sent to any stream).
pub const KNOWLEDGE_CHANGED: &str = "knowledge.changed";

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
}

impl BusEvent {
    pub fn ticket(kind: &str, workspace_id: Uuid, ticket_id: Uuid) -> Self {
        BusEvent {
            kind: kind.into(),
            workspace_id,
            ticket_id: Some(ticket_id),
            conversation_id: None,
            message_id: None,
        }
    }
    pub fn knowledge(workspace_id: Uuid) -> Self {
        BusEvent {
            kind: KNOWLEDGE_CHANGED.into(),
            workspace_id,
            ticket_id: None,
            conversation_id: None,
            message_id: None,
        }
    }
    pub fn message(
        workspace_id: Uuid,
        conversation_id: Uuid,
        message_id: Uuid,
        ticket_id: Option<Uuid>,
    ) -> Self {
        BusEvent {
            kind: MESSAGE_CREATED.into(),
            workspace_id,
            ticket_id,
            conversation_id: Some(conversation_id),
            message_id: Some(message_id),
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
    /// The row could not be read: the workspace's streams (or the conversation's, for a
    /// message) close, and their clients resume with `Last-Event-ID`.
    Unrendered,
    /// The listener (re)connected: announcements may have been missed meanwhile, so every
    /// stream closes and its client resumes with `Last-Event-ID`.
    Reset,
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

    /// Whether a dashboard stream of `workspace_id` must end here.
    pub fn ends_workspace_stream(&self, workspace_id: Uuid) -> bool {
        match self.frames {
            Frames::Reset => true,
            Frames::Unrendered => self.workspace_id == workspace_id,
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
