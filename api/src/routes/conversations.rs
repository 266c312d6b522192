//! Conversations for the dashboard: all visitor chats by last activity (keyset), and one
//! conversation with its visitor, messages and ticket.

use actix_web::{HttpResponse, get, post, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::domain::access::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::services::conversations as service;
use crate::services::live;
use crate::state::AppState;
use crate::views::conversations::{
    ConversationDetail, ConversationList, ConversationListQuery, ConversationOut,
    ConversationReplyIn, TakeOverIn, TypingIn,
};
use crate::views::messages::MessageOut;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_conversations)
        .service(get_conversation)
        .service(take_over_conversation)
        .service(hand_back_conversation)
        .service(reply_in_conversation)
        .service(conversation_typing);
}

/// Conversations by last activity, newest first, with visitor, last message, ticket and
/// live state (taken over, waiting for a human, visitor online now). Filters:
/// `status=waiting|taken_over|assistant` and `online=true`; live changes arrive on the
/// workspace's event stream (`conversation.updated`, `visitor.presence`, `typing`,
/// `message.created`).
#[utoipa::path(tag = "conversations", security(("bearer" = []), ("api_key" = ["conversations:read"])), params(("ws" = Uuid, Path), ConversationListQuery),
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
#[utoipa::path(tag = "conversations", security(("bearer" = []), ("api_key" = ["conversations:read"])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)),
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

/// Take the conversation over: the assistant stops answering (and acknowledging) in it,
/// and the visitor sees "<your name> joined the chat". It falls back to the assistant
/// after `TAKEOVER_IDLE_MINUTES` without an action of yours (a reply counts), or when you
/// hand it back. Taking over your own is a no-op; another agent's needs `force`.
#[utoipa::path(tag = "conversations", security(("bearer" = []), ("api_key" = ["tickets:write", "conversations:read"])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)), request_body = TakeOverIn,
    responses((status = 200, body = ConversationOut), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "already_taken_over: another agent has it (send `force: true` to take it from them)")))]
#[post("/api/v1/workspaces/{ws}/conversations/{id}/take-over")]
async fn take_over_conversation(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<TakeOverIn>,
) -> ApiResult<web::Json<ConversationOut>> {
    let (ws, id) = path.into_inner();
    Ok(web::Json(
        live::take_over(&state, &principal, ws, id, &body).await?,
    ))
}

/// Hand the conversation back to the assistant (the visitor sees a system message). A
/// no-op when nobody has it.
#[utoipa::path(tag = "conversations", security(("bearer" = []), ("api_key" = ["tickets:write", "conversations:read"])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 200, body = ConversationOut), (status = 404, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/conversations/{id}/hand-back")]
async fn hand_back_conversation(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<web::Json<ConversationOut>> {
    let (ws, id) = path.into_inner();
    Ok(web::Json(
        live::hand_back(&state, &principal, ws, id).await?,
    ))
}

/// Reply to the visitor in the conversation (no ticket needed). When the conversation has
/// a ticket (not closed), this is that ticket's reply: the same timeline and rules as
/// `POST …/tickets/{ticket}/replies`, and `email_visitor` emails it. Unless `take_over` is
/// `false`, you take the conversation over first when nobody has it.
#[utoipa::path(tag = "conversations", security(("bearer" = []), ("api_key" = ["tickets:write", "conversations:read"])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)), request_body = ConversationReplyIn,
    responses((status = 201, body = MessageOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "an empty body, or email_visitor without a ticket")))]
#[post("/api/v1/workspaces/{ws}/conversations/{id}/replies")]
async fn reply_in_conversation(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<ConversationReplyIn>,
) -> ApiResult<HttpResponse> {
    let (ws, id) = path.into_inner();
    let m = live::reply(&state, &principal, ws, id, &body).await?;
    Ok(HttpResponse::Created().json(m))
}

/// You are typing (`typing: true`, again every few seconds) or stopped: the visitor's
/// widget shows "<your name> is typing…" and other agents see it too. Ephemeral, never
/// stored; more than 4 events in 10 s per agent and conversation are dropped.
#[utoipa::path(tag = "conversations", security(("bearer" = []), ("api_key" = ["tickets:write", "conversations:read"])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)), request_body = TypingIn,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/conversations/{id}/typing")]
async fn conversation_typing(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<TypingIn>,
) -> ApiResult<HttpResponse> {
    let (ws, id) = path.into_inner();
    live::agent_typing(&state, &principal, ws, id, &body).await?;
    Ok(HttpResponse::NoContent().finish())
}
