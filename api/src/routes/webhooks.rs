//! Webhook subscriptions (owners and admins): create (the signing secret is shown once),
//! list, read, update, delete, and the delivery log of each.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::domain::access::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::services::webhooks as service;
use crate::state::AppState;
use crate::views::webhooks::{
    CreatedWebhook, DeliveryQuery, UpdateWebhook, WebhookDeliveryList, WebhookDeliveryOut,
    WebhookInput, WebhookList, WebhookOut,
};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_webhooks)
        .service(create_webhook)
        .service(get_webhook)
        .service(update_webhook)
        .service(delete_webhook)
        .service(list_webhook_deliveries)
        .service(send_webhook_test)
        .service(redeliver_webhook_delivery);
}

/// The workspace's webhooks.
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "webhooks", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path)),
    responses((status = 200, body = WebhookList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/webhooks")]
async fn list_webhooks(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<WebhookList>> {
    Ok(web::Json(
        service::list(&state, &principal, path.into_inner()).await?,
    ))
}

/// Subscribe a URL to events; the answer carries the signing secret, shown only once.
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "webhooks", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path)), request_body = WebhookInput,
    responses((status = 201, body = CreatedWebhook), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/webhooks")]
async fn create_webhook(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    body: web::Json<WebhookInput>,
) -> ApiResult<HttpResponse> {
    let created = service::create(&state, &principal, path.into_inner(), &body).await?;
    Ok(HttpResponse::Created().json(created))
}

/// One webhook (without its secret).
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "webhooks", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 200, body = WebhookOut), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/webhooks/{id}")]
async fn get_webhook(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<web::Json<WebhookOut>> {
    let (ws, id) = path.into_inner();
    Ok(web::Json(service::get(&state, &principal, ws, id).await?))
}

/// Change a webhook's URL, events or active flag.
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "webhooks", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)), request_body = UpdateWebhook,
    responses((status = 200, body = WebhookOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[patch("/api/v1/workspaces/{ws}/webhooks/{id}")]
async fn update_webhook(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<UpdateWebhook>,
) -> ApiResult<web::Json<WebhookOut>> {
    let (ws, id) = path.into_inner();
    Ok(web::Json(
        service::update(&state, &principal, ws, id, body.into_inner()).await?,
    ))
}

/// Delete a webhook and its delivery log.
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "webhooks", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
#[delete("/api/v1/workspaces/{ws}/webhooks/{id}")]
async fn delete_webhook(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (ws, id) = path.into_inner();
    service::delete(&state, &principal, ws, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The webhook's deliveries, newest first: status code, attempts, last error.
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "webhooks", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path), ("id" = Uuid, Path), DeliveryQuery),
    responses((status = 200, body = WebhookDeliveryList), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/webhooks/{id}/deliveries")]
async fn list_webhook_deliveries(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    q: web::Query<DeliveryQuery>,
) -> ApiResult<web::Json<WebhookDeliveryList>> {
    let (ws, id) = path.into_inner();
    Ok(web::Json(
        service::deliveries(&state, &principal, ws, id, &q).await?,
    ))
}

/// Send a signed `webhook.test` event to this webhook now (also while it is switched
/// off), through the outbox like any delivery; the queued delivery is in its log.
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "webhooks", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 202, body = WebhookDeliveryOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/webhooks/{id}/test")]
async fn send_webhook_test(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (ws, id) = path.into_inner();
    let delivery = service::send_test(&state, &principal, ws, id).await?;
    Ok(HttpResponse::Accepted().json(delivery))
}

/// Send a delivery that did not get through once more: the same id and body. One waiting
/// for a retry goes now; one whose retries ran out gets a new round. 409
/// `already_delivered`, `not_attempted`, `delivery_in_progress` or `webhook_inactive`.
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "webhooks", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path), ("id" = Uuid, Path), ("delivery_id" = Uuid, Path)),
    responses((status = 202, body = WebhookDeliveryOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/webhooks/{id}/deliveries/{delivery_id}/redeliver")]
async fn redeliver_webhook_delivery(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (ws, id, delivery_id) = path.into_inner();
    let delivery = service::redeliver(&state, &principal, ws, id, delivery_id).await?;
    Ok(HttpResponse::Accepted().json(delivery))
}
