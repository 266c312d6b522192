//! Conversations for the dashboard: all visitor chats by last activity (keyset), and one
//! conversation with its visitor, messages and ticket.

use actix_web::{get, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::domain::access::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::services::conversations as service;
use crate::state::AppState;
use crate::views::conversations::{ConversationDetail, ConversationList, ConversationListQuery};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_conversations).service(get_conversation);
}

/// Conversations by last activity, newest first, with visitor, last message and ticket.
#[utoipa::path(tag = "conversations", security(("bearer" = [])), params(("ws" = Uuid, Path), ConversationListQuery),
    responses((status = 200, body = ConversationList), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/conversations")]
async fn list_conversations(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    q: web::Query<ConversationListQuery>,
) -> ApiResult<web::Json<ConversationList>> {
    Ok(web::Json(
        service::list(&state, &principal, path.into_inner(), &q).await?,
    ))
}

/// One conversation: its visitor, all messages in order, and its newest ticket.
#[utoipa::path(tag = "conversations", security(("bearer" = [])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 200, body = ConversationDetail), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/conversations/{id}")]
async fn get_conversation(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<web::Json<ConversationDetail>> {
    let (ws, id) = path.into_inner();
    Ok(web::Json(
        service::detail(&state, &principal, ws, id).await?,
    ))
}
