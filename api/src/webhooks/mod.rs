//! Webhook subscriptions' rules and signed deliveries through the outbox.
//!
//! `dispatch` runs in the caller's transaction: one `webhook_deliveries` row and one outbox
//! job per active subscription, so a committed change always gets its webhooks and a
//! rolled-back one never does. The worker (`worker.rs`) runs a delivery in three steps so
//! that no database connection is held while the receiver answers: `prepare` reads the
//! delivery with the worker's connection, `send` POSTs the stored body with a
//! `Handoff-Signature` (see `sign` and docs/webhooks.md), `record` writes the attempt.
//! Anything but a 2xx is an error, so the outbox retries with backoff.

pub mod payloads;
pub mod sign;

use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::Duration;

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

/// Every event a webhook can subscribe to.
pub const EVENTS: [&str; 4] = [
    TICKET_CREATED,
    TICKET_UPDATED,
    TICKET_REPLIED,
    CONVERSATION_MESSAGE,
];

/// How long a receiver has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// How long resolving a receiver's host may take.
pub const DNS_TIMEOUT: Duration = Duration::from_secs(5);

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
        let delivery_id = Uuid::now_v7();
        let body = serde_json::json!({
            "id": delivery_id,
            "event": event,
            "created_at": Utc::now(),
            "workspace_id": workspace_id,
            "data": data,
        });
        store::insert_delivery(conn, delivery_id, workspace_id, *webhook_id, event, &body).await?;
        outbox::enqueue(
            conn,
            Some(workspace_id),
            JOB_KIND,
            &DeliveryJob {
                delivery_id,
                workspace_id,
            },
        )
        .await?;
    }
    Ok(hooks.len())
}

/// A subscription's URL: http(s), at most 2,000 characters, not a forbidden address.
pub fn validate_url(url: &str) -> Result<String, FieldError> {
    let url = url.trim();
    let parsed = url::Url::parse(url).map_err(|_| FieldError::new("url", "is not a valid URL"))?;
    let literal_ip = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        _ => None,
    };
    if literal_ip.is_some_and(forbidden_address) {
        return Err(FieldError::new(
            "url",
            "must not point at a link-local, multicast or unspecified address",
        ));
    }
    if !matches!(parsed.scheme(), "http" | "https")
        || parsed.host_str().is_none()
        || url.len() > 2000
    {
        return Err(FieldError::new(
            "url",
            "must be an http(s) URL of at most 2000 characters",
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

/// Addresses a webhook may never reach: link-local (cloud metadata services such as
/// 169.254.169.254 live there), unspecified, multicast and broadcast. Loopback and private
/// networks stay allowed: self-hosted receivers on the same network are a real use.
pub fn forbidden_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_link_local() || v4.is_unspecified() || v4.is_multicast() || v4.is_broadcast()
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_address(IpAddr::V4(v4));
            }
            v6.is_unspecified() || v6.is_multicast() || (v6.segments()[0] & 0xffc0) == 0xfe80
        }
    }
}

/// Resolves the URL's host (within `DNS_TIMEOUT`) and refuses forbidden addresses
/// (checked again at every delivery, since DNS can change after the webhook was saved).
async fn check_destination(url: &str) -> anyhow::Result<()> {
    let parsed = url::Url::parse(url)?;
    let host = parsed
        .host_str()
        .ok_or_else(|| anyhow::anyhow!("the URL has no host"))?;
    let port = parsed.port_or_known_default().unwrap_or(443);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addrs = tokio::time::timeout(DNS_TIMEOUT, tokio::net::lookup_host((host, port)))
        .await
        .map_err(|_| anyhow::anyhow!("resolving {host} timed out"))??;
    for addr in addrs {
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

/// A delivery that is due: its row and its subscription.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub delivery: WebhookDelivery,
    pub webhook: Webhook,
}

/// Reads the delivery a "webhook" job names. `None` when there is nothing to send: the
/// webhook was deleted (deliveries cascade) or switched off, or the delivery already
/// succeeded.
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
    if !webhook.active || delivery.delivered_at.is_some() {
        return Ok(None);
    }
    Ok(Some(Prepared { delivery, webhook }))
}

/// What one POST to the receiver gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The receiver's HTTP status; `None` when it never answered.
    pub status: Option<i32>,
    /// Why the attempt failed; `None` on a 2xx.
    pub error: Option<String>,
}

/// POSTs the delivery's stored body, signed. Holds no database connection.
pub async fn send(p: &Prepared) -> Attempt {
    if let Err(e) = check_destination(&p.webhook.url).await {
        return Attempt {
            status: None,
            error: Some(format!("refused: {e:#}")),
        };
    }
    let body = match serde_json::to_vec(&p.delivery.payload) {
        Ok(b) => b,
        Err(e) => {
            return Attempt {
                status: None,
                error: Some(format!("unreadable body: {e}")),
            };
        }
    };
    let client = match client() {
        Ok(c) => c,
        Err(e) => {
            return Attempt {
                status: None,
                error: Some(format!("no HTTP client: {e:#}")),
            };
        }
    };
    let timestamp = Utc::now().timestamp();
    let result = client
        .post(&p.webhook.url)
        .header("Content-Type", "application/json")
        .header("Handoff-Event", &p.delivery.event)
        .header("Handoff-Delivery", p.delivery.id.to_string())
        .header(
            sign::SIGNATURE_HEADER,
            sign::header_value(&p.webhook.secret, timestamp, &body),
        )
        .body(body)
        .send()
        .await;
    match result {
        Ok(resp) if resp.status().is_success() => Attempt {
            status: Some(i32::from(resp.status().as_u16())),
            error: None,
        },
        Ok(resp) => Attempt {
            status: Some(i32::from(resp.status().as_u16())),
            error: Some(format!(
                "the receiver answered HTTP {}",
                resp.status().as_u16()
            )),
        },
        Err(e) => Attempt {
            status: None,
            error: Some(format!("request failed: {e}")),
        },
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

    #[test]
    fn urls_and_events_are_validated() {
        assert_eq!(
            validate_url(" https://hooks.example.com/x ").unwrap(),
            "https://hooks.example.com/x"
        );
        assert_eq!(validate_url("ftp://x.example").unwrap_err().field, "url");
        assert_eq!(
            validate_url("http://169.254.169.254/").unwrap_err().field,
            "url"
        );
        assert_eq!(
            validate_events(&["ticket.created".into(), "ticket.created".into()]).unwrap(),
            vec!["ticket.created".to_string()]
        );
        assert!(validate_events(&[]).is_err());
        assert!(validate_events(&["ticket.deleted".into()]).is_err());
    }
}
