//! The dashboard's realtime stream: `ticket.created` and `ticket.updated` carry the Ticket
//! JSON, `message.created` carries `{"message": Message, "ticket_id": uuid|null}`. Events
//! arrive from any server process through Postgres LISTEN/NOTIFY (ids only) and are re-read
//! from the database here, so a client sees the committed state.
//!
//! Event ids are the change's time in microseconds. A client that reconnects with
//! `Last-Event-ID` first gets `ticket.updated` for every ticket changed since (at most
//! 500; replies and visitor messages also move their ticket's `updated_at`), then the live
//! stream.

use actix_web::{HttpRequest, HttpResponse, get, web};
use futures_util::StreamExt;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::{self, Principal};
use crate::db::{self, Pool, tickets as store};
use crate::domain::tickets::TicketOut;
use crate::error::{ApiResult, ErrorBody};
use crate::events::sse::{self, SseEvent};
use crate::events::{self, BusEvent};
use crate::routes::widget::MessageOut;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(workspace_events);
}

async fn render(pool: &Pool, ev: BusEvent) -> Option<SseEvent> {
    let mut conn = db::conn(pool).await.ok()?;
    let ws = ev.workspace_id;
    match ev.kind.as_str() {
        events::TICKET_CREATED | events::TICKET_UPDATED => {
            let id = ev.ticket_id?;
            let ticket = TicketOut::from(store::ticket_row(&mut conn, ws, id).await.ok()?);
            Some(SseEvent {
                event: ev.kind,
                id: Some(ticket.updated_at.timestamp_micros().to_string()),
                data: serde_json::to_value(ticket).ok()?,
            })
        }
        events::MESSAGE_CREATED => {
            let id = ev.message_id?;
            let message = MessageOut::from(store::message(&mut conn, ws, id).await.ok()??);
            Some(SseEvent {
                event: ev.kind,
                id: Some(message.created_at.timestamp_micros().to_string()),
                data: serde_json::json!({"message": message, "ticket_id": ev.ticket_id}),
            })
        }
        _ => None,
    }
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
    // Subscribe before reading what was missed, so nothing falls in between.
    let live = state.events.stream();
    let since = req
        .headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .and_then(chrono::DateTime::<chrono::Utc>::from_timestamp_micros);
    let (access, missed) = {
        let mut conn = db::conn(&state.pool).await?;
        let access = auth::access(&mut conn, &principal, path.into_inner()).await?;
        let missed = match since {
            Some(ts) => store::updated_since(&mut conn, access.workspace_id, ts, 500).await?,
            None => Vec::new(),
        };
        (access, missed)
    };
    let ws = access.workspace_id;
    let replay = futures_util::stream::iter(missed.into_iter().filter_map(|row| {
        let ticket = TicketOut::from(row);
        Some(SseEvent {
            event: events::TICKET_UPDATED.into(),
            id: Some(ticket.updated_at.timestamp_micros().to_string()),
            data: serde_json::to_value(ticket).ok()?,
        })
    }));
    let pool = state.pool.clone();
    let stream = live
        .filter(move |ev| std::future::ready(ev.workspace_id == ws))
        .filter_map(move |ev| {
            let pool = pool.clone();
            async move { render(&pool, ev).await }
        });
    Ok(sse::response(replay.chain(stream)))
}
