//! Webhook subscriptions and signed deliveries through the outbox.
//!
//! `dispatch` runs in the caller's transaction: one `webhook_deliveries` row and one outbox
//! job per active subscription, so a committed change always gets its webhooks and a
//! rolled-back one never does. The outbox worker calls `deliver`, which POSTs the stored
//! body with a `Handoff-Signature` (see `sign` and docs/webhooks.md) and records the
//! attempt; anything but a 2xx is an error, so the outbox retries with backoff.

pub mod sign;

use std::sync::OnceLock;
use std::time::Duration;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::app::AppState;
use crate::db::{self, Conn, webhooks as store};
use crate::error::ApiResult;
use crate::outbox;

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

/// How long a receiver has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);

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
    data: serde_json::Value,
) -> ApiResult<usize> {
    let hooks = store::subscribers(conn, workspace_id, event).await?;
    for webhook_id in &hooks {
        let delivery_id = Uuid::now_v7();
        let body = serde_json::json!({
            "id": delivery_id,
            "event": event,
            "created_at": Utc::now(),
            "workspace_id": workspace_id,
            "data": data,
        });
        store::insert_delivery(conn, delivery_id, workspace_id, *webhook_id, event, &body).await?;
        let job = serde_json::to_value(DeliveryJob {
            delivery_id,
            workspace_id,
        })
        .map_err(crate::error::ApiError::internal)?;
        outbox::enqueue(conn, Some(workspace_id), JOB_KIND, job).await?;
    }
    Ok(hooks.len())
}

/// Addresses a webhook may never reach: link-local (cloud metadata services such as
/// 169.254.169.254 live there), unspecified, multicast and broadcast. Loopback and private
/// networks stay allowed: self-hosted receivers on the same network are a real use.
pub fn forbidden_address(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => {
            v4.is_link_local() || v4.is_unspecified() || v4.is_multicast() || v4.is_broadcast()
        }
        std::net::IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_address(std::net::IpAddr::V4(v4));
            }
            v6.is_unspecified() || v6.is_multicast() || (v6.segments()[0] & 0xffc0) == 0xfe80
        }
    }
}

/// Resolves the URL's host and refuses forbidden addresses (checked again at every
/// delivery, since DNS can change after the webhook was saved).
async fn check_destination(url: &str) -> anyhow::Result<()> {
    let parsed = url::Url::parse(url)?;
    let host = parsed
        .host_str()
        .ok_or_else(|| anyhow::anyhow!("the URL has no host"))?;
    let port = parsed.port_or_known_default().unwrap_or(443);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    for addr in tokio::net::lookup_host((host, port)).await? {
        if forbidden_address(addr.ip()) {
            anyhow::bail!(
                "{host} resolves to {}, which webhooks may not reach",
                addr.ip()
            );
        }
    }
    Ok(())
}

fn client() -> anyhow::Result<&'static reqwest::Client> {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    if let Some(c) = CLIENT.get() {
        return Ok(c);
    }
    let built = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Handoff-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()?;
    Ok(CLIENT.get_or_init(|| built))
}

/// Delivers one queued webhook (the outbox worker's "webhook" job).
pub async fn deliver(state: &AppState, payload: &serde_json::Value) -> anyhow::Result<()> {
    let job: DeliveryJob = serde_json::from_value(payload.clone())?;
    let mut conn = db::conn(&state.pool)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let Some((delivery, webhook)) =
        store::delivery(&mut conn, job.workspace_id, job.delivery_id).await?
    else {
        // The webhook was deleted (deliveries cascade): nothing left to send.
        return Ok(());
    };
    if !webhook.active || delivery.delivered_at.is_some() {
        return Ok(());
    }
    if let Err(e) = check_destination(&webhook.url).await {
        let msg = format!("refused: {e:#}");
        store::record_attempt(
            &mut conn,
            job.workspace_id,
            delivery.id,
            None,
            Some(msg.clone()),
            None,
        )
        .await?;
        anyhow::bail!("webhook {} delivery {}: {msg}", webhook.id, delivery.id);
    }
    let body = serde_json::to_vec(&delivery.payload)?;
    let timestamp = Utc::now().timestamp();
    let result = client()?
        .post(&webhook.url)
        .header("Content-Type", "application/json")
        .header("Handoff-Event", &delivery.event)
        .header("Handoff-Delivery", delivery.id.to_string())
        .header(
            sign::SIGNATURE_HEADER,
            sign::header_value(&webhook.secret, timestamp, &body),
        )
        .body(body)
        .send()
        .await;
    let (status, error) = match result {
        Ok(resp) if resp.status().is_success() => (Some(resp.status().as_u16() as i32), None),
        Ok(resp) => (
            Some(resp.status().as_u16() as i32),
            Some(format!(
                "the receiver answered HTTP {}",
                resp.status().as_u16()
            )),
        ),
        Err(e) => (None, Some(format!("request failed: {e}"))),
    };
    let delivered_at = error.is_none().then(Utc::now);
    store::record_attempt(
        &mut conn,
        job.workspace_id,
        delivery.id,
        status,
        error.clone(),
        delivered_at,
    )
    .await?;
    match error {
        None => Ok(()),
        Some(e) => anyhow::bail!("webhook {} delivery {}: {e}", webhook.id, delivery.id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_and_unroutable_addresses_are_refused() {
        for bad in [
            "169.254.169.254",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::",
            "fe80::1",
            "::ffff:169.254.169.254",
        ] {
            assert!(forbidden_address(bad.parse().unwrap()), "{bad}");
        }
        for ok in [
            "127.0.0.1",
            "10.0.0.5",
            "192.168.1.10",
            "93.184.216.34",
            "::1",
            "2606:2800:220:1::",
        ] {
            assert!(!forbidden_address(ok.parse().unwrap()), "{ok}");
        }
    }
}
