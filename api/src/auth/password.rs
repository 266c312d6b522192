//! argon2id password hashing, always off the async runtime.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::{ApiError, ApiResult};

fn hasher() -> ApiResult<Argon2<'static>> {
    // OWASP's argon2id recommendation: m=19 MiB, t=2, p=1.
    let params = Params::new(19 * 1024, 2, 1, None).map_err(ApiError::internal)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

pub async fn hash(password: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || -> ApiResult<String> {
        let h = hasher()?
            .hash_password(password.as_bytes())
            .map_err(|e| ApiError::internal(anyhow::anyhow!("hashing password: {e}")))?;
        Ok(h.to_string())
    })
    .await
    .map_err(ApiError::internal)?
}

/// Constant-time verification; `false` for a malformed stored hash.
pub async fn verify(password: String, stored: String) -> ApiResult<bool> {
    tokio::task::spawn_blocking(move || -> ApiResult<bool> {
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return Ok(false);
        };
        Ok(hasher()?
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(ApiError::internal)?
}

/// A hash to verify against when the user does not exist, so that timing does not tell
/// whether an email is registered.
pub const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$dVzf9iJGOn2ajrP/2Ut5sJn2uMCtaT2J2j7Fw0VPMnE";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_with_argon2id_and_verifies() -> ApiResult<()> {
        let h = hash("correct horse".into()).await?;
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse".into(), h.clone()).await?);
        assert!(!verify("wrong".into(), h).await?);
        assert!(!verify("x".into(), "not a hash".into()).await?);
        Ok(())
    }
}
