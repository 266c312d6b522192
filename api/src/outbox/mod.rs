//! Transactional outbox: jobs are written in the same transaction as the change that causes
//! them and run by a worker in every `serve` process. Jobs are claimed with
//! `FOR UPDATE SKIP LOCKED` (several processes never take the same job), retried with
//! exponential backoff, and their last error recorded. An outage delays work, never loses it.

use std::time::Duration;

use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::app::AppState;
use crate::db::models::OutboxJob;
use crate::db::schema::outbox_jobs;
use crate::db::{self, Conn};
use crate::error::ApiResult;

/// Queues a job in the caller's transaction.
pub async fn enqueue(
    conn: &mut Conn,
    workspace_id: Option<Uuid>,
    kind: &str,
    payload: serde_json::Value,
) -> ApiResult<i64> {
    Ok(diesel::insert_into(outbox_jobs::table)
        .values((
            outbox_jobs::workspace_id.eq(workspace_id),
            outbox_jobs::kind.eq(kind),
            outbox_jobs::payload.eq(payload),
        ))
        .returning(outbox_jobs::id)
        .get_result(conn)
        .await?)
}

/// Delay before attempt `attempts + 1`: base·2^(attempts−1), capped at an hour.
pub fn backoff(base: Duration, attempts: i32) -> Duration {
    let exp = attempts.clamp(1, 20) as u32 - 1;
    base.saturating_mul(2u32.saturating_pow(exp))
        .min(Duration::from_secs(3600))
}

/// How long a claimed job stays invisible to other workers.
const LEASE_SECS: i32 = 120;
const BATCH: i64 = 10;

/// Claims due jobs and marks them leased in one statement.
pub async fn claim(conn: &mut Conn, batch: i64) -> ApiResult<Vec<OutboxJob>> {
    Ok(diesel::sql_query(
        "UPDATE outbox_jobs SET attempts = attempts + 1, locked_until = now() + make_interval(secs => $1)
         WHERE id IN (
             SELECT id FROM outbox_jobs
             WHERE done_at IS NULL AND failed_at IS NULL AND run_at <= now()
               AND (locked_until IS NULL OR locked_until < now())
             ORDER BY run_at
             LIMIT $2
             FOR UPDATE SKIP LOCKED)
         RETURNING *",
    )
    .bind::<Integer, _>(LEASE_SECS)
    .bind::<BigInt, _>(batch)
    .load::<OutboxJobRow>(conn)
    .await?
    .into_iter()
    .map(Into::into)
    .collect())
}

#[derive(QueryableByName)]
#[diesel(table_name = outbox_jobs, check_for_backend(diesel::pg::Pg))]
struct OutboxJobRow {
    id: i64,
    workspace_id: Option<Uuid>,
    kind: String,
    payload: serde_json::Value,
    attempts: i32,
    max_attempts: i32,
    run_at: chrono::DateTime<Utc>,
    locked_until: Option<chrono::DateTime<Utc>>,
    last_error: Option<String>,
    done_at: Option<chrono::DateTime<Utc>>,
    failed_at: Option<chrono::DateTime<Utc>>,
    created_at: chrono::DateTime<Utc>,
}

impl From<OutboxJobRow> for OutboxJob {
    fn from(r: OutboxJobRow) -> Self {
        OutboxJob {
            id: r.id,
            workspace_id: r.workspace_id,
            kind: r.kind,
            payload: r.payload,
            attempts: r.attempts,
            max_attempts: r.max_attempts,
            run_at: r.run_at,
            locked_until: r.locked_until,
            last_error: r.last_error,
            done_at: r.done_at,
            failed_at: r.failed_at,
            created_at: r.created_at,
        }
    }
}

async fn run_job(state: &AppState, job: &OutboxJob) -> anyhow::Result<()> {
    match job.kind.as_str() {
        crate::mail::JOB_KIND => {
            let email: crate::mail::Email = serde_json::from_value(job.payload.clone())?;
            state.mailer.send(&state.config.mail_from, &email).await
        }
        crate::webhooks::JOB_KIND => crate::webhooks::deliver(state, &job.payload).await,
        other => anyhow::bail!("unknown outbox job kind `{other}`"),
    }
}

async fn finish(
    conn: &mut Conn,
    job: &OutboxJob,
    outcome: &anyhow::Result<()>,
    base: Duration,
) -> ApiResult<()> {
    let target = outbox_jobs::table.find(job.id);
    match outcome {
        Ok(()) => {
            diesel::update(target)
                .set((
                    outbox_jobs::done_at.eq(Utc::now()),
                    outbox_jobs::locked_until.eq(None::<chrono::DateTime<Utc>>),
                ))
                .execute(conn)
                .await?;
        }
        Err(e) => {
            let msg: String = format!("{e:#}").chars().take(2000).collect();
            if job.attempts >= job.max_attempts {
                tracing::error!(job = job.id, kind = %job.kind, attempts = job.attempts, error = %msg, "outbox job failed for good");
                diesel::update(target)
                    .set((
                        outbox_jobs::failed_at.eq(Utc::now()),
                        outbox_jobs::last_error.eq(msg),
                    ))
                    .execute(conn)
                    .await?;
            } else {
                let delay = backoff(base, job.attempts);
                tracing::warn!(job = job.id, kind = %job.kind, attempts = job.attempts, retry_in = ?delay, error = %msg, "outbox job failed; will retry");
                let run_at = Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default();
                diesel::update(target)
                    .set((
                        outbox_jobs::run_at.eq(run_at),
                        outbox_jobs::last_error.eq(msg),
                        outbox_jobs::locked_until.eq(None::<chrono::DateTime<Utc>>),
                    ))
                    .execute(conn)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Runs due jobs once; returns how many were claimed.
pub async fn run_due(state: &AppState) -> ApiResult<usize> {
    let mut conn = db::conn(&state.pool).await?;
    let jobs = claim(&mut conn, BATCH).await?;
    for job in &jobs {
        let outcome = run_job(state, job).await;
        finish(&mut conn, job, &outcome, state.config.outbox_backoff).await?;
    }
    Ok(jobs.len())
}

/// The worker loop of a `serve` process.
pub fn spawn_worker(state: actix_web::web::Data<AppState>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut last_cleanup = std::time::Instant::now();
        loop {
            match run_due(&state).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "outbox worker could not run"),
            }
            if last_cleanup.elapsed() > Duration::from_secs(300) {
                last_cleanup = std::time::Instant::now();
                if let Err(e) = state.limiter.cleanup().await {
                    tracing::warn!(error = %e, "rate-limit cleanup failed");
                }
            }
            tokio::time::sleep(state.config.outbox_poll).await;
        }
    })
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
