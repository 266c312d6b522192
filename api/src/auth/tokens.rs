//! JWT access tokens, visitor tokens, random secrets stored only as SHA-256 hashes
//! (refresh tokens, API keys, invitation tokens), and the HMAC-signed reply-address tokens
//! and Message-ID tags of ticket mail.

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
    /// `reply+<token>@INBOUND_DOMAIN` of ticket mail.
    ReplyAddress,
    /// The tag that makes an outbox job's Message-ID unique to this deployment.
    MessageId,
}

impl Purpose {
    fn info(self) -> &'static [u8] {
        match self {
            Purpose::Access => b"handoff access token v1",
            Purpose::Visitor => b"handoff visitor token v1",
            Purpose::ReplyAddress => b"handoff reply address v1",
            Purpose::MessageId => b"handoff message id v1",
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

// ---------------------------------------------------------------- reply addresses

/// A reply token's two bytes of day count from 2024-01-01.
fn reply_epoch() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default()
}
/// Bytes of the truncated HMAC-SHA256 in a reply token (96 bits).
const REPLY_MAC_LEN: usize = 12;
/// A reply token's bytes: the ticket's id, the day it was issued, the MAC.
const REPLY_TOKEN_LEN: usize = 16 + 2 + REPLY_MAC_LEN;

/// What a reply token says, once its MAC checked out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyToken {
    pub ticket_id: Uuid,
    /// The UTC day the token was issued (the mail was sent).
    pub issued: chrono::NaiveDate,
}

fn reply_mac(master: &[u8], body: &[u8]) -> ApiResult<Vec<u8>> {
    let key = derive(master, Purpose::ReplyAddress)?;
    hmac(&key, &[body])
}

/// The token of `reply+<token>@INBOUND_DOMAIN` for a ticket's mail sent on `day`: the
/// ticket's id and the day, with an HMAC-SHA256 (key derived from `JWT_SECRET`) over them,
/// in lowercase base32 (48 characters; mail systems may change the case of local parts).
/// Nothing is stored: any server verifies it, it names one ticket, it cannot be forged
/// without the secret, and it expires (`INBOUND_REPLY_TTL_DAYS` after `day`).
pub fn reply_token(config: &Config, ticket_id: Uuid, day: chrono::NaiveDate) -> ApiResult<String> {
    let days = day.signed_duration_since(reply_epoch()).num_days();
    let days = u16::try_from(days.max(0)).unwrap_or(u16::MAX);
    let mut body = Vec::with_capacity(REPLY_TOKEN_LEN);
    body.extend_from_slice(ticket_id.as_bytes());
    body.extend_from_slice(&days.to_be_bytes());
    let mac = reply_mac(masters(config)?[0], &body)?;
    body.extend_from_slice(&mac[..REPLY_MAC_LEN]);
    Ok(base32_lower(&body))
}

/// Checks a reply token's MAC against the current and previous secrets (constant time);
/// `None` for anything that is not a token this deployment issued. Expiry is the
/// caller's (it knows the TTL).
pub fn verify_reply_token(config: &Config, token: &str) -> ApiResult<Option<ReplyToken>> {
    if token.len() != REPLY_TOKEN_LEN.div_ceil(5) * 8 {
        return Ok(None);
    }
    let Some(bytes) = base32_decode(&token.to_ascii_lowercase()) else {
        return Ok(None);
    };
    if bytes.len() != REPLY_TOKEN_LEN {
        return Ok(None);
    }
    let (body, mac) = bytes.split_at(16 + 2);
    let mut valid = false;
    for master in masters(config)? {
        let key = derive(master, Purpose::ReplyAddress)?;
        let mut m = <HmacSha256 as Mac>::new_from_slice(&key).map_err(ApiError::internal)?;
        m.update(body);
        valid |= m.verify_truncated_left(mac).is_ok();
    }
    if !valid {
        return Ok(None);
    }
    let (id, day) = body.split_at(16);
    let ticket_id = Uuid::from_slice(id).map_err(ApiError::internal)?;
    let days = i64::from(u16::from_be_bytes([day[0], day[1]]));
    let issued = reply_epoch() + chrono::Duration::days(days);
    Ok(Some(ReplyToken { ticket_id, issued }))
}

/// A short tag (16 hex digits) for an outbox job's Message-ID: derived from the job's id
/// with this deployment's secret, so the same job always gets the same Message-ID (a
/// resend after a crash threads as the same mail) and two deployments never collide.
pub fn message_id_tag(config: &Config, job_id: i64) -> ApiResult<String> {
    let key = derive(masters(config)?[0], Purpose::MessageId)?;
    let mac = hmac(&key, &[&job_id.to_be_bytes()])?;
    Ok(hex::encode(&mac[..8]))
}

const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

fn base32_lower(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = BASE32.iter().position(|&x| x == c)? as u32;
        buffer = ((buffer << 5) | v) & 0xffff;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
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
    fn reply_tokens_name_their_ticket_and_cannot_be_forged() -> anyhow::Result<()> {
        let config = config()?;
        let ticket = Uuid::now_v7();
        let day =
            chrono::NaiveDate::from_ymd_opt(2026, 12, 2).ok_or_else(|| anyhow::anyhow!("day"))?;
        let token = reply_token(&config, ticket, day)?;
        assert_eq!(token.len(), 48, "{token}");
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
        assert_eq!(
            verify_reply_token(&config, &token)?,
            Some(ReplyToken {
                ticket_id: ticket,
                issued: day
            })
        );
        // Mail systems may upper-case the local part.
        assert!(verify_reply_token(&config, &token.to_ascii_uppercase())?.is_some());
        // One character changed anywhere: refused.
        for i in [0, 20, 30, 47] {
            let mut forged: Vec<u8> = token.clone().into_bytes();
            forged[i] = if forged[i] == b'a' { b'b' } else { b'a' };
            let forged = String::from_utf8(forged)?;
            assert_eq!(verify_reply_token(&config, &forged)?, None, "{forged}");
        }
        assert_eq!(verify_reply_token(&config, "")?, None);
        assert_eq!(verify_reply_token(&config, "not-base32!")?, None);
        // Another deployment's secret: refused.
        let other = Config::from_lookup(|k| match k {
            "DATABASE_URL" => Some("postgres://x/y".into()),
            "JWT_SECRET" => {
                Some("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff".into())
            }
            _ => None,
        })?;
        assert_eq!(verify_reply_token(&other, &token)?, None);
        // Message-ID tags are stable per job and differ between jobs.
        assert_eq!(message_id_tag(&config, 7)?, message_id_tag(&config, 7)?);
        assert_ne!(message_id_tag(&config, 7)?, message_id_tag(&config, 8)?);
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
