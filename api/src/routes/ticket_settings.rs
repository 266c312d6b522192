//! The Tickets page setup: enable tickets with a notification email (Standard and Pro
//! only), change or disable later, and whether a reply moves an open ticket to In Progress.
//! Members read it; owners and admins change it.

use actix_web::{get, put, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::domain::access::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::services::settings as service;
use crate::state::AppState;
use crate::views::settings::{TicketSettings, UpdateTicketSettings};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get_ticket_settings)
        .service(put_ticket_settings);
}

/// The ticket settings and the AI Instructions warnings.
#[utoipa::path(tag = "tickets", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path)),
    responses((status = 200, body = TicketSettings), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/ticket-settings")]
async fn get_ticket_settings(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<TicketSettings>> {
    Ok(web::Json(
        service::tickets(&state, &principal, path.into_inner()).await?,
    ))
}

/// Enable or disable tickets, change the notification email (owners and admins). Enabling
/// on Free: 402 `plan_required`; a bad email: 422. Disabling keeps existing tickets workable.
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "tickets", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path)), request_body = UpdateTicketSettings,
    responses((status = 200, body = TicketSettings), (status = 402, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[put("/api/v1/workspaces/{ws}/ticket-settings")]
async fn put_ticket_settings(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    body: web::Json<UpdateTicketSettings>,
) -> ApiResult<web::Json<TicketSettings>> {
    Ok(web::Json(
        service::update_tickets(&state, &principal, path.into_inner(), body.into_inner()).await?,
    ))
}
