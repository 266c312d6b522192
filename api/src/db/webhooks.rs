//! Webhook subscriptions and their delivery log (every query filters by workspace_id).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{Webhook, WebhookDelivery};
use crate::db::schema::{webhook_deliveries, webhooks};

pub async fn list(conn: &mut Conn, workspace_id: Uuid) -> QueryResult<Vec<Webhook>> {
    webhooks::table
        .filter(webhooks::workspace_id.eq(workspace_id))
        .order((webhooks::created_at.asc(), webhooks::id.asc()))
        .select(Webhook::as_select())
        .load(conn)
        .await
}

pub async fn get(conn: &mut Conn, workspace_id: Uuid, id: Uuid) -> QueryResult<Option<Webhook>> {
    webhooks::table
        .filter(webhooks::workspace_id.eq(workspace_id))
        .filter(webhooks::id.eq(id))
        .select(Webhook::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn insert(
    conn: &mut Conn,
    workspace_id: Uuid,
    url: &str,
    events: &[String],
    secret: &str,
    active: bool,
) -> QueryResult<Webhook> {
    diesel::insert_into(webhooks::table)
        .values((
            webhooks::id.eq(Uuid::now_v7()),
            webhooks::workspace_id.eq(workspace_id),
            webhooks::url.eq(url),
            webhooks::events.eq(events),
            webhooks::secret.eq(secret),
            webhooks::active.eq(active),
        ))
        .returning(Webhook::as_returning())
        .get_result(conn)
        .await
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = webhooks)]
pub struct WebhookChanges {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub active: Option<bool>,
}

pub async fn update(
    conn: &mut Conn,
    workspace_id: Uuid,
    id: Uuid,
    changes: WebhookChanges,
) -> QueryResult<Option<Webhook>> {
    if changes.url.is_none() && changes.events.is_none() && changes.active.is_none() {
        return get(conn, workspace_id, id).await;
    }
    diesel::update(
        webhooks::table
            .filter(webhooks::workspace_id.eq(workspace_id))
            .filter(webhooks::id.eq(id)),
    )
    .set(changes)
    .returning(Webhook::as_returning())
    .get_result(conn)
    .await
    .optional()
}

pub async fn delete(conn: &mut Conn, workspace_id: Uuid, id: Uuid) -> QueryResult<usize> {
    diesel::delete(
        webhooks::table
            .filter(webhooks::workspace_id.eq(workspace_id))
            .filter(webhooks::id.eq(id)),
    )
    .execute(conn)
    .await
}

/// Active subscriptions of the workspace to `event`.
pub async fn subscribers(
    conn: &mut Conn,
    workspace_id: Uuid,
    event: &str,
) -> QueryResult<Vec<Uuid>> {
    webhooks::table
        .filter(webhooks::workspace_id.eq(workspace_id))
        .filter(webhooks::active.eq(true))
        .filter(webhooks::events.contains(vec![event.to_string()]))
        .select(webhooks::id)
        .load(conn)
        .await
}

pub async fn insert_delivery(
    conn: &mut Conn,
    id: Uuid,
    workspace_id: Uuid,
    webhook_id: Uuid,
    event: &str,
    payload: &serde_json::Value,
) -> QueryResult<usize> {
    diesel::insert_into(webhook_deliveries::table)
        .values((
            webhook_deliveries::id.eq(id),
            webhook_deliveries::workspace_id.eq(workspace_id),
            webhook_deliveries::webhook_id.eq(webhook_id),
            webhook_deliveries::event.eq(event),
            webhook_deliveries::payload.eq(payload),
        ))
        .execute(conn)
        .await
}

pub async fn delivery(
    conn: &mut Conn,
    workspace_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<(WebhookDelivery, Webhook)>> {
    webhook_deliveries::table
        .inner_join(webhooks::table)
        .filter(webhook_deliveries::workspace_id.eq(workspace_id))
        .filter(webhook_deliveries::id.eq(id))
        .select((WebhookDelivery::as_select(), Webhook::as_select()))
        .first(conn)
        .await
        .optional()
}

pub async fn record_attempt(
    conn: &mut Conn,
    workspace_id: Uuid,
    id: Uuid,
    status_code: Option<i32>,
    error: Option<String>,
    delivered_at: Option<DateTime<Utc>>,
) -> QueryResult<usize> {
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::workspace_id.eq(workspace_id))
            .filter(webhook_deliveries::id.eq(id)),
    )
    .set((
        webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
        webhook_deliveries::status_code.eq(status_code),
        webhook_deliveries::last_error.eq(error),
        webhook_deliveries::delivered_at.eq(delivered_at),
    ))
    .execute(conn)
    .await
}

/// The newest deliveries of a webhook first, keyset on (created_at, id).
pub async fn deliveries(
    conn: &mut Conn,
    workspace_id: Uuid,
    webhook_id: Uuid,
    before: Option<(DateTime<Utc>, Uuid)>,
    fetch: i64,
) -> QueryResult<Vec<WebhookDelivery>> {
    let mut q = webhook_deliveries::table
        .filter(webhook_deliveries::workspace_id.eq(workspace_id))
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .select(WebhookDelivery::as_select())
        .into_boxed();
    if let Some((ts, id)) = before {
        q = q.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "(webhook_deliveries.created_at, webhook_deliveries.id) < (",
            )
            .bind::<diesel::sql_types::Timestamptz, _>(ts)
            .sql(", ")
            .bind::<diesel::sql_types::Uuid, _>(id)
            .sql(")"),
        );
    }
    q.order((
        webhook_deliveries::created_at.desc(),
        webhook_deliveries::id.desc(),
    ))
    .limit(fetch)
    .load(conn)
    .await
}

/// Deletes up to `batch` deliveries created before `cutoff` (index
/// `webhook_deliveries_created_idx`).
pub async fn purge_deliveries(
    conn: &mut Conn,
    cutoff: chrono::DateTime<chrono::Utc>,
    batch: i64,
) -> QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM webhook_deliveries WHERE id IN (
             SELECT id FROM webhook_deliveries WHERE created_at < $1
             ORDER BY created_at LIMIT $2)",
    )
    .bind::<diesel::sql_types::Timestamptz, _>(cutoff)
    .bind::<diesel::sql_types::BigInt, _>(batch)
    .execute(conn)
    .await
}

/// The pending outbox job of a delivery, if one is still queued or retrying: `(job id,
/// locked_until)` (a lock in the future: an attempt runs now). Index
/// `outbox_jobs_workspace_pending_idx` bounds it to the workspace's pending webhook jobs.
pub async fn pending_job(
    conn: &mut Conn,
    workspace_id: Uuid,
    delivery_id: Uuid,
) -> QueryResult<Option<(i64, Option<DateTime<Utc>>)>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
        locked_until: Option<DateTime<Utc>>,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT id, locked_until FROM outbox_jobs
          WHERE workspace_id = $1 AND kind = 'webhook'
            AND done_at IS NULL AND failed_at IS NULL
            AND payload->>'delivery_id' = $2
          ORDER BY id LIMIT 1",
    )
    .bind::<diesel::sql_types::Uuid, _>(workspace_id)
    .bind::<diesel::sql_types::Text, _>(delivery_id.to_string())
    .load(conn)
    .await?;
    Ok(rows.into_iter().next().map(|r| (r.id, r.locked_until)))
}

/// Makes a pending (not running) job due now; the rows changed.
pub async fn run_job_now(conn: &mut Conn, job_id: i64) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE outbox_jobs SET run_at = now(), waiting = NULL
          WHERE id = $1 AND done_at IS NULL AND failed_at IS NULL
            AND (locked_until IS NULL OR locked_until < now())",
    )
    .bind::<diesel::sql_types::BigInt, _>(job_id)
    .execute(conn)
    .await
}
