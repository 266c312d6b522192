//! The JSON of merging tickets and of bulk changes.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::enums::{TicketPriority, TicketStatus};
use crate::views::tickets::{Change, TicketOut};

/// Merge this ticket into another.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeIn {
    /// The surviving ticket: UUID or `TKT-10002`.
    pub into: String,
    /// The merged ticket's version; a stale one is answered 409 `version_conflict`.
    pub version: Option<i32>,
}

/// Both tickets after a merge.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MergeOut {
    /// The surviving ticket, with the merged one's conversation, notes and tags.
    pub ticket: TicketOut,
    /// The merged ticket: closed, with `merged_into`.
    pub merged: TicketOut,
}

/// One change applied to many tickets. Absent fields are left as they are.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkIn {
    /// 1 to 100 tickets: UUIDs or numbers (`TKT-10001`).
    pub tickets: Vec<String>,
    pub status: Option<TicketStatus>,
    /// A member's user id, or `null` to unassign; absent: assignees stay.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub assignee_id: Option<Option<Uuid>>,
    pub priority: Option<TicketPriority>,
    /// Tag ids to put on every ticket.
    #[serde(default)]
    pub add_tags: Vec<Uuid>,
    /// Tag ids to take off every ticket.
    #[serde(default)]
    pub remove_tags: Vec<Uuid>,
}

/// A field that is present (even as `null`) is `Some`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<Uuid>>, D::Error> {
    Option::<Uuid>::deserialize(d).map(Some)
}

/// A ticket the bulk change went through for; `changes` is empty when it already was so.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BulkUpdated {
    pub ticket: TicketOut,
    pub changes: Vec<Change>,
}

/// A ticket the bulk change was refused for (the others still changed).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BulkRefused {
    /// The ticket's number (`TKT-10003`), or the key as sent when it names no ticket.
    pub ticket: String,
    /// The code the single-ticket endpoint answers, e.g. `invalid_transition`.
    pub code: String,
    pub message: String,
}

/// What a bulk change did, ticket by ticket, in the order they were named.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BulkOut {
    pub updated: Vec<BulkUpdated>,
    pub refused: Vec<BulkRefused>,
}
