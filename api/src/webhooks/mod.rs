//! Webhook subscriptions and signed deliveries through the outbox.

pub mod sign;

use crate::app::AppState;

pub const JOB_KIND: &str = "webhook";

/// Delivers one queued webhook (filled in by the tickets work).
pub async fn deliver(_state: &AppState, payload: &serde_json::Value) -> anyhow::Result<()> {
    anyhow::bail!("webhook delivery is not available yet (payload {payload})")
}
