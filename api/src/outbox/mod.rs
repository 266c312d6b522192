//! The transactional outbox, as a queue: jobs are written in the same transaction as the
//! change that causes them (`enqueue`), claimed fairly across workspaces under a lease
//! that the running worker renews (`claim`, `renew`), and finished with their outcome
//! (`finish`): done, retried with exponential backoff, or failed for good, with the last
//! error recorded. An outage delays work, never loses it: delivery is at least once (a
//! worker killed after the receiver accepted but before the outcome was recorded runs the
//! job again once its lease runs out).
//!
//! What a job kind *does* is bound in `worker.rs`; the queue knows no job kinds.

use std::time::Duration;

use chrono::Utc;
use serde::Serialize;
use uuid::Uuid;

use crate::db::models::OutboxJob;
use crate::db::{Conn, outbox as store};
use crate::error::{ApiError, ApiResult};

/// The longest one attempt may run before it counts as failed. While it runs, its worker
/// renews the job's lease (`OUTBOX_LEASE_SECS`), so no other worker takes a job whose
/// attempt is alive however long it takes; an attempt whose lease can't be renewed in
/// time is cut off before the lease runs out (`worker.rs`).
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

/// Queues a job in the caller's transaction that runs no earlier than `run_at` (a
/// scheduled job: it waits in the queue, durable, and is claimed like any other when due).
pub async fn enqueue_at(
    conn: &mut Conn,
    workspace_id: Option<Uuid>,
    kind: &str,
    payload: &impl Serialize,
    run_at: chrono::DateTime<Utc>,
) -> ApiResult<i64> {
    let payload = serde_json::to_value(payload).map_err(ApiError::internal)?;
    Ok(store::insert_at(conn, workspace_id, kind, payload, run_at).await?)
}

/// Delay before attempt `attempts + 1`: base·2^(attempts−1), capped at an hour.
pub fn backoff(base: Duration, attempts: i32) -> Duration {
    let exp = attempts.clamp(1, 20) as u32 - 1;
    base.saturating_mul(2u32.saturating_pow(exp))
        .min(Duration::from_secs(3600))
}

/// Claims up to `n` due jobs, fairly across workspaces (at most `per_workspace` of a
/// workspace's jobs in flight on all servers), each leased for `lease`.
pub async fn claim(
    conn: &mut Conn,
    lease: Duration,
    per_workspace: usize,
    n: usize,
) -> ApiResult<Vec<OutboxJob>> {
    let per_workspace = i64::try_from(per_workspace).unwrap_or(i64::MAX);
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    Ok(store::claim(conn, lease.as_secs_f64(), per_workspace, n).await?)
}

/// Extends the lease of a job whose attempt runs; the new `locked_until`, or `None` when
/// the lease was lost (it ran out and another worker took the job).
pub async fn renew(
    conn: &mut Conn,
    job: &OutboxJob,
    lease: Duration,
) -> ApiResult<Option<chrono::DateTime<Utc>>> {
    Ok(store::renew(conn, job.id, job.locked_until, lease.as_secs_f64()).await?)
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
}
