//! The transactional outbox, as a queue: jobs are written in the same transaction as the
//! change that causes them (`enqueue`), claimed one at a time under a lease (`claim`) and
//! finished with their outcome (`finish`): done, retried with exponential backoff, or failed
//! for good, with the last error recorded. An outage delays work, never loses it.
//!
//! What a job kind *does* is bound in `worker.rs`; the queue knows no job kinds.

use std::time::Duration;

use chrono::Utc;
use serde::Serialize;
use uuid::Uuid;

use crate::db::models::OutboxJob;
use crate::db::{Conn, outbox as store};
use crate::error::{ApiError, ApiResult};

/// How long a claimed job stays invisible to other workers. A job's attempt is cut off
/// well before (`ATTEMPT_TIMEOUT`), so no second worker can take a job whose first
/// attempt is still running.
pub const LEASE: Duration = Duration::from_secs(120);

/// The longest one attempt may run before it counts as failed.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);

/// Queues a job in the caller's transaction.
pub async fn enqueue(
    conn: &mut Conn,
    workspace_id: Option<Uuid>,
    kind: &str,
    payload: &impl Serialize,
) -> ApiResult<i64> {
    let payload = serde_json::to_value(payload).map_err(ApiError::internal)?;
    Ok(store::insert(conn, workspace_id, kind, payload).await?)
}

/// Delay before attempt `attempts + 1`: base·2^(attempts−1), capped at an hour.
pub fn backoff(base: Duration, attempts: i32) -> Duration {
    let exp = attempts.clamp(1, 20) as u32 - 1;
    base.saturating_mul(2u32.saturating_pow(exp))
        .min(Duration::from_secs(3600))
}

/// Claims the job due first, leased for `LEASE`.
pub async fn claim(conn: &mut Conn) -> ApiResult<Option<OutboxJob>> {
    let lease = i32::try_from(LEASE.as_secs()).unwrap_or(i32::MAX);
    Ok(store::claim_one(conn, lease).await?)
}

/// Puts a claimed job back without counting an attempt: it runs again at `until`, with
/// `reason` shown as why it waits.
pub async fn defer(
    conn: &mut Conn,
    job: &OutboxJob,
    until: chrono::DateTime<Utc>,
    reason: &str,
) -> ApiResult<()> {
    if !store::defer(conn, job, until, reason).await? {
        tracing::error!(job = job.id, kind = %job.kind, "outbox job outlived its lease before it was deferred");
    }
    Ok(())
}

/// Records the attempt's outcome. `base` is the first retry delay.
pub async fn finish(
    conn: &mut Conn,
    job: &OutboxJob,
    outcome: &anyhow::Result<()>,
    base: Duration,
) -> ApiResult<()> {
    let now = Utc::now();
    let held = match outcome {
        Ok(()) => store::complete(conn, job, now).await?,
        Err(e) => {
            let msg: String = format!("{e:#}").chars().take(2000).collect();
            if job.attempts >= job.max_attempts {
                tracing::error!(job = job.id, kind = %job.kind, attempts = job.attempts, error = %msg, "outbox job failed for good");
                store::fail(conn, job, now, &msg).await?
            } else {
                let delay = backoff(base, job.attempts);
                tracing::warn!(job = job.id, kind = %job.kind, attempts = job.attempts, retry_in = ?delay, error = %msg, "outbox job failed; will retry");
                let run_at = now + chrono::Duration::from_std(delay).unwrap_or_default();
                store::retry_at(conn, job, run_at, &msg).await?
            }
        }
    };
    if !held {
        tracing::error!(job = job.id, kind = %job.kind, "outbox job outlived its lease; its outcome was not recorded");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let base = Duration::from_secs(2);
        assert_eq!(backoff(base, 1), Duration::from_secs(2));
        assert_eq!(backoff(base, 2), Duration::from_secs(4));
        assert_eq!(backoff(base, 5), Duration::from_secs(32));
        assert_eq!(backoff(base, 40), Duration::from_secs(3600));
    }

    #[test]
    fn an_attempt_ends_well_inside_its_lease() {
        assert!(ATTEMPT_TIMEOUT * 2 <= LEASE);
    }
}
