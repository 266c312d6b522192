//! The `data` of each webhook event (docs/webhooks.md): typed, so the public contract can't
//! change by a typo.

use serde::Serialize;
use uuid::Uuid;

use crate::views::messages::MessageOut;
pub use crate::views::tickets::Change;
use crate::views::tickets::TicketOut;

/// `ticket.created`
#[derive(Debug, Serialize)]
pub struct TicketCreated<'a> {
    pub ticket: &'a TicketOut,
}

/// `ticket.updated`
#[derive(Debug, Serialize)]
pub struct TicketUpdated<'a> {
    pub ticket: &'a TicketOut,
    pub changes: &'a [Change],
}

/// `ticket.assigned`: the ticket (its `assignee`, null when unassigned) and who had it.
#[derive(Debug, Serialize)]
pub struct TicketAssigned<'a> {
    pub ticket: &'a TicketOut,
    pub previous_assignee_id: Option<Uuid>,
}

/// `webhook.test`: sent by "Send test event" to one webhook.
#[derive(Debug, Serialize)]
pub struct WebhookTest {
    pub webhook_id: Uuid,
    pub message: &'static str,
}

/// `ticket.replied`
#[derive(Debug, Serialize)]
pub struct TicketReplied<'a> {
    pub ticket: &'a TicketOut,
    pub message: &'a MessageOut,
}

/// `ticket.note_added`: an internal note on the ticket (team-only).
#[derive(Debug, Serialize)]
pub struct TicketNoteAdded<'a> {
    pub ticket: &'a TicketOut,
    pub note: &'a crate::views::notes::NoteOut,
}

/// `conversation.message`: any new message (visitor, assistant, agent).
#[derive(Debug, Serialize)]
pub struct ConversationMessage<'a> {
    pub conversation_id: Uuid,
    pub message: &'a MessageOut,
    pub ticket_id: Option<Uuid>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::enums::{TicketPriority, TicketStatus};
    use crate::views::tags::TagOut;

    #[test]
    fn changes_keep_their_wire_shape() -> anyhow::Result<()> {
        assert_eq!(
            serde_json::to_value(Change::Status {
                from: TicketStatus::Resolved,
                to: TicketStatus::Open
            })?,
            serde_json::json!({"field": "status", "from": "resolved", "to": "open"})
        );
        assert_eq!(
            serde_json::to_value(Change::Assignee {
                from: None,
                to: Some(Uuid::nil())
            })?,
            serde_json::json!({"field": "assignee", "from": null, "to": Uuid::nil()})
        );
        assert_eq!(
            serde_json::to_value(Change::Priority {
                from: TicketPriority::Normal,
                to: TicketPriority::Urgent
            })?,
            serde_json::json!({"field": "priority", "from": "normal", "to": "urgent"})
        );
        let tag = TagOut {
            id: Uuid::nil(),
            name: "VIP".into(),
            colour: "#2563eb".into(),
        };
        assert_eq!(
            serde_json::to_value(Change::Tags {
                added: vec![tag],
                removed: vec![]
            })?,
            serde_json::json!({"field": "tags", "added": [{"id": Uuid::nil(), "name": "VIP", "colour": "#2563eb"}], "removed": []})
        );
        Ok(())
    }
}
