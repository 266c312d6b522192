//! The widget's use cases: a session from the workspace's widget key (a new or resumed
//! visitor and their conversation), the public settings, the conversation's messages, the
//! read marker, a visitor's message (handed to the visitor turn) and the live stream.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::Utc;
use futures_util::{Stream, StreamExt};
use uuid::Uuid;

use crate::auth::tokens;
use crate::db::conversations::VisitorSeen;
use crate::db::models::{Conversation, Message, NewVisitor, Visitor, Workspace};
use crate::db::{self, Conn, conversations, workspaces};
use crate::domain::device;
use crate::domain::enums::TicketStatus;
use crate::domain::identity;
use crate::domain::live as domain_live;
use crate::domain::locale;
use crate::domain::origins::check_widget_origin;
use crate::domain::ticket_number::TicketNumber;
use crate::error::{ApiError, ApiResult};
use crate::events::render::{REPLAY_ROWS, bounded_replay, widget_message_frame};
use crate::events::slots::Holder;
use crate::events::{Frames, LiveEvent};
use crate::ratelimit;
use crate::services::{attachments, live as live_svc, visitor_turn};
use crate::state::AppState;
use crate::views::attachments::AttachmentOut;
use crate::views::conversations::TypingIn;
use crate::views::messages::MessageOut;
use crate::views::widget::{
    CreateSession, IdentityIn, IdentityResult, MessageList, PostMessage, PostMessageOut,
    SessionOut, SetEmail, TicketBrief, WidgetConfig, WidgetLive,
};

pub const MAX_MESSAGE_CHARS: usize = 4000;
/// Messages a session answer carries (the latest ones).
const SESSION_MESSAGES: i64 = 200;
/// Messages one read (or replay) returns.
const PAGE_MESSAGES: i64 = 500;

/// What the HTTP request says about the visitor (headers, peer).
#[derive(Debug, Clone, Default)]
pub struct Client {
    /// The client's address as a rate-limit subject.
    pub ip: String,
    pub user_agent: Option<String>,
    pub cf_country: Option<String>,
    pub x_country: Option<String>,
    pub origin: Option<String>,
}

/// The visitor a widget request is authenticated as (from its visitor token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitorId {
    pub visitor_id: Uuid,
    pub workspace_id: Uuid,
    /// The visitor token's `exp` (its stream ends then).
    pub expires_at: i64,
}

fn clip(s: Option<&str>, max: usize) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.chars().take(max).collect())
}

fn visitor_seen(client: &Client, body: &CreateSession) -> VisitorSeen {
    let ua = client
        .user_agent
        .as_deref()
        .map(|s| s.chars().take(512).collect::<String>());
    let dev = ua.as_deref().map(device::parse_user_agent);
    VisitorSeen {
        country: device::country_from_headers(
            client.cf_country.as_deref(),
            client.x_country.as_deref(),
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
    seen: VisitorSeen,
) -> ApiResult<Visitor> {
    let known = token
        .and_then(|t| tokens::verify_visitor(&state.config, t).ok())
        .filter(|c| c.ws == ws.id)
        .map(|c| c.sub);
    // An erased visitor's browser starts afresh: nothing new is written into the erased
    // row, and the emptied conversation is not theirs any more.
    if let Some(id) = known
        && conversations::visitor(conn, ws.id, id)
            .await?
            .is_some_and(|v| v.erased_at.is_none())
    {
        return Ok(conversations::update_visitor(conn, ws.id, id, &seen).await?);
    }
    new_visitor(conn, ws, seen).await
}

async fn new_visitor(conn: &mut Conn, ws: &Workspace, seen: VisitorSeen) -> ApiResult<Visitor> {
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

/// The session's visitor when the host page identified its user. A right hash: that
/// user's one visitor (found by their id, so the history follows them across devices), or
/// this browser's anonymous visitor becoming them (the chat they had before logging in
/// continues), or a new one when this browser's visitor is another user. A refused claim
/// is logged and the session goes on as if there had been none.
async fn identified_visitor(
    conn: &mut Conn,
    state: &AppState,
    ws: &Workspace,
    body: &CreateSession,
    claim: &IdentityIn,
    seen: VisitorSeen,
) -> ApiResult<(Visitor, IdentityResult)> {
    let checked = identity::check(
        ws.identity_secret.as_deref(),
        &claim.user_id,
        claim.email.as_deref(),
        claim.name.as_deref(),
        &claim.hash,
    );
    let claim = match checked {
        Ok(c) => c,
        Err(refused) => {
            tracing::warn!(workspace = %ws.id, reason = refused.as_str(), "widget identify refused; the visitor stays anonymous");
            let v = resume_or_create_visitor(conn, state, ws, body.visitor_token.as_deref(), seen)
                .await?;
            let result = match refused {
                identity::Refused::NotEnabled => IdentityResult::NotEnabled,
                identity::Refused::Malformed => IdentityResult::Malformed,
                identity::Refused::BadHash => IdentityResult::BadHash,
            };
            return Ok((v, result));
        }
    };
    let (email, name) = (claim.email.as_deref(), claim.name.as_deref());
    let now = Utc::now();
    let known = conversations::visitor_by_external_id(conn, ws.id, &claim.user_id).await?;
    let visitor = match known {
        Some(v) => {
            conversations::update_visitor(conn, ws.id, v.id, &seen).await?;
            conversations::verify_visitor(conn, ws.id, v.id, &claim.user_id, email, name, now)
                .await?
        }
        None => {
            let token = body.visitor_token.as_deref();
            let here = resume_or_create_visitor(conn, state, ws, token, seen.clone()).await?;
            let here = if here.external_id.is_some() {
                // This browser's visitor is another user: this one starts their own.
                new_visitor(conn, ws, seen).await?
            } else {
                here
            };
            match conversations::verify_visitor(
                conn,
                ws.id,
                here.id,
                &claim.user_id,
                email,
                name,
                now,
            )
            .await
            {
                Ok(v) => v,
                // Another session of this user verified a visitor a moment ago: theirs.
                Err(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::UniqueViolation,
                    _,
                )) => conversations::visitor_by_external_id(conn, ws.id, &claim.user_id)
                    .await?
                    .ok_or_else(|| {
                        ApiError::internal(anyhow::anyhow!("verified visitor vanished"))
                    })?,
                Err(e) => return Err(e.into()),
            }
        }
    };
    Ok((visitor, IdentityResult::Verified))
}

async fn current_conversation(
    conn: &mut Conn,
    ws_id: Uuid,
    visitor_id: Uuid,
) -> ApiResult<Conversation> {
    let conv = match conversations::latest_conversation(conn, ws_id, visitor_id).await? {
        Some(c) => c,
        None => return Ok(conversations::insert_conversation(conn, ws_id, visitor_id).await?),
    };
    // Its ticket was merged: the conversation continues in the surviving ticket's (one
    // step: a merge re-points the conversations merged before, see db::merge).
    if let Some(into) = conv.merged_into_id
        && let Some(surviving) = conversations::conversation(conn, ws_id, into, false).await?
    {
        return Ok(surviving);
    }
    Ok(conv)
}

/// The visitor's workspace, visitor row and conversation; 401 when the visitor is gone.
async fn visitor_context(
    conn: &mut Conn,
    v: VisitorId,
) -> ApiResult<(Workspace, Visitor, Conversation)> {
    let visitor = conversations::visitor(conn, v.workspace_id, v.visitor_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized_msg("The visitor token is invalid."))?;
    let ws = workspaces::by_id(conn, v.workspace_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized_msg("The visitor token is invalid."))?;
    let conv = current_conversation(conn, v.workspace_id, v.visitor_id).await?;
    Ok((ws, visitor, conv))
}

fn widget_not_found() -> ApiError {
    ApiError::not_found("widget")
}

/// Starts or resumes a widget session.
pub async fn create_session(
    state: &AppState,
    client: &Client,
    body: &CreateSession,
) -> ApiResult<SessionOut> {
    let mut checks = vec![ratelimit::WIDGET_SESSIONS_PER_IP.on(&client.ip)];
    if let Some(claims) = body
        .visitor_token
        .as_deref()
        .and_then(|t| tokens::verify_visitor(&state.config, t).ok())
    {
        checks.push(ratelimit::WIDGET_SESSIONS_PER_VISITOR.on(claims.sub));
    }
    state.limiter.check(&checks).await?;
    let mut conn = db::conn(&state.pool).await?;
    let ws = workspaces::by_widget_key(&mut conn, body.widget_key.trim())
        .await?
        .ok_or_else(widget_not_found)?;
    check_widget_origin(
        &ws.allowed_origins,
        body.page_url.as_deref(),
        client.origin.as_deref(),
        &state.config.public_url,
    )?;
    let seen = visitor_seen(client, body);
    let (visitor, identity) = match &body.identity {
        None => (
            resume_or_create_visitor(&mut conn, state, &ws, body.visitor_token.as_deref(), seen)
                .await?,
            None,
        ),
        Some(claim) => {
            let (v, r) = identified_visitor(&mut conn, state, &ws, body, claim, seen).await?;
            (v, Some(r))
        }
    };
    let conv = current_conversation(&mut conn, ws.id, visitor.id).await?;
    let messages = conversations::messages(&mut conn, ws.id, conv.id, SESSION_MESSAGES).await?;
    let ticket = conversations::latest_ticket(&mut conn, ws.id, conv.id)
        .await?
        .filter(|(_, _, status)| *status != TicketStatus::Closed)
        .map(|(id, number, _)| TicketBrief {
            id,
            number: TicketNumber::new(number).to_string(),
        });
    let live = WidgetLive {
        agent_name: conv.taken_over_at.map(|_| {
            conv.taken_over_name
                .clone()
                .unwrap_or_else(|| domain_live::AGENT_FALLBACK_NAME.into())
        }),
        humans_online: live_svc::humans_online(&mut conn, ws.id).await?,
        visitor_email: visitor.email.clone(),
    };
    Ok(SessionOut {
        live,
        ticket,
        verified: visitor.verified_at.is_some(),
        identity,
        visitor_token: tokens::issue_visitor(&state.config, visitor.id, ws.id)?,
        visitor_id: visitor.id,
        conversation_id: conv.id,
        messages: messages.into_iter().map(MessageOut::from).collect(),
        unread_count: conv.visitor_unread_count,
        language: locale::widget_language(visitor.locale.as_deref(), ws.default_lang()),
        config: WidgetConfig::from(&ws),
    })
}

/// Public widget settings (launcher colour, greeting) by widget key.
pub async fn config(state: &AppState, widget_key: &str) -> ApiResult<WidgetConfig> {
    let mut conn = db::conn(&state.pool).await?;
    let ws = workspaces::by_widget_key(&mut conn, widget_key.trim())
        .await?
        .ok_or_else(widget_not_found)?;
    Ok(WidgetConfig::from(&ws))
}

/// The origins allowed to embed the widget of `widget_key` (`None`: no such widget).
pub async fn allowed_origins(state: &AppState, widget_key: &str) -> ApiResult<Option<Vec<String>>> {
    let mut conn = db::conn(&state.pool).await?;
    Ok(workspaces::allowed_origins(&mut conn, None, Some(widget_key)).await?)
}

/// The visitor's conversation, optionally only the messages after a given one.
pub async fn messages(
    state: &AppState,
    v: VisitorId,
    after: Option<Uuid>,
) -> ApiResult<MessageList> {
    let mut conn = db::conn(&state.pool).await?;
    let (ws, _, conv) = visitor_context(&mut conn, v).await?;
    let after = match after {
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
    let items =
        conversations::messages_after(&mut conn, ws.id, conv.id, after, PAGE_MESSAGES).await?;
    Ok(MessageList {
        items: items.into_iter().map(MessageOut::from).collect(),
    })
}

/// The longest `Idempotency-Key` accepted.
pub const MAX_IDEMPOTENCY_KEY: usize = 255;

/// An `Idempotency-Key` as sent: 1 to 255 visible ASCII characters (a UUID fits).
fn idempotency_key(raw: &str) -> ApiResult<String> {
    let key = raw.trim();
    if key.is_empty()
        || key.len() > MAX_IDEMPOTENCY_KEY
        || !key.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(ApiError::validation(
            "Idempotency-Key",
            format!("must be 1 to {MAX_IDEMPOTENCY_KEY} visible ASCII characters"),
        ));
    }
    Ok(key.to_string())
}

/// What `POST /widget/messages` answers: this request's turn, or (a retry with the same
/// `Idempotency-Key`) the answer the first request got.
pub enum MessageAnswer {
    New(PostMessageOut),
    Again(serde_json::Value),
}

/// A visitor's message; the assistant answers in the same call. With `key`
/// (`Idempotency-Key`), a retry returns the first answer and stores nothing twice
/// (`services::visitor_turn`).
pub async fn post_message(
    state: &AppState,
    client: &Client,
    v: VisitorId,
    body: &PostMessage,
    key: Option<&str>,
) -> ApiResult<MessageAnswer> {
    let files = attachments::requested(&body.attachment_ids)?;
    let text = body.body.trim();
    if text.is_empty() && files.is_empty() {
        return Err(ApiError::validation("body", "must not be empty"));
    }
    if text.chars().count() > MAX_MESSAGE_CHARS {
        return Err(ApiError::validation(
            "body",
            format!("must be at most {MAX_MESSAGE_CHARS} characters"),
        ));
    }
    let key = key
        .map(idempotency_key)
        .transpose()?
        .map(|key| visitor_turn::MessageKey {
            key,
            // The files are part of the message: the same key with other files is reuse.
            body_sha256: if files.is_empty() {
                tokens::sha256_hex(text)
            } else {
                let ids: Vec<String> = files.iter().map(Uuid::to_string).collect();
                tokens::sha256_hex(&format!("{text}\n{}", ids.join(",")))
            },
        });
    state
        .limiter
        .check(&[
            ratelimit::WIDGET_MESSAGES_PER_VISITOR.on(v.visitor_id),
            ratelimit::WIDGET_MESSAGES_PER_VISITOR_DAY.on(v.visitor_id),
            ratelimit::WIDGET_MESSAGES_PER_IP.on(&client.ip),
        ])
        .await?;

    let mut conn = db::conn(&state.pool).await?;
    let (ws, mut visitor, conv) = visitor_context(&mut conn, v).await?;
    if let Some(page) = clip(body.page_url.as_deref(), 2000) {
        let seen = VisitorSeen {
            page_url: Some(page),
            last_seen_at: Some(Utc::now()),
            ..Default::default()
        };
        visitor = conversations::update_visitor(&mut conn, ws.id, visitor.id, &seen).await?;
    }
    drop(conn);
    let posted = visitor_turn::handle_visitor_message(
        state,
        &ws,
        &visitor,
        &conv,
        text,
        &files,
        key.as_ref(),
    )
    .await?;
    Ok(match posted {
        visitor_turn::Posted::Answered(result) => {
            MessageAnswer::New(visitor_turn::answer_out(&result.messages, result.ticket))
        }
        visitor_turn::Posted::Again(response) => MessageAnswer::Again(response),
    })
}

/// A file the visitor attaches (sent with their next message's `attachment_ids`).
pub async fn upload(
    state: &AppState,
    client: &Client,
    v: VisitorId,
    file: attachments::Upload,
) -> ApiResult<AttachmentOut> {
    state
        .limiter
        .check(&[
            ratelimit::WIDGET_UPLOADS_PER_VISITOR.on(v.visitor_id),
            ratelimit::WIDGET_UPLOADS_PER_IP.on(&client.ip),
        ])
        .await?;
    let mut conn = db::conn(&state.pool).await?;
    let (ws, visitor, _) = visitor_context(&mut conn, v).await?;
    drop(conn);
    attachments::upload_as_visitor(state, ws.id, visitor.id, file).await
}

/// The visitor leaves their email so the team can reply by email (when nobody is online
/// to answer in the chat). It is the visitor's own address: set or changed by them; a
/// ticket keeps the email it was created with.
pub async fn set_email(state: &AppState, v: VisitorId, body: &SetEmail) -> ApiResult<()> {
    let email = crate::domain::email::Email::parse(&body.email)
        .map_err(|e| ApiError::validation("email", e.to_string()))?;
    let mut conn = db::conn(&state.pool).await?;
    let (ws, visitor, _) = visitor_context(&mut conn, v).await?;
    conversations::set_visitor_email(&mut conn, ws.id, visitor.id, email.as_str()).await?;
    Ok(())
}

/// The visitor is typing (or stopped): an ephemeral event for the dashboard.
pub async fn typing(state: &AppState, v: VisitorId, body: &TypingIn) -> ApiResult<()> {
    let mut conn = db::conn(&state.pool).await?;
    let (ws, _, conv) = visitor_context(&mut conn, v).await?;
    drop(conn);
    live_svc::visitor_typing(state, ws.id, conv.id, v.visitor_id, body).await
}

/// The visitor has seen the conversation up to a message: clears the unread count.
pub async fn mark_read(state: &AppState, v: VisitorId, up_to: Uuid) -> ApiResult<()> {
    let mut conn = db::conn(&state.pool).await?;
    let (ws, _, conv) = visitor_context(&mut conn, v).await?;
    conversations::message(&mut conn, ws.id, conv.id, up_to)
        .await?
        .ok_or_else(|| ApiError::validation("up_to", "is not a message of this conversation"))?;
    conversations::mark_read(&mut conn, ws.id, conv.id).await?;
    Ok(())
}

/// The frames of the visitor's live stream: the messages missed since `last_seen` (a
/// message id) first (more than `REPLAY_ROWS`: one `resync` event instead, and the widget
/// reloads the conversation), then live `message.created` of their conversation (and
/// `message.delta` while a streaming engine writes a reply). It ends when the stream falls
/// behind or an event of the conversation can't be rendered; the
/// widget then reconnects with `Last-Event-ID`. The stream counts against the stream caps
/// (`events::slots`).
pub async fn event_frames(
    state: &AppState,
    client: &Client,
    v: VisitorId,
    last_seen: Option<Uuid>,
    ends_at: chrono::DateTime<chrono::Utc>,
) -> ApiResult<impl Stream<Item = actix_web::web::Bytes> + use<>> {
    // Subscribe before reading what was missed, so nothing falls in between.
    let live = state.events.subscribe();
    let mut conn = db::conn(&state.pool).await?;
    let (ws, _, conv) = visitor_context(&mut conn, v).await?;
    let slot = state
        .streams
        .acquire(&mut conn, Holder::Visitor(v.visitor_id), &client.ip)
        .await?;
    let (ws_id, conv_id) = (ws.id, conv.id);
    // The widget is open: the visitor is online while this stream is.
    let presence = live_svc::visitor_online(state, ws_id, conv_id, v.visitor_id).await?;
    let mut missed: Vec<Message> = Vec::new();
    if let Some(id) = last_seen
        && let Some(m) = conversations::message(&mut conn, ws_id, conv_id, id).await?
    {
        // One more than the replay holds, to tell when it's too many.
        missed = conversations::messages_after(
            &mut conn,
            ws_id,
            conv_id,
            Some((m.created_at, m.id)),
            REPLAY_ROWS as i64 + 1,
        )
        .await?;
    }
    let frames: Vec<_> = missed
        .iter()
        .filter_map(|m| widget_message_frame(&MessageOut::from(m.clone())))
        .collect();
    let mut replayed: HashSet<Uuid> = missed.iter().map(|m| m.id).collect();
    let replay = if missed.len() > REPLAY_ROWS {
        // Too many: one `resync` (resuming after the newest message) and the widget reloads
        // the conversation. Live messages after that one still come.
        let newest = conversations::messages(&mut conn, ws_id, conv_id, 1).await?;
        replayed = newest.iter().map(|m| m.id).collect();
        bounded_replay(frames, newest.first().map(|m| m.id.to_string()))
    } else {
        bounded_replay(frames, missed.last().map(|m| m.id.to_string()))
    };
    drop(missed);
    drop(conn);
    let replay = futures_util::stream::iter(replay);
    let live = live
        .take_while(move |ev: &Arc<LiveEvent>| {
            std::future::ready(!ev.ends_conversation_stream(ws_id, conv_id))
        })
        .filter_map(move |ev| {
            let ours = ev.workspace_id == ws_id && ev.conversation_id == Some(conv_id);
            let frame = match &ev.frames {
                Frames::Message { widget, .. }
                    if ours && ev.message_id.is_some_and(|id| !replayed.contains(&id)) =>
                {
                    Some(widget.clone())
                }
                Frames::Live {
                    widget: Some(widget),
                    ..
                } if ours => Some(widget.clone()),
                Frames::Delta { widget } if ours => Some(widget.clone()),
                _ => None,
            };
            std::future::ready(frame)
        });
    Ok(presence.hold(slot.hold(crate::events::sse::until(replay.chain(live), ends_at))))
}
