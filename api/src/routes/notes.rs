//! Internal notes (`POST …/tickets/{ticket}/notes`, `POST …/conversations/{id}/notes`) and
//! the caller's mentions (`GET …/mentions`). Each handler parses the path and body and
//! calls `services::notes`.

use actix_web::{HttpResponse, get, post, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::domain::access::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::services::notes as service;
use crate::services::tickets::parse_key;
use crate::state::AppState;
use crate::views::notes::{MentionList, MentionListQuery, NoteIn, NoteOut};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(add_ticket_note)
        .service(add_conversation_note)
        .service(list_mentions);
}

/// Add an internal note to a ticket: shown in the dashboard's conversation, never to the
/// visitor (not in the widget, its mail or the visitor-facing webhooks; the
/// `ticket.note_added` webhook carries it). `@Full Name` mentions a member.
#[utoipa::path(tag = "notes", security(("bearer" = []), ("api_key" = ["tickets:write"])),
    params(("ws" = Uuid, Path), ("ticket" = String, Path, description = "UUID or TKT-10001")), request_body = NoteIn,
    responses((status = 201, body = NoteOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/tickets/{ticket}/notes")]
async fn add_ticket_note(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, String)>,
    body: web::Json<NoteIn>,
) -> ApiResult<HttpResponse> {
    let (ws, ticket) = path.into_inner();
    let key = parse_key(&ticket)?;
    let note = service::add_to_ticket(&state, &principal, ws, key, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(note))
}

/// Add an internal note to a conversation (also on its newest ticket, if it has one).
#[utoipa::path(tag = "notes", security(("bearer" = []), ("api_key" = ["tickets:write", "conversations:read"])),
    params(("ws" = Uuid, Path), ("id" = Uuid, Path)), request_body = NoteIn,
    responses((status = 201, body = NoteOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/conversations/{id}/notes")]
async fn add_conversation_note(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<NoteIn>,
) -> ApiResult<HttpResponse> {
    let (ws, id) = path.into_inner();
    let note = service::add_to_conversation(&state, &principal, ws, id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(note))
}

/// The notes that mention you, newest first, with your unread count (opening the ticket or
/// conversation reads them). API keys have no mentions: 403.
#[utoipa::path(tag = "notes", security(("bearer" = [])), params(("ws" = Uuid, Path), MentionListQuery),
    responses((status = 200, body = MentionList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/mentions")]
async fn list_mentions(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    q: web::Query<MentionListQuery>,
) -> ApiResult<web::Json<MentionList>> {
    Ok(web::Json(
        service::mentions(&state, &principal, path.into_inner(), &q).await?,
    ))
}
