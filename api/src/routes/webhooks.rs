//! Webhook subscriptions (owners and admins): create (the signing secret is shown once),
//! list, read, update, delete, and the delivery log of each.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::{self, Principal, tokens};
use crate::db::models::{Webhook, WebhookDelivery};
use crate::db::webhooks::{self as store, WebhookChanges};
use crate::db::{self};
use crate::domain::cursor::Cursor;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::webhooks::EVENTS;

const CURSOR_TAG: &str = "deliveries";

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_webhooks)
        .service(create_webhook)
        .service(get_webhook)
        .service(update_webhook)
        .service(delete_webhook)
        .service(list_webhook_deliveries);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookOut {
    pub id: Uuid,
    pub url: String,
    /// ticket.created, ticket.updated, ticket.replied, conversation.message
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

fn check_url(url: &str) -> ApiResult<String> {
    let url = url.trim();
    let parsed =
        url::Url::parse(url).map_err(|_| ApiError::validation("url", "is not a valid URL"))?;
    let literal_ip = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
        _ => None,
    };
    if literal_ip.is_some_and(crate::webhooks::forbidden_address) {
        return Err(ApiError::validation(
            "url",
            "must not point at a link-local, multicast or unspecified address",
        ));
    }
    if !matches!(parsed.scheme(), "http" | "https")
        || parsed.host_str().is_none()
        || url.len() > 2000
    {
        return Err(ApiError::validation(
            "url",
            "must be an http(s) URL of at most 2000 characters",
        ));
    }
    Ok(url.to_string())
}

fn check_events(events: &[String]) -> ApiResult<Vec<String>> {
    if events.is_empty() {
        return Err(ApiError::validation("events", "choose at least one event"));
    }
    let mut out: Vec<String> = Vec::new();
    for e in events {
        if !EVENTS.contains(&e.as_str()) {
            return Err(ApiError::validation(
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

async fn admin(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
) -> ApiResult<(db::PooledConn, Uuid)> {
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, principal, ws).await?;
    access.require_admin()?;
    Ok((conn, access.workspace_id))
}

/// The workspace's webhooks.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("ws" = Uuid, Path)),
    responses((status = 200, body = WebhookList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/webhooks")]
async fn list_webhooks(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<WebhookList>> {
    let (mut conn, ws) = admin(&state, &principal, path.into_inner()).await?;
    let items = store::list(&mut conn, ws)
        .await?
        .into_iter()
        .map(WebhookOut::from)
        .collect();
    Ok(web::Json(WebhookList { items }))
}

/// Subscribe a URL to events; the answer carries the signing secret, shown only once.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("ws" = Uuid, Path)), request_body = WebhookInput,
    responses((status = 201, body = CreatedWebhook), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/webhooks")]
async fn create_webhook(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    body: web::Json<WebhookInput>,
) -> ApiResult<HttpResponse> {
    let (mut conn, ws) = admin(&state, &principal, path.into_inner()).await?;
    let url = check_url(&body.url)?;
    let events = check_events(&body.events)?;
    let secret = tokens::random_secret("whsec_");
    let hook = store::insert(
        &mut conn,
        ws,
        &url,
        &events,
        &secret,
        body.active.unwrap_or(true),
    )
    .await?;
    Ok(HttpResponse::Created().json(CreatedWebhook {
        webhook: hook.into(),
        secret,
    }))
}

/// One webhook (without its secret).
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 200, body = WebhookOut), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/webhooks/{id}")]
async fn get_webhook(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<web::Json<WebhookOut>> {
    let (ws, id) = path.into_inner();
    let (mut conn, ws) = admin(&state, &principal, ws).await?;
    let hook = store::get(&mut conn, ws, id)
        .await?
        .ok_or_else(|| ApiError::not_found("webhook"))?;
    Ok(web::Json(hook.into()))
}

/// Change a webhook's URL, events or active flag.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)), request_body = UpdateWebhook,
    responses((status = 200, body = WebhookOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[patch("/api/v1/workspaces/{ws}/webhooks/{id}")]
async fn update_webhook(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<UpdateWebhook>,
) -> ApiResult<web::Json<WebhookOut>> {
    let (ws, id) = path.into_inner();
    let (mut conn, ws) = admin(&state, &principal, ws).await?;
    let body = body.into_inner();
    let changes = WebhookChanges {
        url: body.url.as_deref().map(check_url).transpose()?,
        events: body.events.as_deref().map(check_events).transpose()?,
        active: body.active,
    };
    let hook = store::update(&mut conn, ws, id, changes)
        .await?
        .ok_or_else(|| ApiError::not_found("webhook"))?;
    Ok(web::Json(hook.into()))
}

/// Delete a webhook and its delivery log.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
#[delete("/api/v1/workspaces/{ws}/webhooks/{id}")]
async fn delete_webhook(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (ws, id) = path.into_inner();
    let (mut conn, ws) = admin(&state, &principal, ws).await?;
    if store::delete(&mut conn, ws, id).await? == 0 {
        return Err(ApiError::not_found("webhook"));
    }
    Ok(HttpResponse::NoContent().finish())
}

/// The webhook's deliveries, newest first: status code, attempts, last error.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("ws" = Uuid, Path), ("id" = Uuid, Path), DeliveryQuery),
    responses((status = 200, body = WebhookDeliveryList), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/webhooks/{id}/deliveries")]
async fn list_webhook_deliveries(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    q: web::Query<DeliveryQuery>,
) -> ApiResult<web::Json<WebhookDeliveryList>> {
    let (ws, id) = path.into_inner();
    let limit = q.limit.unwrap_or(25);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::validation("limit", "must be between 1 and 100"));
    }
    let before = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(raw) => {
            let c = Cursor::decode(raw, CURSOR_TAG)
                .map_err(|e| ApiError::validation("cursor", e.to_string()))?;
            Some((c.ts, c.id))
        }
        None => None,
    };
    let (mut conn, ws) = admin(&state, &principal, ws).await?;
    store::get(&mut conn, ws, id)
        .await?
        .ok_or_else(|| ApiError::not_found("webhook"))?;
    let mut rows = store::deliveries(&mut conn, ws, id, before, limit + 1).await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last()
            .map(|d| Cursor::new(d.created_at, d.id).encode(CURSOR_TAG))
    } else {
        None
    };
    Ok(web::Json(WebhookDeliveryList {
        items: rows.into_iter().map(WebhookDeliveryOut::from).collect(),
        next_cursor,
    }))
}
