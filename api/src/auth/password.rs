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

/// Password hashes computed at once, per process: each argon2id run holds 19 MiB and a
/// blocking thread, so an unbounded number would exhaust memory. Past it, a caller waits
/// `GATE_WAIT` at most, then gets 503 (the client retries later).
fn gate() -> &'static tokio::sync::Semaphore {
    static GATE: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    GATE.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new((cores * 2).max(4))
    })
}
const GATE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// A permit to hash (see `gate`), or 503 when every permit stayed busy for `GATE_WAIT`.
async fn permit(
    gate: &'static tokio::sync::Semaphore,
    wait: std::time::Duration,
) -> ApiResult<tokio::sync::SemaphorePermit<'static>> {
    match tokio::time::timeout(wait, gate.acquire()).await {
        Ok(Ok(p)) => Ok(p),
        _ => Err(ApiError::unavailable()),
    }
}

pub async fn hash(password: String) -> ApiResult<String> {
    let _permit = permit(gate(), GATE_WAIT).await?;
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
    let _permit = permit(gate(), GATE_WAIT).await?;
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
    async fn a_full_gate_answers_503_instead_of_queueing_without_bound() {
        static ONE: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);
        let wait = std::time::Duration::from_millis(20);
        let held = permit(&ONE, wait).await;
        assert!(held.is_ok());
        let refused = permit(&ONE, wait).await;
        assert!(matches!(refused, Err(ApiError::Unavailable)), "{refused:?}");
        drop(held);
        assert!(permit(&ONE, wait).await.is_ok());
    }

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
