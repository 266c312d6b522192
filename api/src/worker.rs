//! The outbox worker of a `serve` process: binds each job kind to what runs it, and runs
//! up to `OUTBOX_CONCURRENCY` due jobs at once, claimed fairly across workspaces (at most
//! `OUTBOX_WORKSPACE_CONCURRENCY` of one workspace's jobs in flight on all servers; see
//! `db::outbox::claim`).
//!
//! Each job runs in its own task: a pooled connection reads what the job needs (a webhook
//! delivery's row) and goes back before the slow part (SMTP, the receiver's HTTP answer),
//! which is cut off after `outbox::ATTEMPT_TIMEOUT`; a second connection records the
//! outcome. Meanwhile the job's lease (`OUTBOX_LEASE_SECS`) is renewed every third of it,
//! and an attempt whose lease can't be renewed in time is dropped before the lease runs
//! out. So no connection is held across network I/O, and no other worker, on this server
//! or another, takes a job while its attempt is alive.

use std::time::{Duration, Instant};

use crate::db::models::OutboxJob;
use crate::db::{self, Conn};
use crate::error::ApiResult;
use crate::services::knowledge;
use crate::services::{live, retention, templated_mail};
use crate::state::AppState;
use crate::{mail, outbox, webhooks};

/// How often expired rate-limit windows are swept.
const CLEANUP_EVERY: Duration = Duration::from_secs(300);

/// A claimed job, with what it needs read.
enum Work {
    /// A mail and its job's id (its Message-ID).
    Mail(i64, mail::Email),
    Webhook(Box<webhooks::Prepared>),
    Index(knowledge::ToIndex),
    /// Nothing left to do (e.g. the webhook was deleted meanwhile).
    Nothing,
    /// Not now: the mail quota's window is full until then.
    Wait(chrono::DateTime<chrono::Utc>),
}

/// What running the work gave, before it is recorded.
enum Done {
    Mail(anyhow::Result<()>),
    Webhook(Box<webhooks::Prepared>, webhooks::Attempt),
    Index(
        knowledge::ToIndex,
        anyhow::Result<Vec<crate::db::knowledge::NewPassage>>,
    ),
    Nothing,
}

async fn prepare(state: &AppState, conn: &mut Conn, job: &OutboxJob) -> anyhow::Result<Work> {
    Ok(match job.kind.as_str() {
        mail::JOB_KIND => {
            let email = match serde_json::from_value(job.payload.clone())? {
                mail::MailJob::Rendered(email) => email,
                mail::MailJob::Template(t) => {
                    // Rendered first: the quota needs the recipient. A job that then
                    // waits renders (and mints its token) again when it runs.
                    match templated_mail::render(conn, &state.config.public_url, &t).await? {
                        Some(email) => email,
                        None => return Ok(Work::Nothing),
                    }
                }
            };
            let limits = mail::quota::Limits {
                per_workspace_hour: state.config.mail_quota_workspace_per_hour,
                per_recipient_hour: state.config.mail_quota_recipient_per_hour,
            };
            match mail::quota::take(
                conn,
                limits,
                job.workspace_id,
                &email.to,
                chrono::Utc::now(),
            )
            .await?
            {
                None => Work::Mail(job.id, email),
                Some(until) => Work::Wait(until),
            }
        }
        webhooks::JOB_KIND => match webhooks::prepare(conn, &job.payload).await? {
            Some(p) => Work::Webhook(Box::new(p)),
            None => Work::Nothing,
        },
        knowledge::JOB_KIND => Work::Index(knowledge::prepare(conn, &job.payload).await?),
        other => anyhow::bail!("unknown outbox job kind `{other}`"),
    })
}

async fn execute(state: &AppState, work: Work) -> Done {
    match work {
        Work::Mail(job, email) => Done::Mail(state.mailer.send(&state.config, job, &email).await),
        Work::Webhook(p) => {
            let attempt = webhooks::send(&state.webhooks, &p).await;
            Done::Webhook(p, attempt)
        }
        Work::Index(job) => {
            let rows = knowledge::embed(state, &job).await;
            Done::Index(job, rows)
        }
        Work::Nothing | Work::Wait(_) => Done::Nothing,
    }
}

async fn record(state: &AppState, conn: &mut Conn, done: Done) -> anyhow::Result<()> {
    match done {
        Done::Mail(outcome) => outcome,
        Done::Webhook(p, attempt) => webhooks::record(conn, &p, &attempt).await,
        Done::Index(job, rows) => knowledge::record(state, conn, &job, rows?).await,
        Done::Nothing => Ok(()),
    }
}

/// Runs one claimed job: reads what it needs, runs it under its renewed lease, records
/// the outcome.
async fn run_claimed(state: &AppState, mut job: OutboxJob, claimed: Instant) -> ApiResult<()> {
    let lease = state.config.outbox_lease;
    let held = std::sync::Mutex::new(job.locked_until);
    let attempt = async {
        let mut conn = db::conn(&state.pool).await?;
        let work = prepare(state, &mut conn, &job).await;
        if let Ok(Work::Wait(until)) = work {
            return Ok::<_, crate::error::ApiError>(Attempt::Wait(until, Box::new(conn)));
        }
        drop(conn); // No connection is held while the job talks to the outside.
        Ok(Attempt::Ran(match work {
            Ok(work) => {
                match tokio::time::timeout(outbox::ATTEMPT_TIMEOUT, execute(state, work)).await {
                    Ok(done) => Ok(done),
                    Err(_) => Err(anyhow::anyhow!(
                        "the attempt took longer than {:?}",
                        outbox::ATTEMPT_TIMEOUT
                    )),
                }
            }
            Err(e) => Err(e),
        }))
    };
    // The attempt runs while the lease is held; if the lease is lost (it could not be
    // renewed before it ran out), the attempt is dropped right there, so no second worker
    // ever runs this job while this attempt is alive.
    let attempt = tokio::select! {
        attempt = attempt => attempt?,
        lost = keep_lease(state, &job, &held, claimed + lease) => Attempt::Ran(Err(lost)),
    };
    job.locked_until = match held.lock() {
        Ok(held) => *held,
        Err(poisoned) => *poisoned.into_inner(),
    };
    let done = match attempt {
        Attempt::Wait(until, mut conn) => {
            tracing::info!(job = job.id, until = %until, "mail quota reached; the job waits");
            return outbox::defer(&mut conn, &job, until, mail::quota::WAITING).await;
        }
        Attempt::Ran(done) => done,
    };
    let mut conn = db::conn(&state.pool).await?;
    let outcome = match done {
        Ok(done) => record(state, &mut conn, done).await,
        Err(e) => Err(e),
    };
    outbox::finish(&mut conn, &job, &outcome, state.config.outbox_backoff).await
}

/// A job's attempt, before its outcome is recorded.
enum Attempt {
    /// Not run: the mail quota is full until then (with the connection that read it).
    Wait(chrono::DateTime<chrono::Utc>, Box<db::PooledConn>),
    Ran(anyhow::Result<Done>),
}

/// Renews the job's lease every third of it, keeping `held` (its `locked_until`)
/// current. Returns only when the lease is lost: taken over (it ran out), or not renewed
/// by the time a sixth of it is left (the database is unreachable), early enough that the
/// attempt is cut off before any other worker may take the job.
async fn keep_lease(
    state: &AppState,
    job: &OutboxJob,
    held: &std::sync::Mutex<Option<chrono::DateTime<chrono::Utc>>>,
    mut expires: Instant,
) -> anyhow::Error {
    let lease = state.config.outbox_lease;
    let current = || match held.lock() {
        Ok(h) => *h,
        Err(poisoned) => *poisoned.into_inner(),
    };
    loop {
        tokio::time::sleep_until((expires - lease * 2 / 3).into()).await;
        loop {
            let cutoff = expires - lease / 6;
            let started = Instant::now();
            if started >= cutoff {
                return anyhow::anyhow!("the job's lease could not be renewed in time");
            }
            let renewal = async {
                let mut conn = db::conn(&state.pool).await?;
                let mut leased = job.clone();
                leased.locked_until = current();
                outbox::renew(&mut conn, &leased, lease).await
            };
            match tokio::time::timeout_at(cutoff.into(), renewal).await {
                Ok(Ok(Some(until))) => {
                    match held.lock() {
                        Ok(mut h) => *h = Some(until),
                        Err(poisoned) => *poisoned.into_inner() = Some(until),
                    }
                    expires = started + lease;
                    break;
                }
                Ok(Ok(None)) => {
                    return anyhow::anyhow!("the job's lease ran out and another worker took it");
                }
                Ok(Err(e)) => {
                    tracing::warn!(job = job.id, error = %e, "could not renew an outbox job's lease; retrying");
                    tokio::time::sleep(
                        (lease / 12).min(cutoff.saturating_duration_since(Instant::now())),
                    )
                    .await;
                }
                Err(_) => return anyhow::anyhow!("the job's lease could not be renewed in time"),
            }
        }
    }
}

/// The outbox worker of a `serve` process: up to `OUTBOX_CONCURRENCY` jobs at once,
/// claimed fairly across workspaces as slots free up; and its maintenance task.
pub fn spawn(state: actix_web::web::Data<AppState>) -> tokio::task::JoinHandle<()> {
    spawn_maintenance(state.clone());
    spawn_takeover_sweep(state.clone());
    spawn_viewers_sweep(state.clone());
    tokio::spawn(async move {
        let slots = state.config.outbox_concurrency;
        let mut running = tokio::task::JoinSet::new();
        loop {
            let free = slots.saturating_sub(running.len());
            let mut claimed = 0;
            if free > 0 {
                let started = Instant::now();
                let jobs = async {
                    let mut conn = db::conn(&state.pool).await?;
                    outbox::claim(
                        &mut conn,
                        state.config.outbox_lease,
                        state.config.outbox_workspace_concurrency,
                        free,
                    )
                    .await
                };
                match jobs.await {
                    Ok(jobs) => {
                        claimed = jobs.len();
                        for job in jobs {
                            let state = state.clone();
                            running.spawn(async move {
                                let (id, kind) = (job.id, job.kind.clone());
                                if let Err(e) = run_claimed(&state, job, started).await {
                                    tracing::warn!(job = id, kind = %kind, error = %e, "outbox job could not run");
                                }
                            });
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "outbox worker could not claim jobs"),
                }
            }
            // More may be due right away: claim again while slots are free.
            if claimed > 0 && running.len() < slots {
                continue;
            }
            tokio::select! {
                Some(joined) = running.join_next(), if !running.is_empty() => {
                    if let Err(e) = joined {
                        tracing::error!(error = %e, "an outbox job's task failed");
                    }
                }
                () = tokio::time::sleep(state.config.outbox_poll) => {}
            }
        }
    })
}

/// Every `TAKEOVER_SWEEP_MS`: taken-over conversations whose agent has been idle for
/// `TAKEOVER_IDLE_MINUTES` go back to the assistant (`services::live::sweep_idle`; an
/// index-served query, rows locked with SKIP LOCKED so several servers share the work and
/// nothing is kept in memory).
fn spawn_takeover_sweep(state: actix_web::web::Data<AppState>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(state.config.takeover_sweep_interval).await;
            match live::sweep_idle(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    conversations = n,
                    "idle takeovers went back to the assistant"
                ),
                Err(e) => tracing::warn!(error = %e, "idle-takeover sweep failed"),
            }
        }
    })
}

/// Every `domain::viewers::SWEEP_EVERY`: ticket viewings whose page went without a word
/// lapse, and their tickets' dashboards hear who left (`services::viewers::sweep`; an
/// index-served delete, rows locked with SKIP LOCKED so several servers share the work).
fn spawn_viewers_sweep(state: actix_web::web::Data<AppState>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(crate::domain::viewers::SWEEP_EVERY).await;
            if let Err(e) = crate::services::viewers::sweep(&state).await {
                tracing::warn!(error = %e, "ticket-viewers sweep failed");
            }
        }
    })
}

/// Rate-limit sweeps and retention, on their own timers: a busy outbox never starves them.
fn spawn_maintenance(state: actix_web::web::Data<AppState>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut last_cleanup = std::time::Instant::now();
        loop {
            tokio::time::sleep(state.config.retention_interval.min(CLEANUP_EVERY)).await;
            if last_cleanup.elapsed() >= CLEANUP_EVERY {
                last_cleanup = std::time::Instant::now();
                if let Err(e) = state.limiter.cleanup().await {
                    tracing::warn!(error = %e, "rate-limit cleanup failed");
                }
                if let Err(e) = crate::services::streams::purge_expired(&state).await {
                    tracing::warn!(error = %e, "stream-ticket cleanup failed");
                }
            }
            if let Err(e) = retention::run(&state).await {
                tracing::warn!(error = %e, "retention failed");
            }
        }
    })
}
