//! The ticket API's JSON: tickets, their visitor and timeline, the list and its counts,
//! and the request bodies of the ticket endpoints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::models::{TicketEvent, Visitor};
use crate::db::tickets::TicketRow;
use crate::domain::actor::Actor;
use crate::domain::enums::{TicketCategory, TicketPriority, TicketSource, TicketStatus};
use crate::domain::ticket_number::TicketNumber;
use crate::views::messages::MessageOut;
use crate::views::tags::TagOut;

/// The member a ticket is assigned to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Assignee {
    pub id: Uuid,
    pub name: String,
    pub email: String,
}

/// Another ticket, by id and number (the ticket a merged one survives in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TicketLink {
    pub id: Uuid,
    /// `TKT-10002`
    pub number: String,
}

impl TicketLink {
    pub fn new(id: Uuid, number: i64) -> Self {
        TicketLink {
            id,
            number: TicketNumber::new(number).to_string(),
        }
    }
}

/// A support ticket.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TicketOut {
    pub id: Uuid,
    /// `TKT-10001`
    pub number: String,
    pub status: TicketStatus,
    pub summary: String,
    pub description: String,
    pub category: TicketCategory,
    /// low, normal, high or urgent
    pub priority: TicketPriority,
    /// The ticket's tags, by name.
    pub tags: Vec<TagOut>,
    pub visitor_email: String,
    pub assignee: Option<Assignee>,
    pub conversation_id: Uuid,
    pub source: TicketSource,
    /// Pass it back with a change; a stale version is answered 409 `version_conflict`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Set when this ticket was merged into another (it is then closed, and its
    /// conversation continues there).
    pub merged_into: Option<TicketLink>,
    /// The visitor's language when the ticket was opened (ISO 639-1, e.g. `de`); `null`
    /// when it could not be told.
    pub language: Option<String>,
    /// The visitor's messages you have not read, counted up to 100 (show "99+"): only in
    /// the list and detail, for a user whose ticket it is (assigned to them, or
    /// unassigned) and that is not closed; absent otherwise (and for API keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unread_count: Option<i64>,
}

impl From<TicketRow> for TicketOut {
    fn from((t, assignee): TicketRow) -> Self {
        TicketOut {
            id: t.id,
            number: TicketNumber::new(t.number).to_string(),
            status: t.status,
            summary: t.summary,
            description: t.description,
            category: t.category,
            priority: t.priority,
            // Filled by the caller from ticket_tags (one query for a whole list).
            tags: Vec::new(),
            visitor_email: t.visitor_email,
            assignee: assignee.map(|(id, name, email)| Assignee { id, name, email }),
            conversation_id: t.conversation_id,
            source: t.source,
            version: t.version,
            created_at: t.created_at,
            updated_at: t.updated_at,
            first_response_at: t.first_response_at,
            resolved_at: t.resolved_at,
            closed_at: t.closed_at,
            merged_into: t
                .merged_into_id
                .zip(t.merged_into_number)
                .map(|(id, number)| TicketLink::new(id, number)),
            language: t.language,
            unread_count: None,
        }
    }
}

/// Puts each ticket's tags (`(ticket_id, tag)` rows, ordered by name) on the tickets.
pub fn attach_tags(tickets: &mut [TicketOut], rows: Vec<(Uuid, crate::db::models::Tag)>) {
    for (ticket_id, tag) in rows {
        if let Some(t) = tickets.iter_mut().find(|t| t.id == ticket_id) {
            t.tags.push(tag.into());
        }
    }
}

/// Browser, OS and device kind from the User-Agent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Device {
    pub browser: Option<String>,
    pub os: Option<String>,
    /// desktop, mobile, tablet or bot
    pub kind: Option<String>,
}

/// A widget visitor as the team sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VisitorOut {
    pub id: Uuid,
    pub email: Option<String>,
    pub name: Option<String>,
    pub country: Option<String>,
    pub device: Device,
    pub page_url: Option<String>,
    pub referrer: Option<String>,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// The host's user id when the host page verified who the visitor is
    /// (`Handoff('identify', …)` with a right hash); `null`: anonymous.
    pub external_id: Option<String>,
    /// When the visitor was last verified (`null`: never).
    pub verified_at: Option<DateTime<Utc>>,
    /// When the visitor was erased (then nothing above says who they were).
    pub erased_at: Option<DateTime<Utc>>,
}

impl From<Visitor> for VisitorOut {
    fn from(v: Visitor) -> Self {
        VisitorOut {
            id: v.id,
            email: v.email,
            name: v.name,
            country: v.country,
            device: Device {
                browser: v.browser,
                os: v.os,
                kind: v.device_kind,
            },
            page_url: v.page_url,
            referrer: v.referrer,
            first_seen_at: v.first_seen_at,
            last_seen_at: v.last_seen_at,
            external_id: v.external_id,
            verified_at: v.verified_at,
            erased_at: v.erased_at,
        }
    }
}

/// One entry of a ticket's timeline: created, status_changed, assigned, unassigned,
/// replied, reopened.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketEventOut {
    pub id: Uuid,
    pub kind: String,
    pub actor: Actor,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl From<TicketEvent> for TicketEventOut {
    fn from(e: TicketEvent) -> Self {
        TicketEventOut {
            id: e.id,
            kind: e.kind,
            actor: Actor {
                kind: e.actor_type,
                id: e.actor_id,
                name: e.actor_name,
            },
            data: e.data,
            created_at: e.created_at,
        }
    }
}

/// A ticket with everything the detail page shows.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDetail {
    pub ticket: TicketOut,
    pub visitor: VisitorOut,
    pub messages: Vec<MessageOut>,
    pub events: Vec<TicketEventOut>,
    /// The conversation's internal notes, oldest first (the newest 500): the team's only.
    pub notes: Vec<crate::views::notes::NoteOut>,
    /// The caller's unread mentions in these notes (`null` for API keys).
    pub unread_mentions: Option<i64>,
    /// Who has the ticket open in the dashboard now (the caller too, once their page said
    /// so); kept current by the stream's `ticket.viewers` events.
    pub viewers: crate::views::viewers::TicketViewersOut,
}

/// The counts behind the filter buttons.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub struct TicketCounts {
    pub all: i64,
    /// Assigned to the caller (0 for API keys).
    pub mine: i64,
    pub open: i64,
    pub in_progress: i64,
    pub resolved: i64,
    pub closed: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketList {
    pub items: Vec<TicketOut>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketEventList {
    pub items: Vec<TicketEventOut>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct TicketListQuery {
    /// open, in_progress, resolved or closed
    pub status: Option<String>,
    /// `me`, `none` or a member's user id
    pub assignee: Option<String>,
    /// A ticket number (`TKT-10001` or `10001`) or text found in visitor email and summary
    pub q: Option<String>,
    /// created_desc (default), created_asc, updated_desc or priority_desc (urgent first)
    pub sort: Option<String>,
    /// Only tickets with this tag (a tag id)
    pub tag: Option<String>,
    /// 1..100, default 25
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateTicket {
    pub visitor_email: String,
    pub summary: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Attach the ticket to an existing conversation (its visitor becomes the ticket's).
    #[serde(default)]
    pub conversation_id: Option<Uuid>,
    #[serde(default)]
    pub category: Option<TicketCategory>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangeStatus {
    pub status: TicketStatus,
    /// The version you saw; a stale one is answered 409 `version_conflict`.
    #[serde(default)]
    pub version: Option<i32>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignTicket {
    /// A member's user id, or null to unassign.
    #[serde(default)]
    pub assignee_id: Option<Uuid>,
    #[serde(default)]
    pub version: Option<i32>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct VersionOnly {
    #[serde(default)]
    pub version: Option<i32>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReplyIn {
    pub body: String,
    /// Also send the reply to the visitor's email address.
    #[serde(default)]
    pub email_visitor: bool,
    /// Files uploaded beforehand (`POST …/attachments`), at most 10; the body may then be
    /// empty.
    #[serde(default)]
    pub attachment_ids: Vec<Uuid>,
}

/// One changed field of a `ticket.updated` (and of a bulk change's answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum Change {
    Status {
        from: TicketStatus,
        to: TicketStatus,
    },
    Assignee {
        from: Option<Uuid>,
        to: Option<Uuid>,
    },
    Summary {
        from: String,
        to: String,
    },
    Category {
        from: TicketCategory,
        to: TicketCategory,
    },
    Priority {
        from: TicketPriority,
        to: TicketPriority,
    },
    /// The tags added and removed by one edit (the ticket carries its whole set).
    Tags {
        added: Vec<TagOut>,
        removed: Vec<TagOut>,
    },
    /// `from` was merged into `into`: sent for both tickets.
    Merged {
        from: TicketLink,
        into: TicketLink,
    },
}
