//! The dashboard's conversation list: a page by last activity (keyset), then the last
//! message and the newest ticket of the page's conversations in one query each (no N+1).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{Conversation, Message, Visitor};
use crate::db::schema::{conversations, messages, tickets, visitors};
use crate::domain::enums::TicketStatus;
use crate::domain::live::ConversationFilter;

/// What the list shows: every conversation, or those of a live state, optionally only the
/// ones whose visitor is online at `online_at`. Each filter has its partial index in the
/// list's order (`conversations_waiting_idx`, `conversations_taken_over_idx`); `online`
/// reads the online ones from `conversations_online_idx` (as many as visitors have the
/// widget open at once) and orders those.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter {
    pub status: Option<ConversationFilter>,
    pub online_at: Option<DateTime<Utc>>,
}

pub async fn page(
    conn: &mut Conn,
    workspace_id: Uuid,
    filter: Filter,
    before: Option<(DateTime<Utc>, Uuid)>,
    fetch: i64,
) -> QueryResult<Vec<(Conversation, Visitor)>> {
    let mut q = conversations::table
        .inner_join(visitors::table)
        .filter(conversations::workspace_id.eq(workspace_id))
        // A merged ticket's emptied conversation lives on in the surviving one (few rows:
        // filtered on the walk, no index needed).
        .filter(conversations::merged_into_id.is_null())
        .select((Conversation::as_select(), Visitor::as_select()))
        .into_boxed();
    q = match filter.status {
        None => q,
        Some(ConversationFilter::Waiting) => q.filter(conversations::waiting_since.is_not_null()),
        Some(ConversationFilter::TakenOver) => q.filter(conversations::taken_over_at.is_not_null()),
        Some(ConversationFilter::Assistant) => q.filter(conversations::taken_over_at.is_null()),
    };
    if let Some(at) = filter.online_at {
        q = q.filter(conversations::visitor_online_until.gt(at));
    }
    if let Some((ts, id)) = before {
        q = q.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "(conversations.last_message_at, conversations.id) < (",
            )
            .bind::<diesel::sql_types::Timestamptz, _>(ts)
            .sql(", ")
            .bind::<diesel::sql_types::Uuid, _>(id)
            .sql(")"),
        );
    }
    q.order((
        conversations::last_message_at.desc(),
        conversations::id.desc(),
    ))
    .limit(fetch)
    .load(conn)
    .await
}

/// The last message of each conversation.
pub async fn last_messages(
    conn: &mut Conn,
    workspace_id: Uuid,
    ids: &[Uuid],
) -> QueryResult<Vec<Message>> {
    messages::table
        .filter(messages::workspace_id.eq(workspace_id))
        .filter(messages::conversation_id.eq_any(ids))
        .distinct_on(messages::conversation_id)
        .order((
            messages::conversation_id,
            messages::created_at.desc(),
            messages::id.desc(),
        ))
        .select(Message::as_select())
        .load(conn)
        .await
}

/// `(conversation_id, ticket id, number, status)` of each conversation's newest ticket.
pub async fn latest_tickets(
    conn: &mut Conn,
    workspace_id: Uuid,
    ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, Uuid, i64, TicketStatus)>> {
    tickets::table
        .filter(tickets::workspace_id.eq(workspace_id))
        .filter(tickets::conversation_id.eq_any(ids))
        .distinct_on(tickets::conversation_id)
        .order((tickets::conversation_id, tickets::created_at.desc()))
        .select((
            tickets::conversation_id,
            tickets::id,
            tickets::number,
            tickets::status,
        ))
        .load(conn)
        .await
}
