//! `outbox_jobs`: the transactional outbox's table. Jobs are claimed fairly across
//! workspaces under a lease (`locked_until`) that the running worker renews; finishing a
//! job names the lease it holds, so a worker whose lease ran out can never overwrite
//! another's outcome.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double};
use diesel_async::AsyncConnection;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::OutboxJob;
use crate::db::schema::outbox_jobs;

pub async fn insert(
    conn: &mut Conn,
    workspace_id: Option<Uuid>,
    kind: &str,
    payload: serde_json::Value,
) -> QueryResult<i64> {
    diesel::insert_into(outbox_jobs::table)
        .values((
            outbox_jobs::workspace_id.eq(workspace_id),
            outbox_jobs::kind.eq(kind),
            outbox_jobs::payload.eq(payload),
        ))
        .returning(outbox_jobs::id)
        .get_result(conn)
        .await
}

/// A job that is due at `run_at`.
pub async fn insert_at(
    conn: &mut Conn,
    workspace_id: Option<Uuid>,
    kind: &str,
    payload: serde_json::Value,
    run_at: DateTime<Utc>,
) -> QueryResult<i64> {
    diesel::insert_into(outbox_jobs::table)
        .values((
            outbox_jobs::workspace_id.eq(workspace_id),
            outbox_jobs::kind.eq(kind),
            outbox_jobs::payload.eq(payload),
            outbox_jobs::run_at.eq(run_at),
        ))
        .returning(outbox_jobs::id)
        .get_result(conn)
        .await
}

/// Claims up to `n` due jobs and leases them for `lease_secs`, counting the attempt.
///
/// Fair across workspaces: each workspace (jobs of none form one group) has at most
/// `per_workspace` jobs under a live lease, counted across every worker of every server,
/// and jobs are taken round-robin: a job's turn is its rank in its workspace's due queue
/// plus the workspace's jobs already in flight, so a workspace with nothing running goes
/// before one with ten thousand queued. Index-served (`outbox_jobs_fair_idx`: a skip scan
/// over the workspaces with pending jobs, then each one's next due jobs;
/// `outbox_jobs_leased_idx`: the in-flight counts). Claims are serialized by a
/// transaction-scoped advisory lock, so concurrent claimers can't both fill a
/// workspace's last slot; a claim is one short statement.
pub async fn claim(
    conn: &mut Conn,
    lease_secs: f64,
    per_workspace: i64,
    n: i64,
) -> QueryResult<Vec<OutboxJob>> {
    let rows: Vec<OutboxJobRow> = conn
        .transaction::<_, diesel::result::Error, _>(async |conn| {
            diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
                .bind::<BigInt, _>(CLAIM_LOCK)
                .execute(conn)
                .await?;
            diesel::sql_query(CLAIM_SQL)
                .bind::<Double, _>(lease_secs)
                .bind::<BigInt, _>(per_workspace)
                .bind::<BigInt, _>(n)
                .load(conn)
                .await
        })
        .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// The advisory lock key of claims (`pg_advisory_xact_lock`): "outbox" in ASCII.
const CLAIM_LOCK: i64 = 0x6f75_7462_6f78;

/// Jobs of no workspace (sign-up mail) are one group, under the nil uuid, in the claim
/// and in its indexes (the expression must match theirs).
const CLAIM_SQL: &str = r#"
WITH RECURSIVE grp(k) AS (
    (SELECT COALESCE(workspace_id, '00000000-0000-0000-0000-000000000000'::uuid) FROM outbox_jobs
      WHERE done_at IS NULL AND failed_at IS NULL
      ORDER BY 1 LIMIT 1)
  UNION ALL
    SELECT (SELECT COALESCE(j.workspace_id, '00000000-0000-0000-0000-000000000000'::uuid) FROM outbox_jobs j
             WHERE j.done_at IS NULL AND j.failed_at IS NULL
               AND COALESCE(j.workspace_id, '00000000-0000-0000-0000-000000000000'::uuid) > grp.k
             ORDER BY 1 LIMIT 1)
      FROM grp WHERE grp.k IS NOT NULL
),
busy AS (
    SELECT COALESCE(workspace_id, '00000000-0000-0000-0000-000000000000'::uuid) AS k, count(*) AS n
      FROM outbox_jobs
     WHERE locked_until IS NOT NULL AND done_at IS NULL AND failed_at IS NULL AND locked_until > now()
     GROUP BY 1
),
cand AS (
    SELECT c.id, c.run_at, c.rn + COALESCE(b.n, 0) AS turn
      FROM grp g
      LEFT JOIN busy b ON b.k = g.k
      CROSS JOIN LATERAL (
          SELECT d.id, d.run_at, row_number() OVER (ORDER BY d.run_at, d.id) AS rn
            FROM (SELECT id, run_at FROM outbox_jobs
                   WHERE COALESCE(workspace_id, '00000000-0000-0000-0000-000000000000'::uuid) = g.k
                     AND done_at IS NULL AND failed_at IS NULL AND run_at <= now()
                     AND (locked_until IS NULL OR locked_until < now())
                   ORDER BY run_at LIMIT $2) d
      ) c
     WHERE g.k IS NOT NULL AND c.rn + COALESCE(b.n, 0) <= $2
)
UPDATE outbox_jobs SET attempts = attempts + 1, locked_until = now() + make_interval(secs => $1)
 WHERE id IN (SELECT id FROM cand ORDER BY turn, run_at, id LIMIT $3)
   AND (locked_until IS NULL OR locked_until < now())
RETURNING *
"#;

/// Extends a running job's lease to `lease_secs` from now; the new `locked_until`, or
/// `None` when the job is no longer under the lease `held` (it ran out and another worker
/// took the job, or it was finished).
pub async fn renew(
    conn: &mut Conn,
    id: i64,
    held: Option<DateTime<Utc>>,
    lease_secs: f64,
) -> QueryResult<Option<DateTime<Utc>>> {
    #[derive(QueryableByName)]
    struct Renewed {
        #[diesel(sql_type = diesel::sql_types::Timestamptz)]
        locked_until: DateTime<Utc>,
    }
    let rows: Vec<Renewed> = diesel::sql_query(
        "UPDATE outbox_jobs SET locked_until = now() + make_interval(secs => $1)
         WHERE id = $2 AND locked_until IS NOT DISTINCT FROM $3
           AND done_at IS NULL AND failed_at IS NULL
         RETURNING locked_until",
    )
    .bind::<Double, _>(lease_secs)
    .bind::<BigInt, _>(id)
    .bind::<diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>, _>(held)
    .load(conn)
    .await?;
    Ok(rows.into_iter().next().map(|r| r.locked_until))
}

/// `outbox_jobs` filtered to one job under one lease.
type Leased = diesel::dsl::Filter<
    diesel::dsl::Filter<outbox_jobs::table, diesel::dsl::Eq<outbox_jobs::id, i64>>,
    diesel::dsl::IsNotDistinctFrom<outbox_jobs::locked_until, Option<DateTime<Utc>>>,
>;

/// The job's lease: `(id, locked_until)` as claimed.
fn leased(job: &OutboxJob) -> Leased {
    outbox_jobs::table
        .filter(outbox_jobs::id.eq(job.id))
        .filter(outbox_jobs::locked_until.is_not_distinct_from(job.locked_until))
}

/// Done: never runs again. `false` when the lease was lost meanwhile.
pub async fn complete(conn: &mut Conn, job: &OutboxJob, at: DateTime<Utc>) -> QueryResult<bool> {
    let n = diesel::update(leased(job))
        .set((
            outbox_jobs::done_at.eq(at),
            outbox_jobs::locked_until.eq(None::<DateTime<Utc>>),
            outbox_jobs::waiting.eq(None::<String>),
        ))
        .execute(conn)
        .await?;
    Ok(n == 1)
}

/// Failed this time: runs again at `run_at`.
pub async fn retry_at(
    conn: &mut Conn,
    job: &OutboxJob,
    run_at: DateTime<Utc>,
    error: &str,
) -> QueryResult<bool> {
    let n = diesel::update(leased(job))
        .set((
            outbox_jobs::run_at.eq(run_at),
            outbox_jobs::last_error.eq(error),
            outbox_jobs::locked_until.eq(None::<DateTime<Utc>>),
            outbox_jobs::waiting.eq(None::<String>),
        ))
        .execute(conn)
        .await?;
    Ok(n == 1)
}

/// Failed for good (out of attempts).
pub async fn fail(
    conn: &mut Conn,
    job: &OutboxJob,
    at: DateTime<Utc>,
    error: &str,
) -> QueryResult<bool> {
    let n = diesel::update(leased(job))
        .set((
            outbox_jobs::failed_at.eq(at),
            outbox_jobs::last_error.eq(error),
        ))
        .execute(conn)
        .await?;
    Ok(n == 1)
}

/// Not run this time, and not an attempt: runs again at `run_at` with the reason shown
/// (`waiting`). `false` when the lease was lost meanwhile.
pub async fn defer(
    conn: &mut Conn,
    job: &OutboxJob,
    run_at: DateTime<Utc>,
    reason: &str,
) -> QueryResult<bool> {
    let n = diesel::update(leased(job))
        .set((
            outbox_jobs::run_at.eq(run_at),
            outbox_jobs::attempts.eq(outbox_jobs::attempts - 1),
            outbox_jobs::waiting.eq(reason),
            outbox_jobs::locked_until.eq(None::<DateTime<Utc>>),
        ))
        .execute(conn)
        .await?;
    Ok(n == 1)
}

/// Deletes up to `batch` jobs done before `cutoff` (index `outbox_jobs_done_idx`), and as
/// many failed before `failed_cutoff`; returns how many went.
pub async fn purge(
    conn: &mut Conn,
    cutoff: DateTime<Utc>,
    failed_cutoff: DateTime<Utc>,
    batch: i64,
) -> QueryResult<usize> {
    let done = diesel::sql_query(
        "DELETE FROM outbox_jobs WHERE id IN (
             SELECT id FROM outbox_jobs WHERE done_at IS NOT NULL AND done_at < $1
             ORDER BY done_at LIMIT $2)",
    )
    .bind::<diesel::sql_types::Timestamptz, _>(cutoff)
    .bind::<BigInt, _>(batch)
    .execute(conn)
    .await?;
    let failed = diesel::sql_query(
        "DELETE FROM outbox_jobs WHERE id IN (
             SELECT id FROM outbox_jobs WHERE failed_at IS NOT NULL AND failed_at < $1
             ORDER BY failed_at LIMIT $2)",
    )
    .bind::<diesel::sql_types::Timestamptz, _>(failed_cutoff)
    .bind::<BigInt, _>(batch)
    .execute(conn)
    .await?;
    Ok(done + failed)
}

#[derive(Debug, Clone, Copy, QueryableByName)]
pub struct MailStatus {
    /// Queued mail of the workspace (at most `cap`).
    #[diesel(sql_type = BigInt)]
    pub queued: i64,
    /// Of those, waiting for the mail quota (at most `cap`).
    #[diesel(sql_type = BigInt)]
    pub waiting: i64,
    /// When the first waiting mail goes out.
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    pub next_at: Option<DateTime<Utc>>,
}

/// The workspace's queued mail, counted up to `cap` (index
/// `outbox_jobs_workspace_pending_idx`).
pub async fn mail_status(conn: &mut Conn, workspace_id: Uuid, cap: i64) -> QueryResult<MailStatus> {
    diesel::sql_query(
        "SELECT count(*) AS queued,
                count(*) FILTER (WHERE waiting IS NOT NULL) AS waiting,
                min(run_at) FILTER (WHERE waiting IS NOT NULL) AS next_at
         FROM (SELECT waiting, run_at FROM outbox_jobs
               WHERE workspace_id = $1 AND kind = 'email' AND done_at IS NULL AND failed_at IS NULL
               LIMIT $2) q",
    )
    .bind::<diesel::sql_types::Uuid, _>(workspace_id)
    .bind::<BigInt, _>(cap)
    .get_result(conn)
    .await
}

#[derive(Debug, Clone, Copy, QueryableByName)]
pub struct Depth {
    #[diesel(sql_type = BigInt)]
    pub pending: i64,
    #[diesel(sql_type = BigInt)]
    pub failed: i64,
}

/// Jobs waiting to run and jobs that failed for good (the /metrics gauges).
pub async fn depth(conn: &mut Conn) -> QueryResult<Depth> {
    diesel::sql_query(
        "SELECT (SELECT count(*) FROM outbox_jobs WHERE done_at IS NULL AND failed_at IS NULL) AS pending,
                (SELECT count(*) FROM outbox_jobs WHERE failed_at IS NOT NULL) AS failed",
    )
    .get_result(conn)
    .await
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
    run_at: DateTime<Utc>,
    locked_until: Option<DateTime<Utc>>,
    last_error: Option<String>,
    done_at: Option<DateTime<Utc>>,
    failed_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    waiting: Option<String>,
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
            waiting: r.waiting,
        }
    }
}
