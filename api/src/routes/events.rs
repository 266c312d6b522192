//! The dashboard's realtime stream of a workspace (`services::dashboard_events` says what
//! it carries and how a reconnect replays).

use actix_web::{FromRequest, HttpRequest, HttpResponse, get, post, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::error::{ApiResult, ErrorBody};
use crate::events::sse;
use crate::http::client_ip::ip_key;
use crate::http::extract::stream_ticket as stream_ticket_of;
use crate::services::dashboard_events;
use crate::services::streams::{self, Caller};
use crate::state::AppState;
use crate::views::streams::StreamTicketOut;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(workspace_stream_ticket)
        .service(workspace_events);
}

/// Mint a single-use ticket for the workspace's event stream (EventSource can't send an
/// `Authorization` header, and credentials never go into URLs).
#[utoipa::path(tag = "tickets", security(("bearer" = []), ("api_key" = ["tickets:read", "conversations:read"])), params(("ws" = Uuid, Path)),
    responses((status = 201, body = StreamTicketOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/stream-tickets")]
async fn workspace_stream_ticket(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let out = streams::mint_dashboard(&state, &caller, path.into_inner()).await?;
    Ok(HttpResponse::Created().json(out))
}

/// Server-sent events of one workspace for the dashboard: open it with `?ticket=` (from
/// `POST …/stream-tickets`) or an `Authorization` header. Heartbeat comment every 15 s. The
/// stream ends when the access token expires (the client mints a new ticket) and when the
/// caller's access ends (member removed, key revoked, logged out).
#[utoipa::path(tag = "tickets", security(("bearer" = []), ("api_key" = ["tickets:read", "conversations:read"]), ()), params(("ws" = Uuid, Path),
        ("ticket" = Option<String>, Query, description = "A stream ticket (single use)")),
    responses((status = 200, description = "text/event-stream: ticket.created, ticket.updated, message.created (id: the event id, data: JSON), and the ephemeral conversation.updated, visitor.presence, typing (no id, data: JSON); see docs/live-chat.md", content_type = "text/event-stream"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "too_many_streams: a stream cap is reached (per user or API key, per client network, or this server's MAX_STREAMS); Retry-After says when to try again")))]
#[get("/api/v1/workspaces/{ws}/events")]
async fn workspace_events(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let ws = path.into_inner();
    let grant = match stream_ticket_of(&req) {
        Some(ticket) => streams::redeem_dashboard(&state, &ticket, ws).await?,
        None => {
            let caller = Caller::extract(&req).await?;
            streams::grant_for(&state, &caller, ws).await?
        }
    };
    let since = req
        .headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .and_then(crate::domain::cursor::storable_micros);
    let network = ip_key(&req, &state.config);
    let frames = dashboard_events::event_frames(&state, &grant, ws, since, &network).await?;
    Ok(sse::response(frames))
}
