//! Ticket numbers: per workspace, `TKT-<n>` with n starting at 10001.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// A ticket's human-facing number, written `TKT-10001`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TicketNumber(i64);

/// The text is not a ticket number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a ticket number (expected TKT-<number>, e.g. TKT-10001)")]
pub struct InvalidTicketNumber(pub String);

impl TicketNumber {
    pub const PREFIX: &'static str = "TKT-";

    pub fn new(n: i64) -> Self {
        TicketNumber(n)
    }

    pub fn value(self) -> i64 {
        self.0
    }

    /// Parses `TKT-10001`, case-insensitively and ignoring surrounding spaces.
    pub fn parse(text: &str) -> Result<Self, InvalidTicketNumber> {
        let trimmed = text.trim();
        let invalid = || InvalidTicketNumber(text.to_string());
        let prefix = trimmed.get(..Self::PREFIX.len()).ok_or_else(invalid)?;
        if !prefix.eq_ignore_ascii_case(Self::PREFIX) {
            return Err(invalid());
        }
        let digits = trimmed.get(Self::PREFIX.len()..).unwrap_or_default();
        if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        digits
            .parse::<i64>()
            .map(TicketNumber)
            .map_err(|_| invalid())
    }

    /// For search boxes: a full `TKT-n` or a bare number of at least 5 digits.
    pub fn parse_search(text: &str) -> Option<Self> {
        if let Ok(number) = Self::parse(text) {
            return Some(number);
        }
        let t = text.trim();
        if t.len() >= 5 && t.len() <= 18 && t.bytes().all(|b| b.is_ascii_digit()) {
            return t.parse().ok().map(TicketNumber);
        }
        None
    }
}

impl fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", Self::PREFIX, self.0)
    }
}

impl FromStr for TicketNumber {
    type Err = InvalidTicketNumber;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// How a ticket is named in a URL: its UUID or its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketKey {
    Id(Uuid),
    Number(i64),
}

impl TicketKey {
    /// Parses the `{ticket}` path segment: a UUID or `TKT-10001` (any case). Anything else
    /// names no ticket.
    pub fn parse(text: &str) -> Option<TicketKey> {
        if let Ok(id) = Uuid::try_parse(text) {
            return Some(TicketKey::Id(id));
        }
        TicketNumber::parse(text)
            .ok()
            .map(|n| TicketKey::Number(n.value()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(TicketNumber::new(10001).to_string(), "TKT-10001");
    }

    #[test]
    fn parses_case_insensitively() {
        for text in ["TKT-10001", "tkt-10001", "Tkt-10001", " TKT-10001 "] {
            assert_eq!(
                TicketNumber::parse(text),
                Ok(TicketNumber::new(10001)),
                "{text}"
            );
        }
    }

    #[test]
    fn rejects_garbage() {
        for text in [
            "",
            "TKT-",
            "TKT",
            "10001",
            "TKT-10a01",
            "TKT--1",
            "TKT-+1",
            "TKX-10001",
            "TKT 10001",
            "TKT-99999999999999999999",
            "ÄKT-1",
        ] {
            assert!(TicketNumber::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn keys_are_uuids_or_numbers() {
        let id = Uuid::now_v7();
        assert_eq!(TicketKey::parse(&id.to_string()), Some(TicketKey::Id(id)));
        assert_eq!(
            TicketKey::parse("tkt-10001"),
            Some(TicketKey::Number(10001))
        );
        assert_eq!(TicketKey::parse("10001"), None);
        assert_eq!(TicketKey::parse("nope"), None);
    }

    #[test]
    fn search_accepts_bare_numbers() {
        assert_eq!(
            TicketNumber::parse_search("10042"),
            Some(TicketNumber::new(10042))
        );
        assert_eq!(
            TicketNumber::parse_search("tkt-7"),
            Some(TicketNumber::new(7))
        );
        assert_eq!(TicketNumber::parse_search("42"), None);
        assert_eq!(TicketNumber::parse_search("refund"), None);
    }
}
