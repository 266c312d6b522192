//! Conversations for the dashboard: all visitor chats by last activity (keyset), and one
//! conversation with its visitor, messages and ticket.

use std::collections::HashMap;

use actix_web::{get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use diesel::OptionalExtension;

use crate::app::AppState;
use crate::auth::{self, Principal};
use crate::db::enums::TicketStatus;
use crate::db::models::Conversation;
use crate::db::{self, inbox, tickets as store};
use crate::domain::cursor::Cursor;
use crate::domain::message::MessageOut;
use crate::domain::ticket_number::TicketNumber;
use crate::domain::tickets::{TicketOut, VisitorOut};
use crate::error::{ApiError, ApiResult, ErrorBody};

const CURSOR_TAG: &str = "conversations";

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_conversations).service(get_conversation);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketRef {
    pub id: Uuid,
    /// `TKT-10001`
    pub number: String,
    pub status: TicketStatus,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationOut {
    pub id: Uuid,
    pub visitor_id: Uuid,
    /// Agent messages the visitor has not seen yet.
    pub visitor_unread_count: i32,
    pub created_at: DateTime<Utc>,
    pub last_message_at: DateTime<Utc>,
}

impl From<Conversation> for ConversationOut {
    fn from(c: Conversation) -> Self {
        ConversationOut {
            id: c.id,
            visitor_id: c.visitor_id,
            visitor_unread_count: c.visitor_unread_count,
            created_at: c.created_at,
            last_message_at: c.last_message_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationSummary {
    pub id: Uuid,
    pub visitor: VisitorOut,
    pub last_message: Option<MessageOut>,
    pub ticket: Option<TicketRef>,
    pub visitor_unread_count: i32,
    pub created_at: DateTime<Utc>,
    pub last_message_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationList {
    pub items: Vec<ConversationSummary>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationDetail {
    pub conversation: ConversationOut,
    pub visitor: VisitorOut,
    pub messages: Vec<MessageOut>,
    pub ticket: Option<TicketOut>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ConversationListQuery {
    pub cursor: Option<String>,
    /// 1..100, default 25
    pub limit: Option<i64>,
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
    let limit = q.limit.unwrap_or(25);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::validation("limit", "must be between 1 and 100"));
    }
    let before = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(raw) => {
            let c = Cursor::decode(raw, CURSOR_TAG)
                .map_err(|e| ApiError::validation("cursor", e.to_string()))?;
            Some((c.ts, c.id))
        }
        None => None,
    };
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, path.into_inner()).await?;
    let ws = access.workspace_id;
    let mut rows = inbox::page(&mut conn, ws, before, limit + 1).await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last()
            .map(|(c, _)| Cursor::new(c.last_message_at, c.id).encode(CURSOR_TAG))
    } else {
        None
    };
    let ids: Vec<Uuid> = rows.iter().map(|(c, _)| c.id).collect();
    let mut last: HashMap<Uuid, MessageOut> = inbox::last_messages(&mut conn, ws, &ids)
        .await?
        .into_iter()
        .map(|m| (m.conversation_id, MessageOut::from(m)))
        .collect();
    let mut tickets: HashMap<Uuid, TicketRef> = inbox::latest_tickets(&mut conn, ws, &ids)
        .await?
        .into_iter()
        .map(|(cid, id, number, status)| {
            (
                cid,
                TicketRef {
                    id,
                    number: TicketNumber::new(number).to_string(),
                    status,
                },
            )
        })
        .collect();
    let items = rows
        .into_iter()
        .map(|(c, v)| ConversationSummary {
            id: c.id,
            visitor: v.into(),
            last_message: last.remove(&c.id),
            ticket: tickets.remove(&c.id),
            visitor_unread_count: c.visitor_unread_count,
            created_at: c.created_at,
            last_message_at: c.last_message_at,
        })
        .collect();
    Ok(web::Json(ConversationList { items, next_cursor }))
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
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, ws).await?;
    let ws = access.workspace_id;
    let conversation = crate::db::conversations::conversation(&mut conn, ws, id)
        .await
        .optional()?
        .ok_or_else(|| ApiError::not_found("conversation"))?;
    let visitor = crate::db::conversations::visitor(&mut conn, ws, conversation.visitor_id)
        .await?
        .ok_or_else(|| ApiError::not_found("visitor"))?;
    let messages = store::messages_of(&mut conn, ws, id).await?;
    let ticket = store::ticket_of_conversation(&mut conn, ws, id).await?;
    Ok(web::Json(ConversationDetail {
        conversation: conversation.into(),
        visitor: visitor.into(),
        messages: messages.into_iter().map(MessageOut::from).collect(),
        ticket: ticket.map(TicketOut::from),
    }))
}
