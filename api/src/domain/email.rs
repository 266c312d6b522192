//! A validated, lower-case email address (the zero-to-production `SubscriberEmail` pattern):
//! once you hold an `Email`, it is well-formed, so nothing downstream re-checks it.

use std::fmt;

/// Why a string is not an acceptable email address (shown to visitors, so plain words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailError {
    Empty,
    TooLong,
    MissingAt,
    BadLocalPart,
    BadDomain,
}

impl fmt::Display for EmailError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EmailError::Empty => "the email address is empty",
            EmailError::TooLong => "the email address is too long",
            EmailError::MissingAt => "an email address needs an @ sign",
            EmailError::BadLocalPart => "the part before the @ is not valid",
            EmailError::BadDomain => "the part after the @ is not a valid domain",
        })
    }
}

impl std::error::Error for EmailError {}

#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Trims, lower-cases and validates. Rejects what is obviously not deliverable:
    /// no dot in the domain (`a@localhost`), one-letter TLDs, empty labels, spaces,
    /// quoted local parts and similar rarities no visitor types.
    pub fn parse(raw: &str) -> Result<Email, EmailError> {
        let s = raw.trim().trim_end_matches('.').to_lowercase();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return Err(EmailError::MissingAt);
        };
        if local.is_empty()
            || local.len() > 64
            || local.starts_with('.')
            || local.ends_with('.')
            || local.contains("..")
            || !local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c))
        {
            return Err(EmailError::BadLocalPart);
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2
            || domain.len() > 253
            || labels.iter().any(|l| {
                l.is_empty()
                    || l.len() > 63
                    || l.starts_with('-')
                    || l.ends_with('-')
                    || !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
        {
            return Err(EmailError::BadDomain);
        }
        let tld = labels[labels.len() - 1];
        if tld.len() < 2 || !tld.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(EmailError::BadDomain);
        }
        Ok(Email(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> String {
        value.0
    }
}

/// What a visitor's message says about an email address, for the ticket flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailInText {
    /// No attempt at an email address.
    None,
    /// A well-formed address found in the text ("sure, it's Jane@Example.com").
    Valid(Email),
    /// Something that was meant as an address but is not one ("jane@gmail", "jane at gmail").
    Invalid {
        candidate: String,
        problem: EmailError,
    },
}

/// Finds an email address in free text. A token containing `@` is an attempt; so is a
/// whole message of one word with a dot or "at"/"dot" spelled out, which visitors type
/// when asked for their address.
pub fn find_in_text(text: &str) -> EmailInText {
    let trim_token = |t: &str| -> String {
        t.trim_matches(|c: char| "<>()[]{}\"',;:!?`".contains(c))
            .to_string()
    };
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let mut first_invalid: Option<(String, EmailError)> = None;
    for token in &tokens {
        if token.contains('@') {
            let candidate = trim_token(token);
            let candidate = candidate
                .strip_prefix("mailto:")
                .unwrap_or(&candidate)
                .to_string();
            match Email::parse(&candidate) {
                Ok(email) => return EmailInText::Valid(email),
                Err(problem) => {
                    if first_invalid.is_none() {
                        first_invalid = Some((candidate, problem));
                    }
                }
            }
        }
    }
    if let Some((candidate, problem)) = first_invalid {
        return EmailInText::Invalid { candidate, problem };
    }
    // "jane at example dot com", "jane(at)example.com": spelled-out attempts.
    let lower = text.to_lowercase();
    if (lower.contains(" at ") || lower.contains("(at)") || lower.contains("[at]"))
        && (lower.contains(" dot ") || lower.contains(".com") || lower.contains(".org"))
        && tokens.len() <= 6
    {
        return EmailInText::Invalid {
            candidate: text.trim().to_string(),
            problem: EmailError::MissingAt,
        };
    }
    // A single bare token like "jane.doe.gmail.com" typed into the email prompt.
    if tokens.len() == 1 {
        let t = trim_token(tokens[0]);
        let looks_like_domain = t.contains('.')
            && t.chars().any(|c| c.is_ascii_alphabetic())
            && !t.ends_with('.')
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-+".contains(c));
        if looks_like_domain {
            return EmailInText::Invalid {
                candidate: t,
                problem: EmailError::MissingAt,
            };
        }
    }
    EmailInText::None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises_real_addresses() {
        for (raw, want) in [
            ("jane@example.com", "jane@example.com"),
            ("  Jane.Doe@Example.COM ", "jane.doe@example.com"),
            ("a+tag@sub.domain.co.uk", "a+tag@sub.domain.co.uk"),
            ("o'brien@example.ie", "o'brien@example.ie"),
            ("x_y-z@my-company.io", "x_y-z@my-company.io"),
            ("jane@example.com.", "jane@example.com"),
        ] {
            assert_eq!(
                Email::parse(raw).map(|e| e.to_string()),
                Ok(want.to_string()),
                "{raw}"
            );
        }
    }

    #[test]
    fn rejects_obvious_junk() {
        for raw in [
            "",
            "   ",
            "jane",
            "jane@",
            "@example.com",
            "jane@localhost",
            "jane@example",
            "jane@example.c",
            "jane@example.123",
            "jane@@example.com",
            "ja ne@example.com",
            "jane@exa mple.com",
            ".jane@example.com",
            "jane.@example.com",
            "ja..ne@example.com",
            "jane@-example.com",
            "jane@example..com",
            "jane@.example.com",
            "jane@example.com@other.com",
            "\"jane\"@example.com",
        ] {
            assert!(Email::parse(raw).is_err(), "{raw:?} should be rejected");
        }
        let long = format!("{}@example.com", "a".repeat(65));
        assert_eq!(Email::parse(&long), Err(EmailError::BadLocalPart));
        let very_long = format!("a@{}.com", "b".repeat(260));
        assert_eq!(Email::parse(&very_long), Err(EmailError::TooLong));
    }

    #[test]
    fn serde_round_trip_validates() {
        let e: Email = serde_json::from_str("\"Jane@Example.com\"").unwrap();
        assert_eq!(e.as_str(), "jane@example.com");
        assert_eq!(serde_json::to_string(&e).unwrap(), "\"jane@example.com\"");
        assert!(serde_json::from_str::<Email>("\"nope\"").is_err());
    }

    #[test]
    fn finds_addresses_in_free_text() {
        assert_eq!(
            find_in_text("sure, it's Jane.Doe@Example.com, thanks!"),
            EmailInText::Valid(Email::parse("jane.doe@example.com").unwrap())
        );
        assert_eq!(
            find_in_text("<mailto:bob@example.org>"),
            EmailInText::Valid(Email::parse("bob@example.org").unwrap())
        );
        assert!(matches!(
            find_in_text("jane@gmail"),
            EmailInText::Invalid { .. }
        ));
        assert!(matches!(
            find_in_text("it is jane@ gmail.com"),
            EmailInText::Invalid { .. }
        ));
        assert!(matches!(
            find_in_text("jane at gmail dot com"),
            EmailInText::Invalid { .. }
        ));
        assert!(matches!(
            find_in_text("jane.gmail.com"),
            EmailInText::Invalid { .. }
        ));
        assert_eq!(find_in_text("no thanks"), EmailInText::None);
        assert_eq!(
            find_in_text("what are your opening hours?"),
            EmailInText::None
        );
        assert_eq!(find_in_text("I'm at home, order 1.5 kg"), EmailInText::None);
        assert_eq!(find_in_text("yes"), EmailInText::None);
    }

    #[test]
    fn a_later_valid_address_beats_an_earlier_broken_one() {
        assert_eq!(
            find_in_text("oops jane@gmail I mean jane@gmail.com"),
            EmailInText::Valid(Email::parse("jane@gmail.com").unwrap())
        );
    }
}
