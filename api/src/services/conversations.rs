//! The dashboard's conversations: every visitor chat by last activity (keyset), and one
//! conversation with its visitor, messages and ticket.

use std::collections::HashMap;

use chrono::Utc;
use uuid::Uuid;

use crate::db::{conversations, inbox, reads, tickets as ticket_store};
use crate::domain::access::Principal;
use crate::domain::live::ConversationFilter;
use crate::domain::page::{Page, PageRequest};
use crate::domain::ticket_number::TicketNumber;
use crate::error::{ApiError, ApiResult};
use crate::services::access::access;
use crate::state::AppState;
use crate::views::conversations::{
    ConversationDetail, ConversationList, ConversationListQuery, ConversationOut,
    ConversationSummary, LiveState, TicketRef,
};
use crate::views::messages::MessageOut;
use crate::views::tickets::TicketOut;

const CURSOR_TAG: &str = "conversations";

/// Conversations by last activity, newest first, with visitor, last message and ticket
/// (four statements per page, whatever its length; the caller's unread counts bounded).
pub async fn list(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    q: &ConversationListQuery,
) -> ApiResult<ConversationList> {
    let status = match q.status.as_deref().map(str::trim) {
        None | Some("") | Some("all") => None,
        Some(s) => Some(ConversationFilter::parse(s).ok_or_else(|| {
            ApiError::validation("status", "must be waiting, taken_over, assistant or all")
        })?),
    };
    let now = Utc::now();
    let filter = inbox::Filter {
        status,
        online_at: q.online.filter(|o| *o).map(|_| now),
    };
    // Every filter keeps the list's order, so one cursor codec serves them all.
    let page = PageRequest::parse(q.limit, q.cursor.as_deref(), CURSOR_TAG)?;
    let (mut conn, access) = access(state, principal, ws).await?;
    let ws = access.workspace_id;
    let rows = inbox::page(&mut conn, ws, filter, page.after_key(), page.fetch()).await?;
    let rows = Page::from_rows(rows, &page, CURSOR_TAG, |(c, _)| (c.last_message_at, c.id));
    let idle = state.config.takeover_idle_minutes;
    let ids: Vec<Uuid> = rows.items.iter().map(|(c, _)| c.id).collect();
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
    let mut unread: HashMap<Uuid, i64> = match access.user_id {
        Some(user) => reads::conversation_unread(&mut conn, ws, user, &ids)
            .await?
            .into_iter()
            .collect(),
        None => HashMap::new(),
    };
    let Page { items, next_cursor } = rows.map(|(c, v)| ConversationSummary {
        unread_count: unread.remove(&c.id),
        live: LiveState::of(&c, idle, now),
        id: c.id,
        visitor: v.into(),
        last_message: last.remove(&c.id),
        ticket: tickets.remove(&c.id),
        visitor_unread_count: c.visitor_unread_count,
        created_at: c.created_at,
        last_message_at: c.last_message_at,
    });
    Ok(ConversationList { items, next_cursor })
}

/// One conversation: its visitor, all messages in order, and its newest ticket.
pub async fn detail(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    id: Uuid,
) -> ApiResult<ConversationDetail> {
    let (mut conn, access) = access(state, principal, ws).await?;
    let ws = access.workspace_id;
    let conversation = conversations::conversation(&mut conn, ws, id, false)
        .await?
        .ok_or_else(|| ApiError::not_found("conversation"))?;
    let visitor = conversations::visitor(&mut conn, ws, conversation.visitor_id)
        .await?
        .ok_or_else(|| ApiError::not_found("visitor"))?;
    let messages = ticket_store::messages_of(&mut conn, ws, id).await?;
    let mut ticket: Vec<TicketOut> = ticket_store::ticket_of_conversation(&mut conn, ws, id)
        .await?
        .map(TicketOut::from)
        .into_iter()
        .collect();
    crate::services::tags::fill(&mut conn, ws, &mut ticket).await?;
    let notes = crate::db::notes::of_conversation(&mut conn, ws, id).await?;
    let unread_mentions = match access.user_id {
        Some(user) => Some(crate::db::notes::unread(&mut conn, ws, user, Some(id)).await?),
        None => None,
    };
    Ok(ConversationDetail {
        conversation: ConversationOut::of(
            conversation,
            state.config.takeover_idle_minutes,
            Utc::now(),
        ),
        visitor: visitor.into(),
        messages: messages.into_iter().map(MessageOut::from).collect(),
        ticket: ticket.pop(),
        notes: notes.into_iter().map(Into::into).collect(),
        unread_mentions,
    })
}
