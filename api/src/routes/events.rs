//! The dashboard's realtime stream of a workspace (`services::dashboard_events` says what
//! it carries and how a reconnect replays).

use actix_web::{HttpRequest, HttpResponse, get, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::domain::access::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::events::sse;
use crate::services::dashboard_events;
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(workspace_events);
}

/// Server-sent events of one workspace for the dashboard (EventSource may pass the access
/// token as `?token=`). Heartbeat comment every 15 s.
#[utoipa::path(tag = "tickets", security(("bearer" = [])), params(("ws" = Uuid, Path)),
    responses((status = 200, description = "text/event-stream: ticket.created, ticket.updated, message.created", content_type = "text/event-stream", body = String),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/events")]
async fn workspace_events(
    state: web::Data<AppState>,
    req: HttpRequest,
    principal: Principal,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let since = req
        .headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .and_then(chrono::DateTime::<chrono::Utc>::from_timestamp_micros);
    let frames =
        dashboard_events::event_frames(&state, &principal, path.into_inner(), since).await?;
    Ok(sse::response(frames))
}
