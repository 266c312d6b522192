//! The outbox worker of a `serve` process: binds each job kind to what runs it, and runs
//! due jobs one at a time.
//!
//! A job is claimed under a lease with a pooled connection, which the same step uses to
//! read what the job needs (a webhook delivery's row); the connection goes back before the
//! slow part (SMTP, the receiver's HTTP answer), which is cut off after
//! `outbox::ATTEMPT_TIMEOUT`, well inside the lease; a second connection records the
//! attempt and the outcome. So no connection is held across network I/O, and no other
//! worker can take a job while its attempt is alive.

use std::time::Duration;

use crate::db::models::OutboxJob;
use crate::db::{self, Conn};
use crate::error::ApiResult;
use crate::services::knowledge;
use crate::services::{retention, templated_mail};
use crate::state::AppState;
use crate::{mail, outbox, webhooks};

/// How often expired rate-limit windows are swept.
const CLEANUP_EVERY: Duration = Duration::from_secs(300);

/// A claimed job, with what it needs read.
enum Work {
    Mail(mail::Email),
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
                None => Work::Mail(email),
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
        Work::Mail(email) => Done::Mail(state.mailer.send(&state.config.mail_from, &email).await),
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

/// Claims and runs one due job; `false` when none was due.
pub async fn run_one(state: &AppState) -> ApiResult<bool> {
    let mut conn = db::conn(&state.pool).await?;
    let Some(job) = outbox::claim(&mut conn).await? else {
        return Ok(false);
    };
    let work = prepare(state, &mut conn, &job).await;
    if let Ok(Work::Wait(until)) = work {
        tracing::info!(job = job.id, until = %until, "mail quota reached; the job waits");
        outbox::defer(&mut conn, &job, until, mail::quota::WAITING).await?;
        return Ok(true);
    }
    drop(conn); // No connection is held while the job talks to the outside.
    let done = match work {
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
    };
    let mut conn = db::conn(&state.pool).await?;
    let outcome = match done {
        Ok(done) => record(state, &mut conn, done).await,
        Err(e) => Err(e),
    };
    outbox::finish(&mut conn, &job, &outcome, state.config.outbox_backoff).await?;
    Ok(true)
}

/// Runs due jobs until none is left; returns how many ran.
pub async fn run_due(state: &AppState) -> ApiResult<usize> {
    let mut ran = 0;
    while run_one(state).await? {
        ran += 1;
    }
    Ok(ran)
}

/// The worker loop of a `serve` process, and its maintenance task.
pub fn spawn(state: actix_web::web::Data<AppState>) -> tokio::task::JoinHandle<()> {
    spawn_maintenance(state.clone());
    tokio::spawn(async move {
        loop {
            if let Err(e) = run_due(&state).await {
                tracing::warn!(error = %e, "outbox worker could not run");
            }
            tokio::time::sleep(state.config.outbox_poll).await;
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
