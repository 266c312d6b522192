//! Retention: what the tables would otherwise keep forever. Done outbox jobs after
//! `OUTBOX_RETENTION_DAYS`, failed ones and webhook deliveries after
//! `WEBHOOK_DELIVERY_RETENTION_DAYS`, visitors who never wrote (no message, no ticket)
//! after `EMPTY_VISITOR_RETENTION_DAYS` without a visit, spent mail-quota windows, widget
//! messages' idempotency keys after `IDEMPOTENCY_RETENTION_HOURS`, AI usage days older
//! than 90 days, and attachments uploaded but never sent after a day (with their files).
//! Deletes go in batches, each served by an index, so no statement holds many locks or
//! scans a table.

use chrono::Utc;

use crate::db::{self, ai_usage, conversations, mail_quota, outbox, webhooks, widget_message_keys};
use crate::error::{ApiError, ApiResult};
use crate::services::{attachments, privacy};
use crate::state::AppState;

/// Rows per DELETE.
pub const BATCH: i64 = 1000;
/// Days of AI usage kept (the daily budget needs today's only).
const AI_USAGE_RETENTION_DAYS: i64 = 90;
/// Batches per table per run (the next run continues).
const MAX_BATCHES: usize = 20;

/// What one run deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    pub outbox_jobs: usize,
    pub deliveries: usize,
    pub visitors: usize,
    pub quota_windows: usize,
    pub ai_usage_days: usize,
    pub message_keys: usize,
    /// Uploads never sent with a message (after a day), with their files.
    pub pending_attachments: usize,
}

fn ago(d: std::time::Duration) -> ApiResult<chrono::DateTime<Utc>> {
    Ok(Utc::now() - chrono::Duration::from_std(d).map_err(ApiError::internal)?)
}

#[derive(Clone, Copy)]
enum Table {
    Outbox,
    Deliveries,
    Visitors,
    QuotaWindows,
    AiUsage,
    MessageKeys,
}

/// Deletes from `table` batch by batch until a batch comes back short (or `MAX_BATCHES`).
async fn batches(state: &AppState, table: Table, cutoffs: &Cutoffs) -> ApiResult<usize> {
    let mut total = 0;
    for _ in 0..MAX_BATCHES {
        let mut conn = db::conn(&state.pool).await?;
        let conn = &mut conn;
        let n = match table {
            Table::Outbox => outbox::purge(conn, cutoffs.done, cutoffs.kept, BATCH).await?,
            Table::Deliveries => webhooks::purge_deliveries(conn, cutoffs.kept, BATCH).await?,
            Table::Visitors => {
                conversations::purge_empty_visitors(conn, cutoffs.idle, BATCH).await?
            }
            Table::QuotaWindows => mail_quota::purge(conn, cutoffs.window, BATCH).await?,
            Table::AiUsage => ai_usage::purge(conn, cutoffs.ai_day, BATCH).await?,
            Table::MessageKeys => widget_message_keys::purge(conn, cutoffs.keys, BATCH).await?,
        };
        total += n;
        if i64::try_from(n).unwrap_or(i64::MAX) < BATCH {
            break;
        }
    }
    Ok(total)
}

struct Cutoffs {
    done: chrono::DateTime<Utc>,
    kept: chrono::DateTime<Utc>,
    idle: chrono::DateTime<Utc>,
    window: chrono::DateTime<Utc>,
    ai_day: chrono::NaiveDate,
    keys: chrono::DateTime<Utc>,
}

pub async fn run(state: &AppState) -> ApiResult<Purged> {
    let c = &state.config;
    let cutoffs = Cutoffs {
        done: ago(c.outbox_retention)?,
        kept: ago(c.delivery_retention)?,
        idle: ago(c.empty_visitor_retention)?,
        window: Utc::now() - chrono::Duration::hours(2),
        ai_day: (Utc::now() - chrono::Duration::days(AI_USAGE_RETENTION_DAYS)).date_naive(),
        keys: ago(c.idempotency_retention)?,
    };
    let mut pending_attachments = 0;
    for _ in 0..MAX_BATCHES {
        let n = attachments::sweep_pending(state, BATCH).await?;
        pending_attachments += n;
        if i64::try_from(n).unwrap_or(i64::MAX) < BATCH {
            break;
        }
    }
    let purged = Purged {
        pending_attachments,
        outbox_jobs: batches(state, Table::Outbox, &cutoffs).await?,
        deliveries: batches(state, Table::Deliveries, &cutoffs).await?,
        visitors: batches(state, Table::Visitors, &cutoffs).await?,
        quota_windows: batches(state, Table::QuotaWindows, &cutoffs).await?,
        ai_usage_days: batches(state, Table::AiUsage, &cutoffs).await?,
        message_keys: batches(state, Table::MessageKeys, &cutoffs).await?,
    };
    if purged != Purged::default() {
        tracing::info!(?purged, "retention deleted old rows");
    }
    // Each workspace's own policy (conversations without a ticket, closed tickets).
    privacy::sweep(state).await?;
    Ok(purged)
}
