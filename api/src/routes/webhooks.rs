//! Webhook subscriptions (owners, admins and API keys) and their delivery log.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::{self, Principal, tokens};
use crate::db::models::{Webhook, WebhookDelivery};
use crate::db::schema::{webhook_deliveries, webhooks};
use crate::db::{self, Conn};
use crate::domain::cursor::Cursor;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::webhooks::EVENTS;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_webhooks)
        .service(create_webhook)
        .service(get_webhook)
        .service(update_webhook)
        .service(delete_webhook)
        .service(list_deliveries);
}

const MAX_WEBHOOKS: i64 = 20;

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookOut {
    pub id: Uuid,
    pub url: String,
    /// Subscribed events: ticket.created, ticket.updated, ticket.replied, conversation.message.
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

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: WebhookOut,
    /// Signing secret for `Handoff-Signature`. Shown once.
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub items: Vec<WebhookOut>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateWebhook {
    pub url: String,
    pub events: Vec<String>,
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateWebhook {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub active: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryOut {
    pub id: Uuid,
    pub event: String,
    /// The JSON body that was (or will be) POSTed.
    pub payload: serde_json::Value,
    /// The receiver's last HTTP status, if it answered.
    pub status_code: Option<i32>,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<WebhookDelivery> for DeliveryOut {
    fn from(d: WebhookDelivery) -> Self {
        DeliveryOut {
            id: d.id,
            event: d.event,
            payload: d.payload,
            status_code: d.status_code,
            attempts: d.attempts,
            last_error: d.last_error,
            delivered_at: d.delivered_at,
            created_at: d.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    pub items: Vec<DeliveryOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PageQuery {
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1..100, default 25.
    pub limit: Option<i64>,
}

fn validate_url(raw: &str) -> ApiResult<String> {
    let url = url::Url::parse(raw.trim())
        .map_err(|_| ApiError::validation("url", "must be an absolute http(s) URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ApiError::validation(
            "url",
            "must be an absolute http(s) URL",
        ));
    }
    if raw.len() > 2000 {
        return Err(ApiError::validation(
            "url",
            "must be at most 2000 characters",
        ));
    }
    Ok(url.to_string())
}

fn validate_events(events: &[String]) -> ApiResult<Vec<String>> {
    if events.is_empty() {
        return Err(ApiError::validation(
            "events",
            "subscribe to at least one event",
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for e in events {
        if !EVENTS.contains(&e.as_str()) {
            return Err(ApiError::validation(
                "events",
                format!("`{e}` is not an event; use {}", EVENTS.join(", ")),
            ));
        }
        if !out.contains(e) {
            out.push(e.clone());
        }
    }
    Ok(out)
}

async fn load(conn: &mut Conn, ws: Uuid, id: Uuid) -> ApiResult<Webhook> {
    webhooks::table
        .filter(webhooks::workspace_id.eq(ws))
        .filter(webhooks::id.eq(id))
        .select(Webhook::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| ApiError::not_found("webhook"))
}

/// List the workspace's webhooks.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("ws" = Uuid, Path)),
    responses((status = 200, body = WebhookList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/webhooks")]
async fn list_webhooks(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<WebhookList>> {
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, path.into_inner()).await?;
    access.require_admin()?;
    let items = webhooks::table
        .filter(webhooks::workspace_id.eq(access.workspace_id))
        .order((webhooks::created_at.asc(), webhooks::id.asc()))
        .limit(MAX_WEBHOOKS)
        .select(Webhook::as_select())
        .load(&mut conn)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(web::Json(WebhookList { items }))
}

/// Subscribe a URL to events. The signing secret is shown once.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("ws" = Uuid, Path)), request_body = CreateWebhook,
    responses((status = 201, body = CreatedWebhook), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/webhooks")]
async fn create_webhook(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    body: web::Json<CreateWebhook>,
) -> ApiResult<HttpResponse> {
    let url = validate_url(&body.url)?;
    let events = validate_events(&body.events)?;
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, path.into_inner()).await?;
    access.require_admin()?;
    let count: i64 = webhooks::table
        .filter(webhooks::workspace_id.eq(access.workspace_id))
        .count()
        .get_result(&mut conn)
        .await?;
    if count >= MAX_WEBHOOKS {
        return Err(ApiError::conflict(
            "too_many_webhooks",
            format!("A workspace can have at most {MAX_WEBHOOKS} webhooks."),
        ));
    }
    let secret = tokens::random_secret("whsec_");
    let hook: Webhook = diesel::insert_into(webhooks::table)
        .values((
            webhooks::id.eq(Uuid::new_v4()),
            webhooks::workspace_id.eq(access.workspace_id),
            webhooks::url.eq(url),
            webhooks::events.eq(events),
            webhooks::secret.eq(&secret),
            webhooks::active.eq(body.active.unwrap_or(true)),
        ))
        .returning(Webhook::as_returning())
        .get_result(&mut conn)
        .await?;
    Ok(HttpResponse::Created().json(CreatedWebhook {
        webhook: hook.into(),
        secret,
    }))
}

/// Read a webhook.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 200, body = WebhookOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/webhooks/{id}")]
async fn get_webhook(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<web::Json<WebhookOut>> {
    let (ws, id) = path.into_inner();
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, ws).await?;
    access.require_admin()?;
    Ok(web::Json(load(&mut conn, ws, id).await?.into()))
}

/// Change a webhook's URL, events or active flag.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)), request_body = UpdateWebhook,
    responses((status = 200, body = WebhookOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[patch("/api/v1/workspaces/{ws}/webhooks/{id}")]
async fn update_webhook(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<UpdateWebhook>,
) -> ApiResult<web::Json<WebhookOut>> {
    let (ws, id) = path.into_inner();
    let url = body.url.as_deref().map(validate_url).transpose()?;
    let events = body.events.as_deref().map(validate_events).transpose()?;
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, ws).await?;
    access.require_admin()?;
    let current = load(&mut conn, ws, id).await?;
    let hook: Webhook = diesel::update(
        webhooks::table
            .filter(webhooks::workspace_id.eq(ws))
            .filter(webhooks::id.eq(id)),
    )
    .set((
        webhooks::url.eq(url.unwrap_or(current.url)),
        webhooks::events.eq(events.unwrap_or(current.events)),
        webhooks::active.eq(body.active.unwrap_or(current.active)),
    ))
    .returning(Webhook::as_returning())
    .get_result(&mut conn)
    .await?;
    Ok(web::Json(hook.into()))
}

/// Delete a webhook and its delivery log.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/api/v1/workspaces/{ws}/webhooks/{id}")]
async fn delete_webhook(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (ws, id) = path.into_inner();
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, ws).await?;
    access.require_admin()?;
    let n = diesel::delete(
        webhooks::table
            .filter(webhooks::workspace_id.eq(ws))
            .filter(webhooks::id.eq(id)),
    )
    .execute(&mut conn)
    .await?;
    if n == 0 {
        return Err(ApiError::not_found("webhook"));
    }
    Ok(HttpResponse::NoContent().finish())
}

/// The webhook's deliveries, newest first (keyset-paginated).
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("ws" = Uuid, Path), ("id" = Uuid, Path), PageQuery),
    responses((status = 200, body = DeliveryList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/webhooks/{id}/deliveries")]
async fn list_deliveries(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    query: web::Query<PageQuery>,
) -> ApiResult<web::Json<DeliveryList>> {
    const TAG: &str = "deliveries";
    let (ws, id) = path.into_inner();
    let limit = query.limit.unwrap_or(25);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::validation("limit", "must be between 1 and 100"));
    }
    let after = query
        .cursor
        .as_deref()
        .map(|c| Cursor::decode(c, TAG))
        .transpose()
        .map_err(|e| ApiError::validation("cursor", e.to_string()))?;
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, ws).await?;
    access.require_admin()?;
    load(&mut conn, ws, id).await?;
    let mut q = webhook_deliveries::table
        .filter(webhook_deliveries::workspace_id.eq(ws))
        .filter(webhook_deliveries::webhook_id.eq(id))
        .into_boxed();
    if let Some(c) = after {
        q = q.filter(
            webhook_deliveries::created_at
                .lt(c.ts)
                .or(webhook_deliveries::created_at
                    .eq(c.ts)
                    .and(webhook_deliveries::id.lt(c.id))),
        );
    }
    let mut rows: Vec<WebhookDelivery> = q
        .order((
            webhook_deliveries::created_at.desc(),
            webhook_deliveries::id.desc(),
        ))
        .limit(limit + 1)
        .select(WebhookDelivery::as_select())
        .load(&mut conn)
        .await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last()
            .map(|d| Cursor::new(d.created_at, d.id).encode(TAG))
    } else {
        None
    };
    Ok(web::Json(DeliveryList {
        items: rows.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}
