//! Webhook subscriptions and their delivery log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::models::{Webhook, WebhookDelivery};

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookOut {
    pub id: Uuid,
    pub url: String,
    /// ticket.created, ticket.updated, ticket.replied, conversation.message, ticket.note_added, ticket.assigned
    pub events: Vec<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Webhook> for WebhookOut {
    fn from(w: Webhook) -> Self {
        WebhookOut {
            id: w.id,
            url: w.url,
            events: w.events,
            active: w.active,
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

/// A new webhook with its signing secret: shown only in this answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: WebhookOut,
    /// HMAC-SHA256 key of the `Handoff-Signature` header (docs/webhooks.md).
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub items: Vec<WebhookOut>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct WebhookInput {
    pub url: String,
    pub events: Vec<String>,
    #[serde(default)]
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateWebhook {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub active: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDeliveryOut {
    pub id: Uuid,
    pub event: String,
    /// HTTP status of the last attempt (null: no answer).
    pub status_code: Option<i32>,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The body that was (or will be) POSTed.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

impl From<WebhookDelivery> for WebhookDeliveryOut {
    fn from(d: WebhookDelivery) -> Self {
        WebhookDeliveryOut {
            id: d.id,
            event: d.event,
            status_code: d.status_code,
            attempts: d.attempts,
            last_error: d.last_error,
            delivered_at: d.delivered_at,
            created_at: d.created_at,
            payload: d.payload,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDeliveryList {
    pub items: Vec<WebhookDeliveryOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DeliveryQuery {
    pub cursor: Option<String>,
    /// 1..100, default 25
    pub limit: Option<i64>,
}
