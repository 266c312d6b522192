//! Webhook subscriptions' rules and signed deliveries through the outbox.
//!
//! `dispatch` runs in the caller's transaction: one `webhook_deliveries` row and one outbox
//! job per active subscription, so a committed change always gets its webhooks and a
//! rolled-back one never does. The worker (`worker.rs`) runs a delivery in three steps so
//! that no database connection is held while the receiver answers: `prepare` reads the
//! delivery with the worker's connection, `send` POSTs the stored body with a
//! `Handoff-Signature` (see `sign` and docs/webhooks.md), `record` writes the attempt.
//! Anything but a 2xx is an error, so the outbox retries with backoff.

pub mod outbound;
pub mod payloads;
pub mod sign;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::models::{Webhook, WebhookDelivery};
use crate::db::{Conn, webhooks as store};
use crate::domain::FieldError;
use crate::error::ApiResult;
use crate::outbox;

pub const JOB_KIND: &str = "webhook";

pub const TICKET_CREATED: &str = "ticket.created";
pub const TICKET_UPDATED: &str = "ticket.updated";
pub const TICKET_REPLIED: &str = "ticket.replied";
pub const CONVERSATION_MESSAGE: &str = "conversation.message";
/// An internal note on a ticket: for the team's tools only (the other events never carry
/// notes, so a visitor-facing integration never sees one).
pub const TICKET_NOTE_ADDED: &str = "ticket.note_added";
/// The ticket's assignee changed (`data.ticket.assignee` is null when unassigned).
pub const TICKET_ASSIGNED: &str = "ticket.assigned";
/// What "Send test event" sends to one webhook (nobody subscribes to it).
pub const WEBHOOK_TEST: &str = "webhook.test";

/// Every event a webhook can subscribe to.
pub const EVENTS: [&str; 6] = [
    TICKET_CREATED,
    TICKET_UPDATED,
    TICKET_REPLIED,
    CONVERSATION_MESSAGE,
    TICKET_NOTE_ADDED,
    TICKET_ASSIGNED,
];

pub use outbound::{AddressPolicy, Outbound, Outcome};

/// The outbox job's payload: ids only; the body is stored on the delivery row.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliveryJob {
    pub delivery_id: Uuid,
    pub workspace_id: Uuid,
}

/// Queues `event` with `data` for every active subscription of the workspace, in the
/// caller's transaction. Returns how many deliveries were queued.
pub async fn dispatch(
    conn: &mut Conn,
    workspace_id: Uuid,
    event: &str,
    data: &impl Serialize,
) -> ApiResult<usize> {
    let hooks = store::subscribers(conn, workspace_id, event).await?;
    if hooks.is_empty() {
        return Ok(0);
    }
    let data = serde_json::to_value(data).map_err(crate::error::ApiError::internal)?;
    for webhook_id in &hooks {
        queue(conn, workspace_id, *webhook_id, event, &data).await?;
    }
    Ok(hooks.len())
}

/// Queues one delivery of `event` to one webhook, in the caller's transaction; its id.
pub async fn queue(
    conn: &mut Conn,
    workspace_id: Uuid,
    webhook_id: Uuid,
    event: &str,
    data: &serde_json::Value,
) -> ApiResult<Uuid> {
    let delivery_id = Uuid::now_v7();
    let body = serde_json::json!({
        "id": delivery_id,
        "event": event,
        "created_at": Utc::now(),
        "workspace_id": workspace_id,
        "data": data,
    });
    store::insert_delivery(conn, delivery_id, workspace_id, webhook_id, event, &body).await?;
    enqueue_delivery(conn, workspace_id, delivery_id).await?;
    Ok(delivery_id)
}

/// An outbox job that sends (again) the stored delivery `delivery_id`.
pub async fn enqueue_delivery(
    conn: &mut Conn,
    workspace_id: Uuid,
    delivery_id: Uuid,
) -> ApiResult<i64> {
    outbox::enqueue(
        conn,
        Some(workspace_id),
        JOB_KIND,
        &DeliveryJob {
            delivery_id,
            workspace_id,
        },
    )
    .await
}

/// A subscription's URL: http(s), at most 2,000 characters, and not an address webhooks
/// may not reach (`outbound::AddressPolicy`): the host is resolved now (within
/// `outbound::DNS_TIMEOUT`), and again at every delivery, since DNS can change.
pub async fn validate_url(outbound: &Outbound, url: &str) -> Result<String, FieldError> {
    let url = url.trim();
    let parsed = url::Url::parse(url).map_err(|_| FieldError::new("url", "is not a valid URL"))?;
    if !matches!(parsed.scheme(), "http" | "https")
        || parsed.host_str().is_none()
        || url.len() > 2000
    {
        return Err(FieldError::new(
            "url",
            "must be an http(s) URL of at most 2000 characters",
        ));
    }
    if !outbound.destination_allowed(&parsed).await {
        return Err(FieldError::new(
            "url",
            "points at a private, loopback or reserved address, which webhooks may not reach",
        ));
    }
    Ok(url.to_string())
}

/// A subscription's events: at least one, each known, duplicates dropped.
pub fn validate_events(events: &[String]) -> Result<Vec<String>, FieldError> {
    if events.is_empty() {
        return Err(FieldError::new("events", "choose at least one event"));
    }
    let mut out: Vec<String> = Vec::new();
    for e in events {
        if !EVENTS.contains(&e.as_str()) {
            return Err(FieldError::new(
                "events",
                format!("`{e}` is not one of {}", EVENTS.join(", ")),
            ));
        }
        if !out.contains(e) {
            out.push(e.clone());
        }
    }
    Ok(out)
}

/// A delivery that is due: its row and its subscription.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub delivery: WebhookDelivery,
    pub webhook: Webhook,
}

/// Reads the delivery a "webhook" job names. `None` when there is nothing to send: the
/// webhook was deleted (deliveries cascade) or switched off (a test event still goes: it
/// is how a webhook is tried before it is switched on), or the delivery already succeeded.
pub async fn prepare(
    conn: &mut Conn,
    payload: &serde_json::Value,
) -> anyhow::Result<Option<Prepared>> {
    let job: DeliveryJob = serde_json::from_value(payload.clone())?;
    let Some((delivery, webhook)) =
        store::delivery(conn, job.workspace_id, job.delivery_id).await?
    else {
        return Ok(None);
    };
    if (!webhook.active && delivery.event != WEBHOOK_TEST) || delivery.delivered_at.is_some() {
        return Ok(None);
    }
    Ok(Some(Prepared { delivery, webhook }))
}

/// What one POST to the receiver gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The receiver's HTTP status; `None` when it never answered.
    pub status: Option<i32>,
    /// Why the attempt failed, as a coarse outcome code (`Outcome::code`); `None` on a 2xx.
    pub error: Option<String>,
}

/// POSTs the delivery's stored body, signed, to the checked addresses of its receiver.
/// Holds no database connection.
pub async fn send(outbound: &Outbound, p: &Prepared) -> Attempt {
    let body = match serde_json::to_vec(&p.delivery.payload) {
        Ok(b) => b,
        Err(e) => {
            return Attempt {
                status: None,
                error: Some(format!("unreadable body: {e}")),
            };
        }
    };
    let timestamp = Utc::now().timestamp();
    let headers = [
        ("Content-Type", "application/json".to_string()),
        ("Handoff-Event", p.delivery.event.clone()),
        ("Handoff-Delivery", p.delivery.id.to_string()),
        (
            sign::SIGNATURE_HEADER,
            sign::header_value(&p.webhook.secret, timestamp, &body),
        ),
    ];
    let sent = outbound.post(&p.webhook.url, &headers, body).await;
    Attempt {
        status: sent.status.map(i32::from),
        error: sent.failure.map(|o| o.code().to_string()),
    }
}

/// Writes the attempt on the delivery row; the job's outcome (an error for the outbox to
/// retry, unless the receiver took it).
pub async fn record(conn: &mut Conn, p: &Prepared, attempt: &Attempt) -> anyhow::Result<()> {
    let delivered_at = attempt.error.is_none().then(Utc::now);
    store::record_attempt(
        conn,
        p.delivery.workspace_id,
        p.delivery.id,
        attempt.status,
        attempt.error.clone(),
        delivered_at,
    )
    .await?;
    match &attempt.error {
        None => Ok(()),
        Some(e) => anyhow::bail!("webhook {} delivery {}: {e}", p.webhook.id, p.delivery.id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn urls_and_events_are_validated() {
        let outbound = Outbound::new(AddressPolicy::default()).unwrap();
        assert_eq!(
            validate_url(&outbound, " https://93.184.216.34/x ")
                .await
                .unwrap(),
            "https://93.184.216.34/x"
        );
        for bad in [
            "ftp://x.example",
            "http://169.254.169.254/",
            "http://127.0.0.1:15000/quitquitquit",
            "http://[fd00:ec2::254]/",
            "http://localhost:9200/",
        ] {
            assert_eq!(
                validate_url(&outbound, bad).await.unwrap_err().field,
                "url",
                "{bad}"
            );
        }
        assert_eq!(
            validate_events(&["ticket.created".into(), "ticket.created".into()]).unwrap(),
            vec!["ticket.created".to_string()]
        );
        assert!(validate_events(&[]).is_err());
        assert!(validate_events(&["ticket.deleted".into()]).is_err());
    }
}
