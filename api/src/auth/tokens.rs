//! JWT access tokens, visitor tokens, and random secrets stored only as SHA-256 hashes
//! (refresh tokens, API keys, invitation tokens).

use chrono::Utc;
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use rand::RngCore;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::config::{Config, kid_of};
use crate::error::{ApiError, ApiResult};

const ACCESS_AUD: &str = "handoff:access";
const VISITOR_AUD: &str = "handoff:visitor";
/// Visitor tokens outlive visits: a returning visitor resumes its conversation.
const VISITOR_TTL_SECS: i64 = 365 * 24 * 3600;

#[derive(Debug, Serialize, Deserialize)]
pub struct AccessClaims {
    pub sub: Uuid,
    /// The session (refresh-token family) the token was issued in: logging it out ends
    /// its live streams.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<Uuid>,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct VisitorClaims {
    pub sub: Uuid,
    pub ws: Uuid,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

/// What a key signs: user access tokens and anonymous visitor tokens get keys of their own,
/// derived from the master secret, so the tokens anyone can mint (visitor) give nothing to
/// attack the user tokens with.
#[derive(Clone, Copy)]
enum Purpose {
    Access,
    Visitor,
}

impl Purpose {
    fn info(self) -> &'static [u8] {
        match self {
            Purpose::Access => b"handoff access token v1",
            Purpose::Visitor => b"handoff visitor token v1",
        }
    }
}

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], parts: &[&[u8]]) -> ApiResult<Vec<u8>> {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).map_err(ApiError::internal)?;
    for p in parts {
        mac.update(p);
    }
    Ok(mac.finalize().into_bytes().to_vec())
}

/// HKDF-SHA256 (RFC 5869) with one output block: extract with a fixed salt, expand with
/// the purpose.
fn derive(master: &[u8], purpose: Purpose) -> ApiResult<Vec<u8>> {
    let prk = hmac(b"handoff-jwt-hkdf-salt-v1", &[master])?;
    hmac(&prk, &[purpose.info(), &[1u8]])
}

/// The master secrets, current first (`None` when the server has no secret: see
/// `Config::jwt`).
fn masters(config: &Config) -> ApiResult<Vec<&[u8]>> {
    let jwt = config.jwt.as_ref().ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!(
            "no JWT_SECRET (and no DATA_DIR/jwt_secret): cannot sign or verify tokens"
        ))
    })?;
    Ok(std::iter::once(jwt.current.as_slice())
        .chain(jwt.previous.iter().map(Vec::as_slice))
        .collect())
}

fn sign<C: Serialize>(config: &Config, purpose: Purpose, claims: &C) -> ApiResult<String> {
    let master = masters(config)?[0];
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(kid_of(master));
    encode(
        &header,
        claims,
        &EncodingKey::from_secret(&derive(master, purpose)?),
    )
    .map_err(ApiError::internal)
}

/// Verifies with the key its `kid` names (the current secret or a previous one); a token
/// without a known `kid`, with another algorithm (`none` included) or audience is invalid.
fn check<C: DeserializeOwned>(
    config: &Config,
    purpose: Purpose,
    token: &str,
    validation: &Validation,
) -> ApiResult<Result<C, jsonwebtoken::errors::Error>> {
    let Ok(header) = jsonwebtoken::decode_header(token) else {
        return Ok(Err(jsonwebtoken::errors::ErrorKind::InvalidToken.into()));
    };
    let Some(master) = header
        .kid
        .and_then(|kid| masters(config).ok()?.into_iter().find(|m| kid_of(m) == kid))
    else {
        masters(config)?; // a server without keys is an internal error, not a 401
        return Ok(Err(jsonwebtoken::errors::ErrorKind::InvalidToken.into()));
    };
    let key = DecodingKey::from_secret(&derive(master, purpose)?);
    Ok(decode::<C>(token, &key, validation).map(|d| d.claims))
}

pub fn issue_access(config: &Config, user_id: Uuid, session: Option<Uuid>) -> ApiResult<String> {
    issue_access_at(config, user_id, session, Utc::now().timestamp())
}

/// An access token as issued at `now` (Unix seconds): the clock made explicit, so a caller
/// can mint one that has already expired.
pub fn issue_access_at(
    config: &Config,
    user_id: Uuid,
    session: Option<Uuid>,
    now: i64,
) -> ApiResult<String> {
    let claims = AccessClaims {
        sub: user_id,
        sid: session,
        aud: ACCESS_AUD.into(),
        iat: now,
        exp: now + config.access_ttl.as_secs() as i64,
    };
    sign(config, Purpose::Access, &claims)
}

pub fn verify_access(config: &Config, token: &str) -> ApiResult<AccessClaims> {
    let mut v = Validation::new(Algorithm::HS256);
    v.set_audience(&[ACCESS_AUD]);
    v.leeway = 5;
    check::<AccessClaims>(config, Purpose::Access, token, &v)?.map_err(|e| match e.kind() {
        jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
            ApiError::unauthorized_msg("The access token has expired; refresh it.")
        }
        _ => ApiError::unauthorized_msg("The access token is invalid."),
    })
}

pub fn issue_visitor(config: &Config, visitor_id: Uuid, workspace_id: Uuid) -> ApiResult<String> {
    issue_visitor_at(config, visitor_id, workspace_id, Utc::now().timestamp())
}

/// A visitor token as issued at `now` (Unix seconds).
pub fn issue_visitor_at(
    config: &Config,
    visitor_id: Uuid,
    workspace_id: Uuid,
    now: i64,
) -> ApiResult<String> {
    let claims = VisitorClaims {
        sub: visitor_id,
        ws: workspace_id,
        aud: VISITOR_AUD.into(),
        iat: now,
        exp: now + VISITOR_TTL_SECS,
    };
    sign(config, Purpose::Visitor, &claims)
}

pub fn verify_visitor(config: &Config, token: &str) -> ApiResult<VisitorClaims> {
    let mut v = Validation::new(Algorithm::HS256);
    v.set_audience(&[VISITOR_AUD]);
    check::<VisitorClaims>(config, Purpose::Visitor, token, &v)?
        .map_err(|_| ApiError::unauthorized_msg("The visitor token is invalid."))
}

/// A random URL-safe secret with the given prefix (`hk_` for API keys).
pub fn random_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

pub fn sha256_hex(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const TEST_SECRET: &str = "q1kZ4vX8m2P0bT7eW9yR3uA6sD5fG8hJ1kL4zX7cV0o=";

    fn config() -> anyhow::Result<Config> {
        let m: HashMap<&str, String> = [
            ("DATABASE_URL", "postgres://x".to_string()),
            ("JWT_SECRET", TEST_SECRET.to_string()),
        ]
        .into();
        Config::from_lookup(|k| m.get(k).cloned())
    }

    #[test]
    fn access_and_visitor_tokens_are_not_interchangeable() -> anyhow::Result<()> {
        let c = config()?;
        let user = Uuid::new_v4();
        let access = issue_access(&c, user, None)?;
        assert_eq!(verify_access(&c, &access)?.sub, user);
        assert!(verify_visitor(&c, &access).is_err());
        let visitor = issue_visitor(&c, user, Uuid::new_v4())?;
        assert!(verify_access(&c, &visitor).is_err());
        assert!(verify_visitor(&c, &visitor).is_ok());
        Ok(())
    }

    #[test]
    fn expired_access_token_is_rejected() -> anyhow::Result<()> {
        let mut c = config()?;
        c.access_ttl = std::time::Duration::from_secs(0);
        let now = Utc::now().timestamp();
        let claims = AccessClaims {
            sub: Uuid::new_v4(),
            sid: None,
            aud: ACCESS_AUD.into(),
            iat: now - 100,
            exp: now - 60,
        };
        let t = sign(&c, Purpose::Access, &claims)?;
        assert!(verify_access(&c, &t).is_err());
        Ok(())
    }

    #[test]
    fn visitor_and_access_keys_differ_and_kids_rotate() -> anyhow::Result<()> {
        let c = config()?;
        let master = masters(&c)?[0];
        assert_ne!(
            derive(master, Purpose::Access)?,
            derive(master, Purpose::Visitor)?
        );
        assert_ne!(derive(master, Purpose::Access)?, master.to_vec());
        // A token signed with the raw master secret (the old scheme) is refused.
        let now = Utc::now().timestamp();
        let claims = AccessClaims {
            sub: Uuid::new_v4(),
            sid: None,
            aud: ACCESS_AUD.into(),
            iat: now,
            exp: now + 60,
        };
        let mut h = Header::new(Algorithm::HS256);
        h.kid = Some(kid_of(master));
        let raw = encode(&h, &claims, &EncodingKey::from_secret(master))?;
        assert!(verify_access(&c, &raw).is_err());
        // Rotation: a token of the old secret verifies while that secret is "previous".
        let old = issue_access(&c, claims.sub, None)?;
        let m: HashMap<&str, String> = [
            ("DATABASE_URL", "postgres://x".to_string()),
            (
                "JWT_SECRET",
                "5f1e0c9a7b3d2e4f6a8b0c1d2e3f405162738495a6b7c8d9eafb0c1d2e3f4051".to_string(),
            ),
            ("JWT_SECRET_PREVIOUS", TEST_SECRET.to_string()),
        ]
        .into();
        let rotated = Config::from_lookup(|k| m.get(k).cloned())?;
        assert_eq!(verify_access(&rotated, &old)?.sub, claims.sub);
        let new = issue_access(&rotated, claims.sub, None)?;
        assert!(
            verify_access(&c, &new).is_err(),
            "the old config doesn't know the new kid"
        );
        Ok(())
    }

    #[test]
    fn secrets_are_random_and_hashed() {
        let a = random_secret("hk_");
        assert!(a.starts_with("hk_") && a.len() == 67);
        assert_ne!(a, random_secret("hk_"));
        assert_eq!(sha256_hex("abc").len(), 64);
    }
}
