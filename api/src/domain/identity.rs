//! Verified identity: the host page says who its logged-in user is with
//! `Handoff('identify', {user_id, email, name, hash})`, where `hash` is the hex
//! HMAC-SHA256 of `user_id` keyed with the workspace's identity secret. The secret stays on
//! the host's server, so a visitor can't claim another user's id (and history).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::domain::email::Email;

type HmacSha256 = Hmac<Sha256>;

/// The prefix of identity secrets (so one is recognisable in a config file or a leak scan).
pub const SECRET_PREFIX: &str = "idsec_";
/// A host's user id: 1 to 255 characters.
pub const MAX_USER_ID_CHARS: usize = 255;
/// A name shown to the team: up to 100 characters.
pub const MAX_NAME_CHARS: usize = 100;

/// The hex HMAC-SHA256 of `user_id` keyed with `secret`: what the host's server computes.
pub fn sign(secret: &str, user_id: &str) -> String {
    let mut mac = mac(secret);
    mac.update(user_id.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn mac(secret: &str) -> HmacSha256 {
    match HmacSha256::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    }
}

/// Whether `hash` (hex, either case) is the signature of `user_id`; compared in constant
/// time.
pub fn verify(secret: &str, user_id: &str, hash: &str) -> bool {
    let Ok(bytes) = hex::decode(hash.trim()) else {
        return false;
    };
    let mut mac = mac(secret);
    mac.update(user_id.as_bytes());
    mac.verify_slice(&bytes).is_ok()
}

/// What the host page claims, checked for shape (not yet for its signature).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub user_id: String,
    pub email: Option<String>,
    pub name: Option<String>,
}

/// Why a claim is not taken. The visitor goes on anonymous either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The workspace has no identity secret (verification is off).
    NotEnabled,
    /// No user id, one longer than 255 characters, a bad email or name.
    Malformed,
    /// The hash is not the signature of the user id.
    BadHash,
}

impl Refused {
    pub fn as_str(self) -> &'static str {
        match self {
            Refused::NotEnabled => "not_enabled",
            Refused::Malformed => "malformed",
            Refused::BadHash => "bad_hash",
        }
    }
}

/// Checks a claim against the workspace's secret.
pub fn check(
    secret: Option<&str>,
    user_id: &str,
    email: Option<&str>,
    name: Option<&str>,
    hash: &str,
) -> Result<Claim, Refused> {
    let secret = secret.ok_or(Refused::NotEnabled)?;
    let user_id = user_id.trim();
    if user_id.is_empty() || user_id.chars().count() > MAX_USER_ID_CHARS {
        return Err(Refused::Malformed);
    }
    let email = match email.map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) => Some(
            Email::parse(e)
                .map_err(|_| Refused::Malformed)?
                .as_str()
                .to_string(),
        ),
        None => None,
    };
    let name = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| n.chars().take(MAX_NAME_CHARS).collect::<String>());
    if !verify(secret, user_id, hash) {
        return Err(Refused::BadHash);
    }
    Ok(Claim {
        user_id: user_id.to_string(),
        email,
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vector() {
        // printf 'user-42' | openssl dgst -sha256 -hmac idsec_test
        assert_eq!(
            sign("idsec_test", "user-42"),
            "b9505d748948458ac75c70972e9cc3abf71ebe6c419b69a24dce7f32ca191ad9"
        );
    }

    #[test]
    fn a_right_hash_passes_and_anything_else_is_refused() {
        let hash = sign("idsec_a", "user-42");
        assert!(verify("idsec_a", "user-42", &hash));
        assert!(verify("idsec_a", "user-42", &hash.to_uppercase()));
        assert!(!verify("idsec_b", "user-42", &hash), "another secret");
        assert!(!verify("idsec_a", "user-43", &hash), "another user");
        assert!(!verify("idsec_a", "user-42", "zz"), "not hex");
        assert!(!verify("idsec_a", "user-42", ""), "empty");
        let claim = check(
            Some("idsec_a"),
            " user-42 ",
            Some("Jo@Example.com"),
            Some(" Jo "),
            &hash,
        );
        assert_eq!(
            claim.map(|c| (c.user_id, c.name)),
            Ok(("user-42".to_string(), Some("Jo".to_string())))
        );
        assert_eq!(
            check(None, "user-42", None, None, &hash),
            Err(Refused::NotEnabled)
        );
        assert_eq!(
            check(Some("idsec_a"), "", None, None, &hash),
            Err(Refused::Malformed)
        );
        assert_eq!(
            check(
                Some("idsec_a"),
                "user-42",
                Some("not an email"),
                None,
                &hash
            ),
            Err(Refused::Malformed)
        );
        assert_eq!(
            check(Some("idsec_a"), "user-43", None, None, &hash),
            Err(Refused::BadHash)
        );
        let long = "x".repeat(256);
        assert_eq!(
            check(Some("idsec_a"), &long, None, None, &sign("idsec_a", &long)),
            Err(Refused::Malformed)
        );
    }
}
