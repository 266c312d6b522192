//! Notifications: the caller's preferences in a workspace, and what they have read of a
//! ticket or a conversation (the unread counts and "new reply" badges count from there).
//! Each handler parses the path and body and calls `services::notifications`.

use actix_web::{HttpResponse, get, post, put, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::domain::access::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::services::notifications as service;
use crate::services::tickets::parse_key;
use crate::state::AppState;
use crate::views::notifications::{NotificationPrefs, ReadUpTo};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get_notification_preferences)
        .service(put_notification_preferences)
        .service(mark_ticket_read)
        .service(mark_conversation_read);
}

/// Your notification preferences in this workspace: whether you get an email about a
/// visitor's message that is for you (your ticket, an unassigned ticket, a conversation
/// you took over) and that you have not read: `off`, `immediately`, or `delayed` (still
/// unread after `delay_minutes`). API keys: 403.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), params(("ws" = Uuid, Path)),
    responses((status = 200, body = NotificationPrefs), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/notification-preferences")]
async fn get_notification_preferences(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<NotificationPrefs>> {
    Ok(web::Json(
        service::preferences(&state, &principal, path.into_inner()).await?,
    ))
}

/// Set your notification preferences in this workspace (`delay_minutes` 1..1440, else 422).
#[utoipa::path(tag = "notifications", security(("bearer" = [])), params(("ws" = Uuid, Path)), request_body = NotificationPrefs,
    responses((status = 200, body = NotificationPrefs), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[put("/api/v1/workspaces/{ws}/notification-preferences")]
async fn put_notification_preferences(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    body: web::Json<NotificationPrefs>,
) -> ApiResult<web::Json<NotificationPrefs>> {
    Ok(web::Json(
        service::set_preferences(&state, &principal, path.into_inner(), body.into_inner()).await?,
    ))
}

/// You have read the ticket's conversation, up to message `up_to` (the last one on your
/// screen; none: up to now): its unread count for you starts again from there, and a
/// reminder email about it is cancelled. API keys: 403.
#[utoipa::path(tag = "notifications", security(("bearer" = [])),
    params(("ws" = Uuid, Path), ("ticket" = String, Path, description = "UUID or TKT-10001")), request_body = ReadUpTo,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/tickets/{ticket}/read")]
async fn mark_ticket_read(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, String)>,
    body: web::Json<ReadUpTo>,
) -> ApiResult<HttpResponse> {
    let (ws, ticket) = path.into_inner();
    service::mark_ticket_read(
        &state,
        &principal,
        ws,
        parse_key(&ticket)?,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// You have read the conversation, up to message `up_to` (none: up to now). API keys: 403.
#[utoipa::path(tag = "notifications", security(("bearer" = [])),
    params(("ws" = Uuid, Path), ("id" = Uuid, Path)), request_body = ReadUpTo,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/conversations/{id}/read")]
async fn mark_conversation_read(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<ReadUpTo>,
) -> ApiResult<HttpResponse> {
    let (ws, id) = path.into_inner();
    service::mark_conversation_read(&state, &principal, ws, id, body.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
