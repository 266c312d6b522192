//! JWT access tokens, visitor tokens, and random secrets stored only as SHA-256 hashes
//! (refresh tokens, API keys, invitation tokens).

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::config::Config;
use crate::error::{ApiError, ApiResult};

const ACCESS_AUD: &str = "handoff:access";
const VISITOR_AUD: &str = "handoff:visitor";
/// Visitor tokens outlive visits: a returning visitor resumes its conversation.
const VISITOR_TTL_SECS: i64 = 365 * 24 * 3600;

#[derive(Debug, Serialize, Deserialize)]
pub struct AccessClaims {
    pub sub: Uuid,
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

pub fn issue_access(config: &Config, user_id: Uuid) -> ApiResult<String> {
    let now = Utc::now().timestamp();
    let claims = AccessClaims {
        sub: user_id,
        aud: ACCESS_AUD.into(),
        iat: now,
        exp: now + config.access_ttl.as_secs() as i64,
    };
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(&config.jwt_secret),
    )
    .map_err(ApiError::internal)
}

pub fn verify_access(config: &Config, token: &str) -> ApiResult<AccessClaims> {
    let mut v = Validation::new(Algorithm::HS256);
    v.set_audience(&[ACCESS_AUD]);
    v.leeway = 5;
    decode::<AccessClaims>(token, &DecodingKey::from_secret(&config.jwt_secret), &v)
        .map(|d| d.claims)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                ApiError::unauthorized_msg("The access token has expired; refresh it.")
            }
            _ => ApiError::unauthorized_msg("The access token is invalid."),
        })
}

pub fn issue_visitor(config: &Config, visitor_id: Uuid, workspace_id: Uuid) -> ApiResult<String> {
    let now = Utc::now().timestamp();
    let claims = VisitorClaims {
        sub: visitor_id,
        ws: workspace_id,
        aud: VISITOR_AUD.into(),
        iat: now,
        exp: now + VISITOR_TTL_SECS,
    };
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(&config.jwt_secret),
    )
    .map_err(ApiError::internal)
}

pub fn verify_visitor(config: &Config, token: &str) -> ApiResult<VisitorClaims> {
    let mut v = Validation::new(Algorithm::HS256);
    v.set_audience(&[VISITOR_AUD]);
    decode::<VisitorClaims>(token, &DecodingKey::from_secret(&config.jwt_secret), &v)
        .map(|d| d.claims)
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

    fn config() -> anyhow::Result<Config> {
        let m: HashMap<&str, String> = [
            ("DATABASE_URL", "postgres://x".to_string()),
            ("JWT_SECRET", "k".repeat(40)),
        ]
        .into();
        Config::from_lookup(|k| m.get(k).cloned())
    }

    #[test]
    fn access_and_visitor_tokens_are_not_interchangeable() -> anyhow::Result<()> {
        let c = config()?;
        let user = Uuid::new_v4();
        let access = issue_access(&c, user)?;
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
            aud: ACCESS_AUD.into(),
            iat: now - 100,
            exp: now - 60,
        };
        let t = encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(&c.jwt_secret),
        )?;
        assert!(verify_access(&c, &t).is_err());
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
