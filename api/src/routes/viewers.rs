//! Who else has a ticket open: `POST …/tickets/{ticket}/viewing` (take or renew your
//! viewing) and `DELETE …/tickets/{ticket}/viewing` (you left). Each handler parses the
//! path and calls `services::viewers`.

use actix_web::{HttpResponse, delete, post, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::domain::access::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::services::tickets::parse_key;
use crate::services::viewers as service;
use crate::state::AppState;
use crate::views::viewers::ViewingOut;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(view_ticket).service(leave_ticket);
}

/// You have the ticket open: your teammates' ticket pages show "<you> is also viewing"
/// until you leave (`DELETE`) or your viewing lapses (`expires_at`, 60 s; renew it every
/// `renew_seconds`). Answers who has it open now, you included. Announced on the dashboard
/// stream as `ticket.viewers` when you join. API keys: 403 (viewing is a person's).
#[utoipa::path(tag = "presence", security(("bearer" = [])),
    params(("ws" = Uuid, Path), ("ticket" = String, Path, description = "UUID or TKT-10001")),
    responses((status = 200, body = ViewingOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/tickets/{ticket}/viewing")]
async fn view_ticket(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, String)>,
) -> ApiResult<web::Json<ViewingOut>> {
    let (ws, ticket) = path.into_inner();
    Ok(web::Json(
        service::view(&state, &principal, ws, parse_key(&ticket)?).await?,
    ))
}

/// You left the ticket: you leave its viewers at once (announced as `ticket.viewers`).
/// Leaving a ticket you were not viewing is fine. API keys: 403.
#[utoipa::path(tag = "presence", security(("bearer" = [])),
    params(("ws" = Uuid, Path), ("ticket" = String, Path, description = "UUID or TKT-10001")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/api/v1/workspaces/{ws}/tickets/{ticket}/viewing")]
async fn leave_ticket(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, String)>,
) -> ApiResult<HttpResponse> {
    let (ws, ticket) = path.into_inner();
    service::leave(&state, &principal, ws, parse_key(&ticket)?).await?;
    Ok(HttpResponse::NoContent().finish())
}
