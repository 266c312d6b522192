//! What a workspace API key may do: its scopes, and what an operation needs of a key.
//!
//! A key carries a set of scopes, chosen when it is made and never widened (make a new
//! key instead). Every REST operation declares what it needs in one place, its OpenAPI
//! annotation (`x-handoff-scope`, read by `http::scopes`), and every MCP tool in the
//! tool table (`mcp::tools`); a key without it is refused with 403 `missing_scope`.
//! User sessions are not scoped: their role decides, as before.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One thing a key may be allowed to do.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
pub enum Scope {
    /// Read tickets: list, counts, a ticket with its conversation, internal notes and
    /// timeline, the tags, the saved replies and the team members tickets can be assigned to.
    #[serde(rename = "tickets:read")]
    TicketsRead,
    /// Work tickets: create, change status, assign, edit, reply to the visitor (also by
    /// email), add internal notes; the same on live conversations (take over, reply).
    #[serde(rename = "tickets:write")]
    TicketsWrite,
    /// Read every conversation, also the chats that never became a ticket, and the
    /// workspace's live event stream.
    #[serde(rename = "conversations:read")]
    ConversationsRead,
    /// Read and search the knowledge base.
    #[serde(rename = "kb:read")]
    KbRead,
    /// Create, change and delete knowledge-base articles (what the assistant tells
    /// visitors).
    #[serde(rename = "kb:write")]
    KbWrite,
    /// The workspace's settings: name and allowed origins, ticket and AI settings, tags,
    /// saved replies, webhooks, mail status. Never members or API keys: those need a person.
    #[serde(rename = "admin")]
    Admin,
}

impl Scope {
    /// Every scope, in the order the dashboard shows them.
    pub const ALL: &'static [Scope] = &[
        Scope::TicketsRead,
        Scope::TicketsWrite,
        Scope::ConversationsRead,
        Scope::KbRead,
        Scope::KbWrite,
        Scope::Admin,
    ];

    /// What a key gets when its creator names no scopes: reading tickets, nothing else
    /// (see docs/mcp.md, "Scopes": a client written before scopes fails closed, with a
    /// 403 that names what to add, rather than holding more than its author chose).
    pub const DEFAULT: &'static [Scope] = &[Scope::TicketsRead];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::TicketsRead => "tickets:read",
            Scope::TicketsWrite => "tickets:write",
            Scope::ConversationsRead => "conversations:read",
            Scope::KbRead => "kb:read",
            Scope::KbWrite => "kb:write",
            Scope::Admin => "admin",
        }
    }

    /// The exact spelling, nothing else.
    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.iter().copied().find(|x| x.as_str() == s)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Scopes(u8);

impl Scopes {
    pub const NONE: Scopes = Scopes(0);

    pub fn all() -> Scopes {
        Scope::ALL.iter().copied().collect()
    }

    pub fn contains(self, s: Scope) -> bool {
        self.0 & s.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The scopes of `self` that `granted` lacks.
    pub fn missing_from(self, granted: Scopes) -> Scopes {
        Scopes(self.0 & !granted.0)
    }

    /// In `Scope::ALL` order.
    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL
            .iter()
            .copied()
            .filter(move |s| self.contains(*s))
    }

    pub fn names(self) -> Vec<&'static str> {
        self.iter().map(Scope::as_str).collect()
    }

    /// As stored: the names of the scopes; an unknown name is an error naming it.
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Result<Scopes, String> {
        names
            .iter()
            .map(|n| Scope::parse(n.as_ref()).ok_or_else(|| n.as_ref().to_string()))
            .collect()
    }
}

impl FromIterator<Scope> for Scopes {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        Scopes(iter.into_iter().fold(0, |acc, s| acc | s.bit()))
    }
}

impl std::fmt::Display for Scopes {
    /// Space-separated, as OAuth writes scopes (RFC 6749 §3.3).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.names().join(" "))
    }
}

/// What an operation needs of an API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRule {
    /// Every one of these scopes.
    Needs(Scopes),
    /// A person: API keys are refused whatever their scopes (the caller's own account,
    /// read state and mentions, members and API keys).
    UserSession,
}

/// The spelling of `KeyRule::UserSession` in `x-handoff-scope`.
pub const USER_SESSION: &str = "user-session";

/// An API key may not do this (403).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyRefused {
    /// The scopes the key lacks.
    #[error("{}", missing_message(*.0))]
    MissingScope(Scopes),
    #[error("This endpoint needs a user session, not an API key.")]
    UserSession,
    /// An operation that declares nothing refuses keys (it can't be told apart from a
    /// route that forgot its declaration, so it fails closed).
    #[error("This endpoint does not take API keys.")]
    Undeclared,
}

fn missing_message(missing: Scopes) -> String {
    let names: Vec<String> = missing.iter().map(|s| format!("`{s}`")).collect();
    match names.as_slice() {
        [one] => format!(
            "This API key lacks the {one} scope, which this operation needs; make a key with it in the dashboard (API keys)."
        ),
        _ => format!(
            "This API key lacks the scopes {}, which this operation needs; make a key with them in the dashboard (API keys).",
            names.join(" and ")
        ),
    }
}

impl KeyRule {
    /// `x-handoff-scope`'s value: space-separated scope names, or `user-session`.
    pub fn parse(spec: &str) -> Result<KeyRule, String> {
        let spec = spec.trim();
        if spec == USER_SESSION {
            return Ok(KeyRule::UserSession);
        }
        let words: Vec<&str> = spec.split_whitespace().collect();
        if words.is_empty() {
            return Err("no scope named".into());
        }
        Scopes::from_names(&words)
            .map(KeyRule::Needs)
            .map_err(|w| format!("unknown scope {w:?}"))
    }

    pub fn spec(&self) -> String {
        match self {
            KeyRule::Needs(s) => s.to_string(),
            KeyRule::UserSession => USER_SESSION.into(),
        }
    }

    /// Whether a key with `granted` may.
    pub fn admits(&self, granted: Scopes) -> Result<(), KeyRefused> {
        match self {
            KeyRule::UserSession => Err(KeyRefused::UserSession),
            KeyRule::Needs(needs) => {
                let missing = needs.missing_from(granted);
                if missing.is_empty() {
                    Ok(())
                } else {
                    Err(KeyRefused::MissingScope(missing))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_ones_are_named() {
        for s in Scope::ALL {
            assert_eq!(Scope::parse(s.as_str()), Some(*s));
            assert_eq!(
                serde_json::to_value(s).ok(),
                Some(serde_json::json!(s.as_str()))
            );
        }
        assert_eq!(Scope::parse("tickets"), None);
        assert_eq!(Scope::parse("Tickets:Read"), None);
        assert_eq!(
            Scopes::from_names(&["kb:write", "nope"]),
            Err("nope".to_string())
        );
        let s = Scopes::from_names(&["admin", "tickets:read"]).unwrap_or_default();
        assert_eq!(s.names(), vec!["tickets:read", "admin"]);
        assert_eq!(s.to_string(), "tickets:read admin");
        assert_eq!(Scopes::all().names().len(), Scope::ALL.len());
    }

    #[test]
    fn a_rule_names_every_scope_the_key_lacks() {
        let rule =
            KeyRule::parse("tickets:read conversations:read").unwrap_or(KeyRule::UserSession);
        let read: Scopes = [Scope::TicketsRead].into_iter().collect();
        let both: Scopes = [Scope::TicketsRead, Scope::ConversationsRead]
            .into_iter()
            .collect();
        assert_eq!(rule.admits(both), Ok(()));
        assert_eq!(rule.admits(Scopes::all()), Ok(()));
        let refused = rule.admits(read);
        assert_eq!(
            refused,
            Err(KeyRefused::MissingScope(
                [Scope::ConversationsRead].into_iter().collect()
            ))
        );
        let msg = refused.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("`conversations:read` scope"), "{msg}");
        let msg = rule
            .admits(Scopes::NONE)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            msg.contains("`tickets:read` and `conversations:read`"),
            "{msg}"
        );
        assert_eq!(
            KeyRule::parse("user-session").map(|r| r.admits(Scopes::all())),
            Ok(Err(KeyRefused::UserSession))
        );
        assert!(KeyRule::parse("").is_err());
        assert!(KeyRule::parse("tickets:read tickets:delete").is_err());
        assert_eq!(
            KeyRule::parse("admin").map(|r| r.spec()),
            Ok("admin".to_string())
        );
    }
}
