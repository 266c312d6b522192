//! Tags and priority without I/O: what a tag's name and colour must look like, how many a
//! workspace and a ticket may have, the difference between a ticket's tag set and the one
//! an edit asks for, and the keyset of the priority sort.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::FieldError;
use crate::domain::cursor::{Cursor, InvalidCursor};
use crate::domain::enums::TicketPriority;
use crate::domain::tickets::SUMMARY_MAX;

pub const TAG_NAME_MAX: usize = 40;
/// Tags a workspace may define.
pub const TAGS_PER_WORKSPACE: i64 = 200;
/// Tags one ticket may carry.
pub const TAGS_PER_TICKET: usize = 20;

/// A tag's name: trimmed, 1 to `TAG_NAME_MAX` characters, no control characters.
pub fn tag_name(raw: &str) -> Result<String, FieldError> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > TAG_NAME_MAX {
        return Err(FieldError::new(
            "name",
            format!("must be between 1 and {TAG_NAME_MAX} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(FieldError::new(
            "name",
            "must not contain control characters",
        ));
    }
    Ok(name)
}

/// A colour as `#rrggbb` (`#RGB` and upper case accepted), stored lower case.
pub fn tag_colour(raw: &str) -> Result<String, FieldError> {
    let s = raw.trim().to_ascii_lowercase();
    let hex = s.strip_prefix('#').unwrap_or("");
    let ok = |h: &str| h.chars().all(|c| c.is_ascii_hexdigit());
    match hex.len() {
        6 if ok(hex) => Ok(format!("#{hex}")),
        3 if ok(hex) => Ok(format!(
            "#{}",
            hex.chars().flat_map(|c| [c, c]).collect::<String>()
        )),
        _ => Err(FieldError::new(
            "colour",
            "must be a hex colour like #3b82f6",
        )),
    }
}

/// An edited ticket summary: trimmed, 1 to `SUMMARY_MAX` characters.
pub fn ticket_summary(raw: &str) -> Result<String, FieldError> {
    let s = raw.trim();
    if s.is_empty() || s.chars().count() > SUMMARY_MAX {
        return Err(FieldError::new(
            "summary",
            format!("must be between 1 and {SUMMARY_MAX} characters"),
        ));
    }
    Ok(s.to_string())
}

/// The colours the dashboard offers for a new tag; the first unused one is the default.
pub const PALETTE: [&str; 8] = [
    "#2563eb", "#16a34a", "#d97706", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#4b5563",
];

/// What an edit does to a ticket's tags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagDiff {
    pub added: Vec<Uuid>,
    pub removed: Vec<Uuid>,
}

impl TagDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

/// The tags to add and remove to go from `current` to `wanted` (duplicates in `wanted`
/// count once). More than `TAGS_PER_TICKET` wanted: an error on `tags`.
pub fn tag_diff(current: &[Uuid], wanted: &[Uuid]) -> Result<TagDiff, FieldError> {
    let wanted: BTreeSet<Uuid> = wanted.iter().copied().collect();
    if wanted.len() > TAGS_PER_TICKET {
        return Err(FieldError::new(
            "tags",
            format!("a ticket can have at most {TAGS_PER_TICKET} tags"),
        ));
    }
    let current: BTreeSet<Uuid> = current.iter().copied().collect();
    Ok(TagDiff {
        added: wanted.difference(&current).copied().collect(),
        removed: current.difference(&wanted).copied().collect(),
    })
}

/// The cursor tag of `sort=priority_desc`: the priority of the last row rides in the tag,
/// so the keyset `(priority, created_at, id)` fits the `(timestamp, id)` cursor.
pub const PRIORITY_SORT: &str = "priority_desc";

fn priority_tag(p: TicketPriority) -> String {
    format!("{PRIORITY_SORT}.{}", p.as_str())
}

/// Encodes the position after a row of the priority sort.
pub fn encode_priority_cursor(
    priority: TicketPriority,
    created_at: DateTime<Utc>,
    id: Uuid,
) -> String {
    Cursor::new(created_at, id).encode(&priority_tag(priority))
}

/// Decodes a cursor made by [`encode_priority_cursor`] (a cursor of another order is refused).
pub fn decode_priority_cursor(
    text: &str,
) -> Result<(TicketPriority, DateTime<Utc>, Uuid), InvalidCursor> {
    TicketPriority::ALL
        .iter()
        .find_map(|p| {
            Cursor::decode(text, &priority_tag(*p))
                .ok()
                .map(|c| (*p, c.ts, c.id))
        })
        .ok_or(InvalidCursor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(tag_name("  VIP   customer ").unwrap(), "VIP customer");
        assert_eq!(tag_name(" ").unwrap_err().field, "name");
        assert!(tag_name(&"x".repeat(TAG_NAME_MAX)).is_ok());
        assert!(tag_name(&"x".repeat(TAG_NAME_MAX + 1)).is_err());
    }

    #[test]
    fn colours_are_hex() {
        assert_eq!(tag_colour("#3B82F6").unwrap(), "#3b82f6");
        assert_eq!(tag_colour("#abc").unwrap(), "#aabbcc");
        for bad in ["red", "#12345", "3b82f6", "#ggg000", ""] {
            assert_eq!(tag_colour(bad).unwrap_err().field, "colour", "{bad}");
        }
        for c in PALETTE {
            assert_eq!(tag_colour(c).unwrap(), c);
        }
    }

    #[test]
    fn diffs_add_and_remove_once() {
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let d = tag_diff(&[a, b], &[b, c, c]).unwrap();
        assert_eq!(d.added, vec![c]);
        assert_eq!(d.removed, vec![a]);
        assert!(tag_diff(&[a], &[a]).unwrap().is_empty());
        let many: Vec<Uuid> = (0..=TAGS_PER_TICKET as u128).map(Uuid::from_u128).collect();
        assert_eq!(tag_diff(&[], &many).unwrap_err().field, "tags");
    }

    #[test]
    fn priority_cursors_round_trip_and_refuse_other_orders() {
        let ts = DateTime::<Utc>::from_timestamp_micros(1_764_000_000_123_456).unwrap();
        let id = Uuid::from_u128(7);
        let c = encode_priority_cursor(TicketPriority::High, ts, id);
        assert_eq!(
            decode_priority_cursor(&c),
            Ok((TicketPriority::High, ts, id))
        );
        let other = Cursor::new(ts, id).encode("created_desc");
        assert_eq!(decode_priority_cursor(&other), Err(InvalidCursor));
        assert_eq!(decode_priority_cursor("junk"), Err(InvalidCursor));
    }
}
