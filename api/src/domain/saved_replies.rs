//! Saved replies without I/O: what a title, a `/shortcut` and a body must look like, how
//! many a workspace may keep, the keyset cursor of the list (ordered by shortcut), and the
//! version check of an edit.
//!
//! Bodies are free text: `{{visitor.email}}`, `{{ticket.number}}`, `{{agent.name}}` and
//! `{{workspace.name}}` are filled in by the dashboard when an agent inserts the reply;
//! anything else between braces is kept as typed.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::domain::FieldError;
use crate::domain::cursor::InvalidCursor;

pub const TITLE_MAX: usize = 100;
pub const SHORTCUT_MAX: usize = 32;
pub const BODY_MAX: usize = 10_000;
/// Saved replies a workspace may keep (the dashboard loads them all for the `/` list).
pub const SAVED_REPLIES_PER_WORKSPACE: i64 = 1_000;
/// The longest `q` of the list.
pub const QUERY_MAX: usize = 100;

/// The cursor tag of the list (ordered by shortcut).
pub const CURSOR_TAG: &str = "saved_replies";

/// A title: whitespace runs collapsed, 1 to `TITLE_MAX` characters, no control characters.
pub fn title(raw: &str) -> Result<String, FieldError> {
    let t = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.is_empty() || t.chars().count() > TITLE_MAX {
        return Err(FieldError::new(
            "title",
            format!("must be between 1 and {TITLE_MAX} characters"),
        ));
    }
    if t.chars().any(char::is_control) {
        return Err(FieldError::new(
            "title",
            "must not contain control characters",
        ));
    }
    Ok(t)
}

/// Whether `s` is a stored shortcut: 1 to `SHORTCUT_MAX` of `a-z`, `0-9`, `-`, `_`.
fn is_shortcut(s: &str) -> bool {
    (1..=SHORTCUT_MAX).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// A shortcut as typed (`refund`, `/refund` or `Refund`), stored lower case without the `/`.
pub fn shortcut(raw: &str) -> Result<String, FieldError> {
    let s = raw.trim();
    let s = s.strip_prefix('/').unwrap_or(s).to_ascii_lowercase();
    if s.is_empty() || s.chars().count() > SHORTCUT_MAX {
        return Err(FieldError::new(
            "shortcut",
            format!("must be between 1 and {SHORTCUT_MAX} characters"),
        ));
    }
    if !is_shortcut(&s) {
        return Err(FieldError::new(
            "shortcut",
            "may contain only lower-case letters, digits, - and _",
        ));
    }
    Ok(s)
}

/// A body: trimmed at both ends (inside, kept as typed), 1 to `BODY_MAX` characters, no
/// control characters but line breaks and tabs.
pub fn body(raw: &str) -> Result<String, FieldError> {
    let b = raw.trim();
    if b.is_empty() || b.chars().count() > BODY_MAX {
        return Err(FieldError::new(
            "body",
            format!("must be between 1 and {BODY_MAX} characters"),
        ));
    }
    if b.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(FieldError::new(
            "body",
            "must not contain control characters other than line breaks and tabs",
        ));
    }
    Ok(b.to_string())
}

/// The list's `q`: trimmed, a leading `/` dropped (agents type `/ref`); `None` when empty.
pub fn query(raw: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(q) = raw.map(str::trim) else {
        return Ok(None);
    };
    let q = q.strip_prefix('/').unwrap_or(q).trim();
    if q.chars().count() > QUERY_MAX {
        return Err(FieldError::new(
            "q",
            format!("must be at most {QUERY_MAX} characters"),
        ));
    }
    Ok((!q.is_empty()).then(|| q.to_string()))
}

/// The cursor after the row with `shortcut` (unique in the workspace, so the whole key).
pub fn encode_cursor(shortcut: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_TAG}:{shortcut}"))
}

/// The shortcut a cursor made by [`encode_cursor`] continues after.
pub fn decode_cursor(text: &str) -> Result<String, InvalidCursor> {
    if text.is_empty() || text.len() > 200 {
        return Err(InvalidCursor);
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|_| InvalidCursor)?;
    let raw = String::from_utf8(bytes).map_err(|_| InvalidCursor)?;
    match raw.split_once(':') {
        Some((CURSOR_TAG, s)) if is_shortcut(s) => Ok(s.to_string()),
        _ => Err(InvalidCursor),
    }
}

/// The saved reply was changed since the caller read it (409 `version_conflict`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "This saved reply was changed by someone else (you had version {had}, it is now version {now}). Reload it and try again."
)]
pub struct ReplyChanged {
    pub had: i32,
    pub now: i32,
}

/// An edit that names a version must name the current one.
pub fn check_version(current: i32, expected: Option<i32>) -> Result<(), ReplyChanged> {
    match expected {
        Some(had) if had != current => Err(ReplyChanged { had, now: current }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcuts_are_lower_case_words_without_the_slash() {
        assert_eq!(shortcut(" /Refund ").unwrap(), "refund");
        assert_eq!(shortcut("order-status_2").unwrap(), "order-status_2");
        assert_eq!(shortcut(&"a".repeat(32)).unwrap().len(), 32);
        for bad in [
            "",
            "/",
            "  ",
            "two words",
            "café",
            "a.b",
            "a/b",
            "#tag",
            "x{y}",
        ] {
            assert_eq!(shortcut(bad).unwrap_err().field, "shortcut", "{bad:?}");
        }
        assert!(shortcut(&"a".repeat(33)).is_err());
    }

    #[test]
    fn titles_and_bodies_have_limits() {
        assert_eq!(title("  Refund   started ").unwrap(), "Refund started");
        assert!(title(" ").is_err());
        assert!(title(&"t".repeat(101)).is_err());
        assert!(title(&"t".repeat(100)).is_ok());
        assert_eq!(
            body("\n Hi {{visitor.email}},\n\nthanks. \n").unwrap(),
            "Hi {{visitor.email}},\n\nthanks."
        );
        assert!(body(&"b".repeat(BODY_MAX)).is_ok());
        // Characters, not bytes.
        assert!(body(&"é".repeat(BODY_MAX)).is_ok());
        assert_eq!(body(&"b".repeat(BODY_MAX + 1)).unwrap_err().field, "body");
        assert!(body("   ").is_err());
        assert!(body("bell \u{7}").is_err());
        assert!(body("tab\there\r\nline").is_ok());
        // Unknown variables and unbalanced braces are free text.
        assert!(body("{{order.id}} {{ not closed").is_ok());
    }

    #[test]
    fn the_query_drops_the_slash() {
        assert_eq!(query(None).unwrap(), None);
        assert_eq!(query(Some("  ")).unwrap(), None);
        assert_eq!(query(Some("/")).unwrap(), None);
        assert_eq!(query(Some(" /Ref ")).unwrap().as_deref(), Some("Ref"));
        assert_eq!(query(Some(&"q".repeat(101))).unwrap_err().field, "q");
    }

    #[test]
    fn cursors_round_trip_and_refuse_others() {
        let c = encode_cursor("order-status");
        assert_eq!(decode_cursor(&c).unwrap(), "order-status");
        let other = URL_SAFE_NO_PAD.encode("articles:order-status");
        for bad in [
            String::new(),
            "junk!".into(),
            other,
            URL_SAFE_NO_PAD.encode("saved_replies:"),
            URL_SAFE_NO_PAD.encode("saved_replies:Bad Value"),
            URL_SAFE_NO_PAD.encode([0xff, 0xfe]),
            "a".repeat(300),
        ] {
            assert_eq!(decode_cursor(&bad), Err(InvalidCursor), "{bad}");
        }
    }

    #[test]
    fn a_stale_version_is_refused() {
        assert!(check_version(3, None).is_ok());
        assert!(check_version(3, Some(3)).is_ok());
        assert_eq!(
            check_version(3, Some(2)),
            Err(ReplyChanged { had: 2, now: 3 })
        );
    }
}
