//! Ticket rules without I/O: what a new ticket must look like, when tickets may be created
//! at all, one open ticket per conversation, optimistic versions, the timestamps a workflow
//! move sets, and the list orders. `services::tickets` applies them in transactions.

use std::fmt;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::FieldError;
use crate::domain::email::Email;
use crate::domain::enums::{Plan, TicketStatus};
use crate::domain::ticket_number::TicketNumber;

pub const SUMMARY_MAX: usize = 500;
pub const DESCRIPTION_MAX: usize = 20_000;
pub const REPLY_MAX: usize = 4_000;

/// Why no ticket can be created in a workspace right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TicketsUnavailable {
    #[error(
        "Tickets are available on the Standard and Pro plans. Upgrade this workspace to use them."
    )]
    PlanRequired,
    #[error("Tickets are switched off for this workspace. Enable them on the Tickets page first.")]
    Disabled,
}

/// Tickets need a plan that has them and the workspace's switch on.
pub fn tickets_available(plan: Plan, enabled: bool) -> Result<(), TicketsUnavailable> {
    if !plan.allows_tickets() {
        Err(TicketsUnavailable::PlanRequired)
    } else if !enabled {
        Err(TicketsUnavailable::Disabled)
    } else {
        Ok(())
    }
}

/// A conversation's ticket, as far as the handoff needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketRef {
    pub id: Uuid,
    pub number: i64,
    pub status: TicketStatus,
}

impl From<(Uuid, i64, TicketStatus)> for TicketRef {
    fn from((id, number, status): (Uuid, i64, TicketStatus)) -> Self {
        TicketRef { id, number, status }
    }
}

/// The conversation already has a ticket the team is working on: more of the same goes
/// into that ticket, never into a second one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "This conversation already has an open ticket, {}. Reply on it instead of opening another.",
    TicketNumber::new(.0.number)
)]
pub struct TicketAlreadyOpen(pub TicketRef);

/// One open ticket per conversation, given the conversation's latest ticket.
pub fn ensure_no_open_ticket(latest: Option<TicketRef>) -> Result<(), TicketAlreadyOpen> {
    match latest {
        Some(ticket) if ticket.status.is_open() => Err(TicketAlreadyOpen(ticket)),
        _ => Ok(()),
    }
}

/// A new ticket's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketFields {
    /// As given, trimmed (a known visitor keeps the spelling they used).
    pub visitor_email: String,
    pub summary: String,
    pub description: String,
}

impl TicketFields {
    pub fn parse(
        visitor_email: &str,
        summary: &str,
        description: String,
    ) -> Result<TicketFields, FieldError> {
        let visitor_email = visitor_email.trim().to_string();
        if Email::parse(&visitor_email).is_err() {
            return Err(FieldError::new(
                "visitor_email",
                "is not a valid email address",
            ));
        }
        let summary = summary.trim().to_string();
        if summary.is_empty() || summary.chars().count() > SUMMARY_MAX {
            return Err(FieldError::new(
                "summary",
                format!("must be between 1 and {SUMMARY_MAX} characters"),
            ));
        }
        if description.chars().count() > DESCRIPTION_MAX {
            return Err(FieldError::new(
                "description",
                format!("must be at most {DESCRIPTION_MAX} characters"),
            ));
        }
        Ok(TicketFields {
            visitor_email,
            summary,
            description,
        })
    }
}

/// An agent's reply text, trimmed, 1 to `REPLY_MAX` characters.
pub fn reply_body(body: &str) -> Result<&str, FieldError> {
    let body = body.trim();
    if body.is_empty() || body.chars().count() > REPLY_MAX {
        return Err(FieldError::new(
            "body",
            format!("must be between 1 and {REPLY_MAX} characters"),
        ));
    }
    Ok(body)
}

/// A reply's text, which may be empty when the reply carries files.
pub fn reply_text(body: &str, has_files: bool) -> Result<&str, FieldError> {
    if has_files && body.trim().is_empty() {
        return Ok("");
    }
    reply_body(body)
}

/// Someone changed the ticket since the caller read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "{number} was changed by someone else (you had version {had}, it is now version {now}). Reload it and try again."
)]
pub struct VersionConflict {
    pub number: TicketNumber,
    pub had: i32,
    pub now: i32,
}

/// Optimistic concurrency: a change that names a version must name the current one.
pub fn check_version(
    number: i64,
    current: i32,
    expected: Option<i32>,
) -> Result<(), VersionConflict> {
    match expected {
        Some(had) if had != current => Err(VersionConflict {
            number: TicketNumber::new(number),
            had,
            now: current,
        }),
        _ => Ok(()),
    }
}

/// `resolved_at` / `closed_at` after moving to `to`.
pub fn timestamps_after(
    ticket_resolved_at: Option<DateTime<Utc>>,
    to: TicketStatus,
    now: DateTime<Utc>,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    match to {
        TicketStatus::Open | TicketStatus::InProgress => (None, None),
        TicketStatus::Resolved => (Some(now), None),
        TicketStatus::Closed => (ticket_resolved_at, Some(now)),
    }
}

/// The order of the ticket list. Its keyset is `(sort timestamp, id)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TicketSort {
    #[default]
    CreatedDesc,
    CreatedAsc,
    UpdatedDesc,
    /// Urgent first, newest first within a priority; keyset `(priority, created_at, id)`
    /// (cursor: `domain::tags::encode_priority_cursor`).
    PriorityDesc,
}

impl TicketSort {
    pub const ALL: [TicketSort; 4] = [
        TicketSort::CreatedDesc,
        TicketSort::CreatedAsc,
        TicketSort::UpdatedDesc,
        TicketSort::PriorityDesc,
    ];

    /// The API spelling, also the cursor's tag (a cursor only continues its own order).
    pub fn tag(self) -> &'static str {
        match self {
            TicketSort::CreatedDesc => "created_desc",
            TicketSort::CreatedAsc => "created_asc",
            TicketSort::UpdatedDesc => "updated_desc",
            TicketSort::PriorityDesc => "priority_desc",
        }
    }

    pub fn parse(s: &str) -> Option<TicketSort> {
        Self::ALL.into_iter().find(|o| o.tag() == s)
    }
}

/// Timeline entry kinds (`ticket_events.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Created,
    StatusChanged,
    Reopened,
    Assigned,
    Unassigned,
    Replied,
    /// An auto-reply (out of office) to the ticket's mail, recorded without reopening.
    EmailAutoReply,
    SummaryChanged,
    CategoryChanged,
    PriorityChanged,
    TagAdded,
    TagRemoved,
    /// An internal note was added (`{"note_id", "mentions"}`); the note itself is read
    /// from the notes.
    NoteAdded,
    /// This ticket was merged into another (`{"from", "into"}`, each `{id, number}`).
    MergedInto,
    /// Another ticket was merged into this one (`{"from", "into", "messages", "notes",
    /// "tags"}`).
    MergedFrom,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::StatusChanged => "status_changed",
            EventKind::Reopened => "reopened",
            EventKind::Assigned => "assigned",
            EventKind::Unassigned => "unassigned",
            EventKind::Replied => "replied",
            EventKind::EmailAutoReply => "email_auto_reply",
            EventKind::SummaryChanged => "summary_changed",
            EventKind::CategoryChanged => "category_changed",
            EventKind::PriorityChanged => "priority_changed",
            EventKind::TagAdded => "tag_added",
            EventKind::TagRemoved => "tag_removed",
            EventKind::NoteAdded => "note_added",
            EventKind::MergedInto => "merged_into",
            EventKind::MergedFrom => "merged_from",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_follow_the_status() {
        let now = Utc::now();
        let earlier = now - chrono::Duration::hours(1);
        assert_eq!(
            timestamps_after(None, TicketStatus::Resolved, now),
            (Some(now), None)
        );
        assert_eq!(
            timestamps_after(Some(earlier), TicketStatus::Closed, now),
            (Some(earlier), Some(now))
        );
        assert_eq!(
            timestamps_after(Some(earlier), TicketStatus::Open, now),
            (None, None)
        );
        assert_eq!(
            timestamps_after(Some(earlier), TicketStatus::InProgress, now),
            (None, None)
        );
    }

    #[test]
    fn one_open_ticket_per_conversation() {
        let id = Uuid::nil();
        assert_eq!(ensure_no_open_ticket(None), Ok(()));
        let t = |status| Some(TicketRef::from((id, 10001, status)));
        for status in [TicketStatus::Resolved, TicketStatus::Closed] {
            assert_eq!(ensure_no_open_ticket(t(status)), Ok(()));
        }
        for status in [TicketStatus::Open, TicketStatus::InProgress] {
            let err = ensure_no_open_ticket(t(status)).unwrap_err();
            assert!(err.to_string().contains("TKT-10001"), "{err}");
        }
    }

    #[test]
    fn versions_must_match_when_given() {
        assert_eq!(check_version(10001, 3, None), Ok(()));
        assert_eq!(check_version(10001, 3, Some(3)), Ok(()));
        let err = check_version(10001, 4, Some(3)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "TKT-10001 was changed by someone else (you had version 3, it is now version 4). Reload it and try again."
        );
    }

    #[test]
    fn new_ticket_fields_are_checked() {
        let ok = TicketFields::parse(" Jane@Example.com ", " Refund ", String::new()).unwrap();
        assert_eq!(ok.visitor_email, "Jane@Example.com");
        assert_eq!(ok.summary, "Refund");
        assert_eq!(
            TicketFields::parse("nope", "x", String::new())
                .unwrap_err()
                .field,
            "visitor_email"
        );
        assert_eq!(
            TicketFields::parse("a@b.co", "  ", String::new())
                .unwrap_err()
                .field,
            "summary"
        );
        assert_eq!(
            TicketFields::parse("a@b.co", "x", "d".repeat(DESCRIPTION_MAX + 1))
                .unwrap_err()
                .field,
            "description"
        );
        assert!(reply_body(" ").is_err());
        assert_eq!(reply_body(" Hi ").unwrap(), "Hi");
        assert_eq!(reply_text(" ", true).unwrap(), "");
        assert!(reply_text(" ", false).is_err());
    }

    #[test]
    fn sorts_round_trip_through_their_tags() {
        for s in TicketSort::ALL {
            assert_eq!(TicketSort::parse(s.tag()), Some(s));
        }
        assert_eq!(TicketSort::parse("priority"), None);
        assert_eq!(
            TicketSort::parse("priority_desc"),
            Some(TicketSort::PriorityDesc)
        );
    }

    #[test]
    fn availability_needs_plan_and_switch() {
        assert_eq!(
            tickets_available(Plan::Free, true),
            Err(TicketsUnavailable::PlanRequired)
        );
        assert_eq!(
            tickets_available(Plan::Standard, false),
            Err(TicketsUnavailable::Disabled)
        );
        assert_eq!(tickets_available(Plan::Pro, true), Ok(()));
    }
}
