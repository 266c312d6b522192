//! Webhook subscriptions and signed deliveries.
//!
//! `dispatch` runs in the caller's transaction: it records one delivery per subscribed,
//! active webhook and queues an outbox job for each, so an event is announced exactly when
//! its change commits. The outbox worker calls `deliver`, which POSTs the JSON envelope
//! with a `Handoff-Signature` (see sign.rs and docs/webhooks.md); a non-2xx answer or a
//! network error fails the job and the outbox retries it with backoff.

pub mod sign;

use std::sync::LazyLock;
use std::time::Duration;

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::app::AppState;
use crate::db::models::{Webhook, WebhookDelivery};
use crate::db::schema::{outbox_jobs, webhook_deliveries, webhooks};
use crate::db::{self, Conn};

pub const JOB_KIND: &str = "webhook";

pub const TICKET_CREATED: &str = "ticket.created";
pub const TICKET_UPDATED: &str = "ticket.updated";
pub const TICKET_REPLIED: &str = "ticket.replied";
pub const CONVERSATION_MESSAGE: &str = "conversation.message";
/// Every event a webhook can subscribe to.
pub const EVENTS: [&str; 4] = [
    TICKET_CREATED,
    TICKET_UPDATED,
    TICKET_REPLIED,
    CONVERSATION_MESSAGE,
];

/// What receivers get: `{id, event, created_at, workspace_id, data}`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Envelope {
    /// The delivery id (also in the `Handoff-Delivery` header); stable across retries, so
    /// receivers can deduplicate.
    pub id: Uuid,
    pub event: String,
    pub created_at: chrono::DateTime<Utc>,
    pub workspace_id: Uuid,
    pub data: serde_json::Value,
}

#[derive(Debug, Serialize, Deserialize)]
struct Job {
    delivery_id: Uuid,
    workspace_id: Uuid,
}

/// Queues `event` for every active webhook of the workspace that subscribes to it.
/// Call inside the transaction of the change; returns how many deliveries were queued.
pub async fn dispatch(
    conn: &mut Conn,
    workspace_id: Uuid,
    event: &str,
    data: serde_json::Value,
) -> QueryResult<usize> {
    let targets: Vec<Uuid> = webhooks::table
        .filter(webhooks::workspace_id.eq(workspace_id))
        .filter(webhooks::active.eq(true))
        .filter(webhooks::events.contains(vec![event.to_string()]))
        .select(webhooks::id)
        .load(conn)
        .await?;
    for webhook_id in &targets {
        let id = Uuid::new_v4();
        let envelope = Envelope {
            id,
            event: event.to_string(),
            created_at: Utc::now(),
            workspace_id,
            data: data.clone(),
        };
        diesel::insert_into(webhook_deliveries::table)
            .values((
                webhook_deliveries::id.eq(id),
                webhook_deliveries::workspace_id.eq(workspace_id),
                webhook_deliveries::webhook_id.eq(webhook_id),
                webhook_deliveries::event.eq(event),
                webhook_deliveries::payload.eq(to_json(&envelope)?),
            ))
            .execute(conn)
            .await?;
        let job = to_json(&Job {
            delivery_id: id,
            workspace_id,
        })?;
        diesel::insert_into(outbox_jobs::table)
            .values((
                outbox_jobs::workspace_id.eq(workspace_id),
                outbox_jobs::kind.eq(JOB_KIND),
                outbox_jobs::payload.eq(job),
            ))
            .execute(conn)
            .await?;
    }
    Ok(targets.len())
}

fn to_json<T: Serialize>(v: &T) -> QueryResult<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))
}

/// The `conversation.message` payload.
pub fn message_data(m: &crate::db::models::Message) -> serde_json::Value {
    serde_json::json!({
        "message": {
            "id": m.id,
            "conversation_id": m.conversation_id,
            "sender": m.sender,
            "author_name": m.author_name,
            "body": m.body,
            "created_at": m.created_at,
        }
    })
}

static CLIENT: LazyLock<reqwest::Client> = LazyLock::new(|| {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Handoff-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
});

/// Delivers one queued webhook (the outbox worker's "webhook" job).
pub async fn deliver(state: &AppState, payload: &serde_json::Value) -> anyhow::Result<()> {
    let job: Job = serde_json::from_value(payload.clone())?;
    let mut conn = db::conn(&state.pool)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let found: Option<(WebhookDelivery, Webhook)> = webhook_deliveries::table
        .inner_join(webhooks::table)
        .filter(webhook_deliveries::workspace_id.eq(job.workspace_id))
        .filter(webhook_deliveries::id.eq(job.delivery_id))
        .select((WebhookDelivery::as_select(), Webhook::as_select()))
        .first(&mut conn)
        .await
        .optional()?;
    let Some((delivery, hook)) = found else {
        // The webhook was deleted since: nothing left to deliver.
        return Ok(());
    };
    if !hook.active {
        record(
            &mut conn,
            &delivery,
            None,
            Some("webhook disabled; delivery skipped".into()),
            false,
        )
        .await?;
        return Ok(());
    }
    let body = serde_json::to_vec(&delivery.payload)?;
    let timestamp = Utc::now().timestamp();
    let result = CLIENT
        .post(&hook.url)
        .header("content-type", "application/json")
        .header(
            sign::SIGNATURE_HEADER,
            sign::header_value(&hook.secret, timestamp, &body),
        )
        .header("Handoff-Event", &delivery.event)
        .header("Handoff-Delivery", delivery.id.to_string())
        .body(body)
        .send()
        .await;
    match result {
        Ok(resp) if resp.status().is_success() => {
            record(
                &mut conn,
                &delivery,
                Some(resp.status().as_u16() as i32),
                None,
                true,
            )
            .await?;
            Ok(())
        }
        Ok(resp) => {
            let status = resp.status().as_u16();
            let snippet: String = resp
                .text()
                .await
                .unwrap_or_default()
                .chars()
                .take(200)
                .collect();
            let err = format!("receiver answered HTTP {status}: {snippet}");
            record(
                &mut conn,
                &delivery,
                Some(status as i32),
                Some(err.clone()),
                false,
            )
            .await?;
            anyhow::bail!(err)
        }
        Err(e) => {
            let err = format!("delivery failed: {e}");
            record(&mut conn, &delivery, None, Some(err.clone()), false).await?;
            anyhow::bail!(err)
        }
    }
}

async fn record(
    conn: &mut Conn,
    d: &WebhookDelivery,
    status: Option<i32>,
    error: Option<String>,
    ok: bool,
) -> anyhow::Result<()> {
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::workspace_id.eq(d.workspace_id))
            .filter(webhook_deliveries::id.eq(d.id)),
    )
    .set((
        webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
        webhook_deliveries::status_code.eq(status),
        webhook_deliveries::last_error.eq(error),
        webhook_deliveries::delivered_at.eq(if ok { Some(Utc::now()) } else { None }),
    ))
    .execute(conn)
    .await?;
    Ok(())
}
