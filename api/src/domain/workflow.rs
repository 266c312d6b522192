//! The ticket status machine (docs/architecture.md, "Ticket workflow").
//!
//! Every allowed move is listed in one `match`; anything else is refused with a
//! message that names the moves that *are* allowed from the current status.

use std::fmt;

use crate::domain::enums::TicketStatus;

/// What applying a requested status means for a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// The ticket already has the requested status: nothing to write, no event.
    NoOp,
    /// A real move from one status to another.
    Move {
        from: TicketStatus,
        to: TicketStatus,
    },
}

/// A move the workflow does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidTransition {
    pub from: TicketStatus,
    pub to: TicketStatus,
    /// The statuses reachable from `from`, in workflow order.
    pub allowed: Vec<TicketStatus>,
}

impl fmt::Display for InvalidTransition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let allowed: Vec<String> = self
            .allowed
            .iter()
            .map(|to| format!("{} → {}", self.from, to))
            .collect();
        write!(
            f,
            "A ticket cannot move from {} to {}. Allowed moves from {}: {}.",
            self.from,
            self.to,
            self.from,
            allowed.join(", ")
        )
    }
}

impl std::error::Error for InvalidTransition {}

/// True when the workflow allows moving a ticket from `from` to `to` (`from != to`).
///
/// The single source of truth for the workflow: one arm per allowed move.
pub fn is_allowed(from: TicketStatus, to: TicketStatus) -> bool {
    use TicketStatus::*;
    matches!(
        (from, to),
        (Open, InProgress)
            | (Open, Resolved)
            | (Open, Closed)
            | (InProgress, Open)
            | (InProgress, Resolved)
            | (InProgress, Closed)
            | (Resolved, Closed)
            // reopen
            | (Resolved, Open)
            | (Closed, Open)
    )
}

/// The statuses a ticket in `from` may move to, in workflow order.
pub fn allowed_from(from: TicketStatus) -> Vec<TicketStatus> {
    TicketStatus::ALL
        .iter()
        .copied()
        .filter(|&to| to != from && is_allowed(from, to))
        .collect()
}

/// Decides what a request to set status `to` on a ticket in status `from` means.
pub fn transition(from: TicketStatus, to: TicketStatus) -> Result<Transition, InvalidTransition> {
    if from == to {
        Ok(Transition::NoOp)
    } else if is_allowed(from, to) {
        Ok(Transition::Move { from, to })
    } else {
        Err(InvalidTransition {
            from,
            to,
            allowed: allowed_from(from),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::TicketStatus::*;
    use super::*;

    #[test]
    fn all_sixteen_pairs() {
        // (from, to, expected) for every pair of statuses.
        let cases = [
            (Open, Open, Some(Transition::NoOp)),
            (
                Open,
                InProgress,
                Some(Transition::Move {
                    from: Open,
                    to: InProgress,
                }),
            ),
            (
                Open,
                Resolved,
                Some(Transition::Move {
                    from: Open,
                    to: Resolved,
                }),
            ),
            (
                Open,
                Closed,
                Some(Transition::Move {
                    from: Open,
                    to: Closed,
                }),
            ),
            (
                InProgress,
                Open,
                Some(Transition::Move {
                    from: InProgress,
                    to: Open,
                }),
            ),
            (InProgress, InProgress, Some(Transition::NoOp)),
            (
                InProgress,
                Resolved,
                Some(Transition::Move {
                    from: InProgress,
                    to: Resolved,
                }),
            ),
            (
                InProgress,
                Closed,
                Some(Transition::Move {
                    from: InProgress,
                    to: Closed,
                }),
            ),
            (
                Resolved,
                Open,
                Some(Transition::Move {
                    from: Resolved,
                    to: Open,
                }),
            ),
            (Resolved, InProgress, None),
            (Resolved, Resolved, Some(Transition::NoOp)),
            (
                Resolved,
                Closed,
                Some(Transition::Move {
                    from: Resolved,
                    to: Closed,
                }),
            ),
            (
                Closed,
                Open,
                Some(Transition::Move {
                    from: Closed,
                    to: Open,
                }),
            ),
            (Closed, InProgress, None),
            (Closed, Resolved, None),
            (Closed, Closed, Some(Transition::NoOp)),
        ];
        assert_eq!(cases.len(), 16);
        for (from, to, expected) in cases {
            match (transition(from, to), expected) {
                (Ok(got), Some(want)) => assert_eq!(got, want, "{from:?} -> {to:?}"),
                (Err(err), None) => {
                    assert_eq!((err.from, err.to), (from, to));
                    assert!(!err.allowed.contains(&to));
                }
                (got, want) => panic!("{from:?} -> {to:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn allowed_lists() {
        assert_eq!(allowed_from(Open), vec![InProgress, Resolved, Closed]);
        assert_eq!(allowed_from(InProgress), vec![Open, Resolved, Closed]);
        assert_eq!(allowed_from(Resolved), vec![Open, Closed]);
        assert_eq!(allowed_from(Closed), vec![Open]);
    }

    #[test]
    fn message_names_the_allowed_moves() {
        let err = transition(Closed, Resolved).unwrap_err();
        assert_eq!(
            err.to_string(),
            "A ticket cannot move from closed to resolved. Allowed moves from closed: closed → open."
        );
        let err = transition(Resolved, InProgress).unwrap_err();
        assert!(
            err.to_string()
                .contains("resolved → open, resolved → closed")
        );
    }
}
