//! The public widget API: a session from the workspace's widget key, then the visitor
//! token for the visitor's own conversation (messages, read marker, live events).

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::Utc;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::app::AppState;
use crate::assistant::turn::{self, tickets_enabled};
use crate::auth::{VisitorAuth, tokens};
use crate::db::enums::TicketStatus;
use crate::db::models::{Conversation, Message, NewVisitor, Visitor, Workspace};
use crate::db::{self, Conn, conversations};
use crate::domain::{device, origins};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::events::{self, sse};
use crate::ratelimit;

pub const MAX_MESSAGE_CHARS: usize = 4000;
const SESSION_MESSAGES: i64 = 200;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_session)
        .service(widget_config)
        .service(list_messages)
        .service(post_message)
        .service(mark_read)
        .service(events_stream);
}

pub use crate::domain::message::{MessageAction, MessageOut};

#[derive(Debug, Serialize, ToSchema)]
pub struct WidgetConfig {
    pub workspace_name: String,
    pub greeting: String,
    /// Launcher colour (hex).
    pub color: String,
    pub tickets_enabled: bool,
}

impl From<&Workspace> for WidgetConfig {
    fn from(ws: &Workspace) -> Self {
        WidgetConfig {
            workspace_name: ws.name.clone(),
            greeting: ws.greeting.clone(),
            color: ws.widget_color.clone(),
            tickets_enabled: tickets_enabled(ws),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateSession {
    pub widget_key: String,
    /// A token from an earlier session: resumes that visitor and conversation.
    pub visitor_token: Option<String>,
    /// The page the widget is on.
    pub page_url: Option<String>,
    pub referrer: Option<String>,
    pub locale: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionOut {
    pub visitor_token: String,
    pub visitor_id: Uuid,
    pub conversation_id: Uuid,
    /// The conversation so far, oldest first.
    pub messages: Vec<MessageOut>,
    /// Team replies the visitor has not seen yet.
    pub unread_count: i32,
    pub config: WidgetConfig,
    /// The conversation's ticket while it is not closed (the widget shows its card).
    pub ticket: Option<TicketBrief>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ConfigQuery {
    pub widget_key: String,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct MessagesQuery {
    /// Only messages after this one.
    pub after: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageList {
    pub items: Vec<MessageOut>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PostMessage {
    /// 1 to 4,000 characters.
    pub body: String,
    pub page_url: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketBrief {
    pub id: Uuid,
    /// `TKT-10001`
    pub number: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PostMessageOut {
    /// The visitor's message, then the assistant's answer(s).
    pub messages: Vec<MessageOut>,
    /// The conversation's ticket when this message created or added to one.
    pub ticket: Option<TicketBrief>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MarkRead {
    /// The last message the visitor has seen.
    pub up_to: Uuid,
}

fn clip(s: Option<&str>, max: usize) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.chars().take(max).collect())
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

fn ip_key(req: &HttpRequest, state: &AppState) -> String {
    ratelimit::client_ip(req, &state.config)
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// When the workspace restricts origins, the widget's page (and the request's Origin,
/// unless it is Handoff's own frame) must be one of them.
fn check_origin(
    ws: &Workspace,
    page_url: Option<&str>,
    origin_header: Option<&str>,
    public_url: &str,
) -> ApiResult<()> {
    if ws.allowed_origins.is_empty() {
        return Ok(());
    }
    let own = origins::origin_of(public_url);
    let allowed = |o: &str| ws.allowed_origins.iter().any(|a| a == o);
    let mut checked = false;
    if let Some(page) = page_url {
        let o = origins::origin_of(page).ok_or_else(origin_error)?;
        if !allowed(&o) {
            return Err(origin_error());
        }
        checked = true;
    }
    if let Some(h) = origin_header.and_then(origins::normalize)
        && Some(&h) != own.as_ref()
    {
        if !allowed(&h) {
            return Err(origin_error());
        }
        checked = true;
    }
    if checked { Ok(()) } else { Err(origin_error()) }
}

fn origin_error() -> ApiError {
    ApiError::forbidden_code(
        "origin_not_allowed",
        "This website is not allowed to use this widget. Add its origin to the workspace's allowed origins.",
    )
}

fn visitor_seen(req: &HttpRequest, body: &CreateSession) -> conversations::VisitorSeen {
    let ua = header(req, "user-agent").map(|s| s.chars().take(512).collect::<String>());
    let dev = ua.as_deref().map(device::parse_user_agent);
    conversations::VisitorSeen {
        country: device::country_from_headers(
            header(req, "cf-ipcountry"),
            header(req, "x-country-code"),
        ),
        browser: dev.as_ref().and_then(|d| d.browser.clone()),
        os: dev.as_ref().and_then(|d| d.os.clone()),
        device_kind: dev
            .as_ref()
            .and_then(|d| d.kind)
            .map(|k| k.as_str().to_string()),
        user_agent: ua,
        page_url: clip(body.page_url.as_deref(), 2000),
        referrer: clip(body.referrer.as_deref(), 2000),
        locale: clip(body.locale.as_deref(), 35),
        last_seen_at: Some(Utc::now()),
    }
}

async fn resume_or_create_visitor(
    conn: &mut Conn,
    state: &AppState,
    ws: &Workspace,
    token: Option<&str>,
    seen: conversations::VisitorSeen,
) -> ApiResult<Visitor> {
    let known = token
        .and_then(|t| tokens::verify_visitor(&state.config, t).ok())
        .filter(|c| c.ws == ws.id)
        .map(|c| c.sub);
    if let Some(id) = known
        && conversations::visitor(conn, ws.id, id).await?.is_some()
    {
        return Ok(conversations::update_visitor(conn, ws.id, id, &seen).await?);
    }
    Ok(conversations::insert_visitor(
        conn,
        NewVisitor {
            id: Uuid::now_v7(),
            workspace_id: ws.id,
            email: None,
            country: seen.country,
            browser: seen.browser,
            os: seen.os,
            device_kind: seen.device_kind,
            user_agent: seen.user_agent,
            page_url: seen.page_url,
            referrer: seen.referrer,
            locale: seen.locale,
        },
    )
    .await?)
}

async fn current_conversation(
    conn: &mut Conn,
    ws_id: Uuid,
    visitor_id: Uuid,
) -> ApiResult<Conversation> {
    Ok(
        match conversations::latest_conversation(conn, ws_id, visitor_id).await? {
            Some(c) => c,
            None => conversations::insert_conversation(conn, ws_id, visitor_id).await?,
        },
    )
}

/// The visitor's workspace, visitor row and conversation; 401 when the visitor is gone.
async fn visitor_context(
    conn: &mut Conn,
    v: &VisitorAuth,
) -> ApiResult<(Workspace, Visitor, Conversation)> {
    let visitor = conversations::visitor(conn, v.workspace_id, v.visitor_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized_msg("The visitor token is invalid."))?;
    let ws = crate::db::workspaces::by_id(conn, v.workspace_id).await?;
    let conv = current_conversation(conn, v.workspace_id, v.visitor_id).await?;
    Ok((ws, visitor, conv))
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
    state
        .limiter
        .check(
            &format!("widget:session:ip:{}", ip_key(&req, &state)),
            30,
            60,
        )
        .await?;
    if let Some(claims) = body
        .visitor_token
        .as_deref()
        .and_then(|t| tokens::verify_visitor(&state.config, t).ok())
    {
        let key = format!("widget:session:visitor:{}", claims.sub);
        state.limiter.check(&key, 20, 60).await?;
    }
    let mut conn = db::conn(&state.pool).await?;
    let ws = crate::db::workspaces::by_widget_key(&mut conn, body.widget_key.trim())
        .await?
        .ok_or_else(|| ApiError::not_found("widget"))?;
    check_origin(
        &ws,
        body.page_url.as_deref(),
        header(&req, "origin"),
        &state.config.public_url,
    )?;
    let seen = visitor_seen(&req, &body);
    let visitor =
        resume_or_create_visitor(&mut conn, &state, &ws, body.visitor_token.as_deref(), seen)
            .await?;
    let conv = current_conversation(&mut conn, ws.id, visitor.id).await?;
    let messages = conversations::messages(&mut conn, ws.id, conv.id, SESSION_MESSAGES).await?;
    let ticket = conversations::latest_ticket(&mut conn, ws.id, conv.id)
        .await?
        .filter(|(_, _, status)| *status != TicketStatus::Closed)
        .map(|(id, number, _)| TicketBrief {
            id,
            number: crate::domain::handoff::ticket_label(number),
        });
    Ok(HttpResponse::Created().json(SessionOut {
        ticket,
        visitor_token: tokens::issue_visitor(&state.config, visitor.id, ws.id)?,
        visitor_id: visitor.id,
        conversation_id: conv.id,
        messages: messages.into_iter().map(MessageOut::from).collect(),
        unread_count: conv.visitor_unread_count,
        config: WidgetConfig::from(&ws),
    }))
}

/// Public widget settings (launcher colour, greeting) by widget key.
#[utoipa::path(tag = "widget", params(ConfigQuery),
    responses((status = 200, body = WidgetConfig), (status = 404, body = ErrorBody)))]
#[get("/api/v1/widget/config")]
async fn widget_config(
    state: web::Data<AppState>,
    q: web::Query<ConfigQuery>,
) -> ApiResult<HttpResponse> {
    let mut conn = db::conn(&state.pool).await?;
    let ws = crate::db::workspaces::by_widget_key(&mut conn, q.widget_key.trim())
        .await?
        .ok_or_else(|| ApiError::not_found("widget"))?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=60"))
        .json(WidgetConfig::from(&ws)))
}

/// The visitor's conversation (optionally only messages after a given one).
#[utoipa::path(tag = "widget", security(("bearer" = [])), params(MessagesQuery),
    responses((status = 200, body = MessageList), (status = 401, body = ErrorBody)))]
#[get("/api/v1/widget/messages")]
async fn list_messages(
    state: web::Data<AppState>,
    visitor: VisitorAuth,
    q: web::Query<MessagesQuery>,
) -> ApiResult<web::Json<MessageList>> {
    let mut conn = db::conn(&state.pool).await?;
    let (ws, _, conv) = visitor_context(&mut conn, &visitor).await?;
    let after = match q.after {
        Some(id) => {
            let m = conversations::message(&mut conn, ws.id, conv.id, id)
                .await?
                .ok_or_else(|| {
                    ApiError::validation("after", "is not a message of this conversation")
                })?;
            Some((m.created_at, m.id))
        }
        None => None,
    };
    let items = conversations::messages_after(&mut conn, ws.id, conv.id, after, 500).await?;
    Ok(web::Json(MessageList {
        items: items.into_iter().map(MessageOut::from).collect(),
    }))
}

/// Send a message; the assistant answers in the same response.
#[utoipa::path(tag = "widget", security(("bearer" = [])), request_body = PostMessage,
    responses((status = 201, body = PostMessageOut), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[post("/api/v1/widget/messages")]
async fn post_message(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: VisitorAuth,
    body: web::Json<PostMessage>,
) -> ApiResult<HttpResponse> {
    let text = body.body.trim();
    if text.is_empty() {
        return Err(ApiError::validation("body", "must not be empty"));
    }
    if text.chars().count() > MAX_MESSAGE_CHARS {
        return Err(ApiError::validation(
            "body",
            format!("must be at most {MAX_MESSAGE_CHARS} characters"),
        ));
    }
    state
        .limiter
        .check(
            &format!("widget:msg:visitor:{}", visitor.visitor_id),
            20,
            60,
        )
        .await?;
    state
        .limiter
        .check(
            &format!("widget:msg:visitor-day:{}", visitor.visitor_id),
            300,
            86_400,
        )
        .await?;
    state
        .limiter
        .check(&format!("widget:msg:ip:{}", ip_key(&req, &state)), 60, 60)
        .await?;

    let mut conn = db::conn(&state.pool).await?;
    let (ws, mut v, conv) = visitor_context(&mut conn, &visitor).await?;
    if let Some(page) = clip(body.page_url.as_deref(), 2000) {
        let seen = conversations::VisitorSeen {
            page_url: Some(page),
            last_seen_at: Some(Utc::now()),
            ..Default::default()
        };
        v = conversations::update_visitor(&mut conn, ws.id, v.id, &seen).await?;
    }
    drop(conn);
    let result = turn::handle_visitor_message(&state, &ws, &v, &conv, text).await?;
    Ok(HttpResponse::Created().json(PostMessageOut {
        messages: result.messages.into_iter().map(MessageOut::from).collect(),
        ticket: result.ticket.map(|(id, number)| TicketBrief {
            id,
            number: crate::domain::handoff::ticket_label(number),
        }),
    }))
}

/// The visitor has seen the conversation up to a message: clears the unread count.
#[utoipa::path(tag = "widget", security(("bearer" = [])), request_body = MarkRead,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/widget/read")]
async fn mark_read(
    state: web::Data<AppState>,
    visitor: VisitorAuth,
    body: web::Json<MarkRead>,
) -> ApiResult<HttpResponse> {
    let mut conn = db::conn(&state.pool).await?;
    let (ws, _, conv) = visitor_context(&mut conn, &visitor).await?;
    conversations::message(&mut conn, ws.id, conv.id, body.up_to)
        .await?
        .ok_or_else(|| ApiError::validation("up_to", "is not a message of this conversation"))?;
    conversations::mark_read(&mut conn, ws.id, conv.id).await?;
    Ok(HttpResponse::NoContent().finish())
}

fn sse_message(m: Message) -> Option<sse::SseEvent> {
    Some(sse::SseEvent {
        event: events::MESSAGE_CREATED.into(),
        id: Some(m.id.to_string()),
        data: serde_json::to_value(MessageOut::from(m)).ok()?,
    })
}

/// Live `message.created` events (Message JSON) of the visitor's conversation. A
/// reconnecting EventSource sends `Last-Event-ID`: the messages it missed come first.
#[utoipa::path(tag = "widget", security(("bearer" = [])), params(("token" = Option<String>, Query, description = "The visitor token (EventSource cannot set headers)")),
    responses((status = 200, content_type = "text/event-stream", description = "message.created events"), (status = 401, body = ErrorBody)))]
#[get("/api/v1/widget/events")]
async fn events_stream(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: VisitorAuth,
) -> ApiResult<HttpResponse> {
    // Subscribe before reading what was missed, so nothing falls in between.
    let live = state.events.stream();
    let mut conn = db::conn(&state.pool).await?;
    let (ws, _, conv) = visitor_context(&mut conn, &visitor).await?;
    let (ws_id, conv_id) = (ws.id, conv.id);
    let last_seen = header(&req, "last-event-id").and_then(|v| v.trim().parse::<Uuid>().ok());
    let mut missed = Vec::new();
    if let Some(id) = last_seen
        && let Some(m) = conversations::message(&mut conn, ws_id, conv_id, id).await?
    {
        missed = conversations::messages_after(
            &mut conn,
            ws_id,
            conv_id,
            Some((m.created_at, m.id)),
            500,
        )
        .await?;
    }
    drop(conn);
    let replayed: std::collections::HashSet<Uuid> = missed.iter().map(|m| m.id).collect();
    let pool = state.pool.clone();
    let live = live
        .filter(move |ev| {
            let ours = ev.kind == events::MESSAGE_CREATED
                && ev.workspace_id == ws_id
                && ev.conversation_id == Some(conv_id)
                && ev.message_id.is_some_and(|id| !replayed.contains(&id));
            std::future::ready(ours)
        })
        .filter_map(move |ev| {
            let pool = pool.clone();
            async move {
                let id = ev.message_id?;
                let mut conn = db::conn(&pool).await.ok()?;
                let m = conversations::message(&mut conn, ws_id, conv_id, id)
                    .await
                    .ok()??;
                sse_message(m)
            }
        });
    let replay = futures_util::stream::iter(missed.into_iter().filter_map(sse_message));
    Ok(sse::response(replay.chain(live)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ws(origins: &[&str]) -> Workspace {
        Workspace {
            id: Uuid::nil(),
            name: "Acme".into(),
            plan: crate::db::enums::Plan::Standard,
            widget_key: "wk".into(),
            allowed_origins: origins.iter().map(|s| s.to_string()).collect(),
            widget_color: "#4f46e5".into(),
            greeting: "Hi".into(),
            tickets_enabled: true,
            notification_email: None,
            ai_instructions: String::new(),
            reply_sets_in_progress: false,
            ticket_counter: 10000,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn origin_rules() {
        let own = "http://localhost:8080";
        assert!(check_origin(&ws(&[]), None, None, own).is_ok());
        let shop = ws(&["https://shop.example.com"]);
        assert!(check_origin(&shop, Some("https://shop.example.com/p/1"), Some(own), own).is_ok());
        assert!(
            check_origin(
                &shop,
                Some("https://shop.example.com/p/1"),
                Some("https://shop.example.com"),
                own
            )
            .is_ok()
        );
        assert!(check_origin(&shop, Some("https://evil.example/p"), Some(own), own).is_err());
        assert!(
            check_origin(
                &shop,
                Some("https://shop.example.com/"),
                Some("https://evil.example"),
                own
            )
            .is_err()
        );
        assert!(check_origin(&shop, None, None, own).is_err());
        assert!(check_origin(&shop, Some("not a url"), None, own).is_err());
        let e = check_origin(&shop, Some("https://evil.example/"), None, own).err();
        assert_eq!(
            e.map(|e| e.code().to_string()).as_deref(),
            Some("origin_not_allowed")
        );
    }
}
