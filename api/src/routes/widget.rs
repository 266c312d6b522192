//! The public widget API: a session from the workspace's widget key, then the visitor
//! token for the visitor's own conversation (messages, read marker, live events). Each
//! handler reads what the request says about the client and calls `services::widget`.

use actix_web::{FromRequest, HttpRequest, HttpResponse, get, post, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::error::{ApiResult, ErrorBody};
use crate::events::sse;
use crate::http::client_ip::ip_key;
use crate::http::extract::stream_ticket as stream_ticket_of;
use crate::routes::attachments::read_upload;
use crate::services::streams;
use crate::services::widget::{self as service, Client, MessageAnswer, VisitorId};
use crate::state::AppState;
use crate::views::attachments::{AttachmentOut, UploadQuery};
use crate::views::conversations::TypingIn;
use crate::views::streams::StreamTicketOut;
use crate::views::widget::{
    ConfigQuery, CreateSession, MarkRead, MessageList, MessagesQuery, PostMessage, PostMessageOut,
    SessionOut, SetEmail, WidgetConfig,
};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_session)
        .service(widget_config)
        .service(list_messages)
        .service(post_message)
        .service(widget_upload_attachment)
        .service(mark_read)
        .service(visitor_typing)
        .service(set_visitor_email)
        .service(widget_stream_ticket)
        .service(events_stream);
}

fn header(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// What the request says about the visitor's client. Country headers are set by a proxy
/// (Cloudflare, a load balancer), so they are believed only from `TRUSTED_PROXIES`.
fn client(req: &HttpRequest, state: &AppState) -> Client {
    let from_proxy = req
        .peer_addr()
        .is_some_and(|p| state.config.is_trusted_proxy(p.ip()));
    let proxy_header = |name: &str| if from_proxy { header(req, name) } else { None };
    Client {
        ip: ip_key(req, &state.config),
        user_agent: header(req, "user-agent"),
        cf_country: proxy_header("cf-ipcountry"),
        x_country: proxy_header("x-country-code"),
        origin: header(req, "origin"),
    }
}

/// Start or resume a widget session.
#[utoipa::path(tag = "widget", request_body = CreateSession,
    responses((status = 201, body = SessionOut), (status = 403, body = ErrorBody, description = "origin_not_allowed"),
        (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[post("/api/v1/widget/sessions")]
async fn create_session(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<CreateSession>,
) -> ApiResult<HttpResponse> {
    let session = service::create_session(&state, &client(&req, &state), &body).await?;
    Ok(HttpResponse::Created().json(session))
}

/// Public widget settings (launcher colour, greeting) by widget key.
#[utoipa::path(tag = "widget", params(ConfigQuery),
    responses((status = 200, body = WidgetConfig), (status = 404, body = ErrorBody)))]
#[get("/api/v1/widget/config")]
async fn widget_config(
    state: web::Data<AppState>,
    q: web::Query<ConfigQuery>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=60"))
        .json(service::config(&state, &q.widget_key).await?))
}

/// The visitor's conversation (optionally only messages after a given one).
#[utoipa::path(tag = "widget", security(("visitor" = [])), params(MessagesQuery),
    responses((status = 200, body = MessageList), (status = 401, body = ErrorBody)))]
#[get("/api/v1/widget/messages")]
async fn list_messages(
    state: web::Data<AppState>,
    visitor: VisitorId,
    q: web::Query<MessagesQuery>,
) -> ApiResult<web::Json<MessageList>> {
    Ok(web::Json(
        service::messages(&state, visitor, q.after).await?,
    ))
}

/// Send a message; the assistant answers in the same response.
///
/// Send an `Idempotency-Key` (one per message, e.g. a UUID) and retry with the same key after a failure or a lost
/// response: the retry gets the first answer, and the message is never stored twice. Keys
/// are per visitor conversation and kept for `IDEMPOTENCY_RETENTION_HOURS`.
#[utoipa::path(tag = "widget", security(("visitor" = [])), request_body = PostMessage,
    params(("Idempotency-Key" = Option<String>, Header, description = "1 to 255 visible ASCII characters, one per message; a retry with the same key returns the first answer")),
    responses((status = 201, body = PostMessageOut), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "idempotency_key_reused: the key was used for a different message; idempotency_in_progress: the first request with this key is still being answered (retry shortly)"),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[post("/api/v1/widget/messages")]
async fn post_message(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: VisitorId,
    body: web::Json<PostMessage>,
) -> ApiResult<HttpResponse> {
    // Not `header()`: a key that isn't visible ASCII must be refused, not ignored.
    let key = req
        .headers()
        .get("idempotency-key")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let out = service::post_message(
        &state,
        &client(&req, &state),
        visitor,
        &body,
        key.as_deref(),
    )
    .await?;
    Ok(match out {
        MessageAnswer::New(out) => HttpResponse::Created().json(out),
        MessageAnswer::Again(out) => HttpResponse::Created().json(out),
    })
}

/// The visitor uploads a file to send with their next message (`attachment_ids` of
/// `POST /widget/messages`); the same types and limit as the team's uploads.
#[utoipa::path(tag = "widget", security(("visitor" = [])), params(UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file's bytes (at most MAX_ATTACHMENT_BYTES)"),
    responses((status = 201, body = AttachmentOut), (status = 401, body = ErrorBody),
        (status = 413, body = ErrorBody, description = "Over MAX_ATTACHMENT_BYTES (`payload_too_large`)"),
        (status = 415, body = ErrorBody, description = "A type that is not allowed, or content that is not its type (`unsupported_media_type`)"),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody),
        (status = 503, body = ErrorBody, description = "The virus scanner is unavailable (`scan_unavailable`)")))]
#[post("/api/v1/widget/attachments")]
async fn widget_upload_attachment(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: VisitorId,
    q: web::Query<UploadQuery>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let file = read_upload(&state, &req, q.into_inner(), payload).await?;
    let out = service::upload(&state, &client(&req, &state), visitor, file).await?;
    Ok(HttpResponse::Created().json(out))
}

/// The visitor has seen the conversation up to a message: clears the unread count.
#[utoipa::path(tag = "widget", security(("visitor" = [])), request_body = MarkRead,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/widget/read")]
async fn mark_read(
    state: web::Data<AppState>,
    visitor: VisitorId,
    body: web::Json<MarkRead>,
) -> ApiResult<HttpResponse> {
    service::mark_read(&state, visitor, body.up_to).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The visitor leaves their email, so the team can reply by email when nobody is online
/// to answer in the chat.
#[utoipa::path(tag = "widget", security(("visitor" = [])), request_body = SetEmail,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody, description = "not a valid email address")))]
#[post("/api/v1/widget/email")]
async fn set_visitor_email(
    state: web::Data<AppState>,
    visitor: VisitorId,
    body: web::Json<SetEmail>,
) -> ApiResult<HttpResponse> {
    service::set_email(&state, visitor, &body).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The visitor is typing (`typing: true`, again every few seconds) or stopped: the
/// dashboard shows it. Ephemeral, never stored; more than 4 events in 10 s are dropped.
#[utoipa::path(tag = "widget", security(("visitor" = [])), request_body = TypingIn,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/widget/typing")]
async fn visitor_typing(
    state: web::Data<AppState>,
    visitor: VisitorId,
    body: web::Json<TypingIn>,
) -> ApiResult<HttpResponse> {
    service::typing(&state, visitor, &body).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Mint a single-use ticket for the visitor's event stream (the visitor token never goes
/// into a URL).
#[utoipa::path(tag = "widget", security(("visitor" = [])),
    responses((status = 201, body = StreamTicketOut), (status = 401, body = ErrorBody)))]
#[post("/api/v1/widget/stream-tickets")]
async fn widget_stream_ticket(
    state: web::Data<AppState>,
    visitor: VisitorId,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(streams::mint_widget(&state, visitor).await?))
}

/// Live events of the visitor's conversation: `message.created` (Message JSON, its id as
/// the event id) and, while a streaming assistant engine (`AI_PROVIDER=openai`) writes a
/// reply, `message.delta` (`{message_id, conversation_id, seq, text}`: piece `seq` = 0, 1,
/// 2… of the reply, in order, no event id; the reply's `message.created` with the same
/// `message_id` follows and replaces it, also when the reply broke off and became the
/// ticket offer). Open it with `?ticket=` (from `POST /widget/stream-tickets`) or an
/// `Authorization` header. A reconnecting client sends `Last-Event-ID`: the messages it
/// missed come first (deltas are not replayed).
#[utoipa::path(tag = "widget", security(("visitor" = []), ()), params(("ticket" = Option<String>, Query, description = "A stream ticket (single use)")),
    responses((status = 200, content_type = "text/event-stream", description = "message.created events (Message JSON, id = message id); message.delta events ({message_id, conversation_id, seq, text}, no id) while a streaming engine writes a reply"), (status = 401, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "too_many_streams: a stream cap is reached (per visitor, per client network, or this server's MAX_STREAMS); Retry-After says when to try again")))]
#[get("/api/v1/widget/events")]
async fn events_stream(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let (visitor, ends_at) = match stream_ticket_of(&req) {
        Some(ticket) => streams::redeem_widget(&state, &ticket).await?,
        None => {
            let v = VisitorId::extract(&req).await?;
            (v, streams::widget_ends_at(&v))
        }
    };
    let last_seen = header(&req, "last-event-id").and_then(|v| v.trim().parse::<Uuid>().ok());
    let frames =
        service::event_frames(&state, &client(&req, &state), visitor, last_seen, ends_at).await?;
    Ok(sse::response(frames))
}
