//! Internal notes' rules: the body's limits, and who a note `@mentions`.
//!
//! A mention is `@` and a member's full name (what the dashboard inserts when a member is
//! picked), or `@` and a first name no other member shares, matched without regard to
//! case, starting a word (so `ann@example.com` mentions nobody) and ending one.

use uuid::Uuid;

use crate::domain::FieldError;

/// The longest note, in characters.
pub const NOTE_MAX: usize = 20_000;

/// The note's text, trimmed; 422 when empty or too long.
pub fn note_body(body: &str) -> Result<&str, FieldError> {
    let body = body.trim();
    if body.is_empty() || body.chars().count() > NOTE_MAX {
        return Err(FieldError::new(
            "body",
            format!("must be between 1 and {NOTE_MAX} characters"),
        ));
    }
    Ok(body)
}

/// Characters that continue a word (`@ann-marie` is not `@ann`).
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// Whether `text` has `@name` at a word's start, ending a word (case-insensitive).
fn mentions_name(text: &str, name: &str) -> bool {
    let name = name.trim();
    if name.is_empty() {
        return false;
    }
    let lower = text.to_lowercase();
    let needle = format!("@{}", name.to_lowercase());
    lower.match_indices(&needle).any(|(start, _)| {
        let before = lower.get(..start).and_then(|s| s.chars().next_back());
        let after = lower
            .get(start + needle.len()..)
            .and_then(|s| s.chars().next());
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

/// The members (`(user_id, name)`) that `body` mentions, in the members' order, each once.
pub fn mentioned(body: &str, members: &[(Uuid, &str)]) -> Vec<Uuid> {
    let first = |name: &str| name.split_whitespace().next().unwrap_or("").to_lowercase();
    members
        .iter()
        .filter(|(_, name)| {
            if mentions_name(body, name) {
                return true;
            }
            let f = first(name);
            // A first name names one member only when no other member has it.
            f != name.trim().to_lowercase()
                && members.iter().filter(|(_, n)| first(n) == f).count() == 1
                && mentions_name(body, &f)
        })
        .map(|(id, _)| *id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn team() -> Vec<(Uuid, &'static str)> {
        vec![
            (ids(1), "Ann Lee"),
            (ids(2), "Bob Stone"),
            (ids(3), "Bob Marley"),
            (ids(4), "Zoë"),
        ]
    }

    #[test]
    fn full_names_and_unique_first_names_mention() {
        assert_eq!(mentioned("@Ann Lee can you look?", &team()), vec![ids(1)]);
        assert_eq!(mentioned("cc @ann", &team()), vec![ids(1)]);
        assert_eq!(
            mentioned("@zoë, and @bob stone.", &team()),
            vec![ids(2), ids(4)]
        );
    }

    #[test]
    fn a_shared_first_name_needs_the_full_name() {
        assert!(mentioned("@Bob please", &team()).is_empty());
        assert_eq!(mentioned("@Bob Marley please", &team()), vec![ids(3)]);
    }

    #[test]
    fn emails_and_longer_words_mention_nobody() {
        assert!(mentioned("mail ann@example.com", &team()).is_empty());
        assert!(mentioned("@Annabel said so", &team()).is_empty());
        assert!(mentioned("no mention here", &team()).is_empty());
    }

    #[test]
    fn each_member_once_whatever_the_repeats() {
        assert_eq!(mentioned("@Ann @ann @Ann Lee", &team()), vec![ids(1)]);
    }

    #[test]
    fn bodies_are_trimmed_and_bounded() {
        assert_eq!(note_body("  hi \n").unwrap(), "hi");
        assert!(note_body("   ").is_err());
        assert!(note_body(&"x".repeat(NOTE_MAX + 1)).is_err());
        assert!(note_body(&"é".repeat(NOTE_MAX)).is_ok());
    }
}
