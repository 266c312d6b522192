//! The rules of merging one ticket into another, and of a bulk change's request: plain
//! functions over what the service read (docs/agent-workspace.md, "Merge" and "Bulk
//! actions").
//!
//! A merge moves the merged ticket's conversation into the surviving ticket's, and the
//! merged ticket's visitor then sees the surviving ticket's conversation in their widget.
//! So only one requester's tickets merge: the same visitor, or visitors with the same email
//! address (the identity the helpdesk already goes by: tickets made by the API or by mail
//! join the visitor with that address). Two different people's tickets are refused
//! (`different_visitor`): merging them would show each the other's messages, or split the
//! replies between them.

use std::fmt;

use uuid::Uuid;

use crate::domain::FieldError;
use crate::domain::enums::{TicketPriority, TicketStatus};
use crate::domain::ticket_number::TicketNumber;

/// What the merge rules look at on each side.
#[derive(Debug, Clone)]
pub struct MergeSide<'a> {
    pub id: Uuid,
    pub number: i64,
    pub status: TicketStatus,
    pub merged_into_number: Option<i64>,
    pub visitor_id: Uuid,
    pub visitor_email: &'a str,
}

/// Why a merge is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeRefused {
    /// 422 `merge_into_itself`
    IntoItself { number: TicketNumber },
    /// 409 `ticket_merged`: the ticket to merge was merged already.
    SourceMerged {
        number: TicketNumber,
        into: TicketNumber,
    },
    /// 422 `ticket_closed`: a closed ticket is finished; reopen it to merge it.
    SourceClosed { number: TicketNumber },
    /// 422 `target_merged`: the surviving ticket must be one that is still worked.
    TargetMerged {
        number: TicketNumber,
        into: TicketNumber,
    },
    /// 422 `target_closed`
    TargetClosed { number: TicketNumber },
    /// 422 `different_visitor`
    DifferentVisitor {
        number: TicketNumber,
        into: TicketNumber,
    },
}

impl MergeRefused {
    pub fn code(&self) -> &'static str {
        match self {
            MergeRefused::IntoItself { .. } => "merge_into_itself",
            MergeRefused::SourceMerged { .. } => "ticket_merged",
            MergeRefused::SourceClosed { .. } => "ticket_closed",
            MergeRefused::TargetMerged { .. } => "target_merged",
            MergeRefused::TargetClosed { .. } => "target_closed",
            MergeRefused::DifferentVisitor { .. } => "different_visitor",
        }
    }
}

impl fmt::Display for MergeRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MergeRefused::IntoItself { number } => {
                write!(f, "{number} can't be merged into itself.")
            }
            MergeRefused::SourceMerged { number, into } => {
                write!(f, "{number} was already merged into {into}.")
            }
            MergeRefused::SourceClosed { number } => write!(
                f,
                "{number} is closed. Reopen it first if you want to merge it."
            ),
            MergeRefused::TargetMerged { number, into } => write!(
                f,
                "{number} was merged into {into}. Merge into {into} instead."
            ),
            MergeRefused::TargetClosed { number } => write!(
                f,
                "{number} is closed. Merge into a ticket that is still open, or reopen it first."
            ),
            MergeRefused::DifferentVisitor { number, into } => write!(
                f,
                "{number} and {into} are from different visitors. Only one visitor's tickets can be merged, \
                 so that nobody sees another person's conversation."
            ),
        }
    }
}

impl std::error::Error for MergeRefused {}

/// Whether `source` may be merged into `target`.
pub fn check_merge(source: &MergeSide<'_>, target: &MergeSide<'_>) -> Result<(), MergeRefused> {
    let number = TicketNumber::new(source.number);
    let into = TicketNumber::new(target.number);
    if source.id == target.id {
        return Err(MergeRefused::IntoItself { number });
    }
    if let Some(n) = source.merged_into_number {
        return Err(MergeRefused::SourceMerged {
            number,
            into: TicketNumber::new(n),
        });
    }
    if source.status == TicketStatus::Closed {
        return Err(MergeRefused::SourceClosed { number });
    }
    if let Some(n) = target.merged_into_number {
        return Err(MergeRefused::TargetMerged {
            number: into,
            into: TicketNumber::new(n),
        });
    }
    if target.status == TicketStatus::Closed {
        return Err(MergeRefused::TargetClosed { number: into });
    }
    if !same_requester(source, target) {
        return Err(MergeRefused::DifferentVisitor { number, into });
    }
    Ok(())
}

/// The same visitor, or the same email address (case and surrounding space aside).
fn same_requester(a: &MergeSide<'_>, b: &MergeSide<'_>) -> bool {
    a.visitor_id == b.visitor_id
        || a.visitor_email
            .trim()
            .eq_ignore_ascii_case(b.visitor_email.trim())
}

/// A change to a merged ticket (status, assignee, edit, reply, note): 409 `ticket_merged`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketMerged {
    pub number: TicketNumber,
    pub into: TicketNumber,
}

impl fmt::Display for TicketMerged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} was merged into {}. Work on {} instead.",
            self.number, self.into, self.into
        )
    }
}

impl std::error::Error for TicketMerged {}

/// Refuses changes to a merged ticket.
pub fn ensure_not_merged(number: i64, merged_into_number: Option<i64>) -> Result<(), TicketMerged> {
    match merged_into_number {
        Some(into) => Err(TicketMerged {
            number: TicketNumber::new(number),
            into: TicketNumber::new(into),
        }),
        None => Ok(()),
    }
}

// ---------------------------------------------------------------- bulk

/// The most tickets one bulk change names.
pub const BULK_MAX: usize = 100;

/// A bulk change, checked: what to do to every ticket it names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkChange {
    pub status: Option<TicketStatus>,
    /// `Some(None)`: unassign.
    pub assignee: Option<Option<Uuid>>,
    pub priority: Option<TicketPriority>,
    pub add_tags: Vec<Uuid>,
    pub remove_tags: Vec<Uuid>,
}

impl BulkChange {
    pub fn touches_fields(&self) -> bool {
        self.priority.is_some() || !self.add_tags.is_empty() || !self.remove_tags.is_empty()
    }
}

/// Checks a bulk request's shape: 1 to `BULK_MAX` tickets, at least one change, no tag
/// both added and removed. Returns the tickets without repeats (first mention first) and
/// the tag lists without repeats.
pub fn check_bulk(
    tickets: &[String],
    mut change: BulkChange,
) -> Result<(Vec<String>, BulkChange), FieldError> {
    if tickets.is_empty() {
        return Err(FieldError::new("tickets", "must name at least one ticket"));
    }
    if tickets.len() > BULK_MAX {
        return Err(FieldError::new(
            "tickets",
            format!("must name at most {BULK_MAX} tickets"),
        ));
    }
    let mut seen = Vec::with_capacity(tickets.len());
    for t in tickets {
        let t = t.trim().to_string();
        if !seen.contains(&t) {
            seen.push(t);
        }
    }
    dedup(&mut change.add_tags);
    dedup(&mut change.remove_tags);
    if change.add_tags.len() + change.remove_tags.len() > 2 * crate::domain::tags::TAGS_PER_TICKET {
        return Err(FieldError::new("add_tags", "names too many tags"));
    }
    if change
        .add_tags
        .iter()
        .any(|t| change.remove_tags.contains(t))
    {
        return Err(FieldError::new(
            "remove_tags",
            "must not name a tag that add_tags names",
        ));
    }
    if change.status.is_none() && change.assignee.is_none() && !change.touches_fields() {
        return Err(FieldError::new(
            "tickets",
            "name a change: status, assignee_id, priority, add_tags or remove_tags",
        ));
    }
    Ok((seen, change))
}

fn dedup(ids: &mut Vec<Uuid>) {
    let mut out: Vec<Uuid> = Vec::with_capacity(ids.len());
    for id in ids.drain(..) {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    *ids = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(number: i64, status: TicketStatus, visitor: Uuid, email: &str) -> MergeSide<'_> {
        MergeSide {
            id: Uuid::from_u128(number as u128),
            number,
            status,
            merged_into_number: None,
            visitor_id: visitor,
            visitor_email: email,
        }
    }

    #[test]
    fn merge_rules() {
        let v = Uuid::now_v7();
        let w = Uuid::now_v7();
        let a = side(10001, TicketStatus::Open, v, "ann@example.com");
        let b = side(10002, TicketStatus::InProgress, v, "ann@example.com");
        assert_eq!(check_merge(&a, &b), Ok(()));
        assert_eq!(
            check_merge(&a, &a).map_err(|e| e.code()),
            Err("merge_into_itself")
        );
        // Same email, another visitor row (another device): the same requester.
        let b2 = side(10002, TicketStatus::Resolved, w, " ANN@example.com ");
        assert_eq!(check_merge(&a, &b2), Ok(()));
        let other = side(10003, TicketStatus::Open, w, "bob@example.com");
        let err = check_merge(&a, &other).unwrap_err();
        assert_eq!(err.code(), "different_visitor");
        assert!(err.to_string().contains("TKT-10001 and TKT-10003"));
        let closed = side(10004, TicketStatus::Closed, v, "ann@example.com");
        assert_eq!(
            check_merge(&a, &closed).map_err(|e| e.code()),
            Err("target_closed")
        );
        assert_eq!(
            check_merge(&closed, &a).map_err(|e| e.code()),
            Err("ticket_closed")
        );
        let merged = MergeSide {
            merged_into_number: Some(10002),
            ..closed.clone()
        };
        let err = check_merge(&a, &merged).unwrap_err();
        assert_eq!(err.code(), "target_merged");
        assert_eq!(
            err.to_string(),
            "TKT-10004 was merged into TKT-10002. Merge into TKT-10002 instead."
        );
        assert_eq!(
            check_merge(&merged, &a).map_err(|e| e.code()),
            Err("ticket_merged")
        );
    }

    #[test]
    fn merged_tickets_take_no_changes() {
        assert!(ensure_not_merged(10001, None).is_ok());
        let err = ensure_not_merged(10001, Some(10002)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "TKT-10001 was merged into TKT-10002. Work on TKT-10002 instead."
        );
    }

    #[test]
    fn bulk_requests_are_checked() {
        let status = BulkChange {
            status: Some(TicketStatus::Resolved),
            ..Default::default()
        };
        assert_eq!(
            check_bulk(&[], status.clone()).unwrap_err().field,
            "tickets"
        );
        let many: Vec<String> = (0..=BULK_MAX)
            .map(|i| format!("TKT-{}", 10001 + i))
            .collect();
        assert!(
            check_bulk(&many, status.clone())
                .unwrap_err()
                .problem
                .contains("at most 100")
        );
        assert!(check_bulk(&many[..BULK_MAX], status.clone()).is_ok());
        let (tickets, _) = check_bulk(
            &["TKT-10001".into(), " TKT-10001".into(), "TKT-10002".into()],
            status,
        )
        .unwrap();
        assert_eq!(tickets, vec!["TKT-10001", "TKT-10002"]);
        assert_eq!(
            check_bulk(&["TKT-10001".into()], BulkChange::default())
                .unwrap_err()
                .field,
            "tickets"
        );
        let tag = Uuid::now_v7();
        let both = BulkChange {
            add_tags: vec![tag],
            remove_tags: vec![tag],
            ..Default::default()
        };
        assert_eq!(
            check_bulk(&["TKT-10001".into()], both).unwrap_err().field,
            "remove_tags"
        );
        let unassign = BulkChange {
            assignee: Some(None),
            add_tags: vec![tag, tag],
            ..Default::default()
        };
        let (_, change) = check_bulk(&["TKT-10001".into()], unassign).unwrap();
        assert_eq!(change.add_tags, vec![tag]);
    }
}
