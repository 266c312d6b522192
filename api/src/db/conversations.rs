//! Widget storage: visitors, their conversations and messages. Every query filters by
//! `workspace_id`; functions take `&mut Conn` so the caller decides the transaction.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{Conversation, Message, NewConversation, NewVisitor, Visitor};
use crate::db::schema::{conversations, messages, tickets, visitors};
use crate::domain::enums::{Sender, TicketStatus};

pub async fn visitor(
    conn: &mut Conn,
    workspace_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<Visitor>> {
    visitors::table
        .filter(visitors::workspace_id.eq(workspace_id))
        .filter(visitors::id.eq(id))
        .select(Visitor::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn insert_visitor(conn: &mut Conn, v: NewVisitor) -> QueryResult<Visitor> {
    diesel::insert_into(visitors::table)
        .values(v)
        .returning(Visitor::as_returning())
        .get_result(conn)
        .await
}

/// What the widget tells us about the visitor on each session; `None` keeps the value.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = visitors)]
pub struct VisitorSeen {
    pub country: Option<String>,
    pub browser: Option<String>,
    pub os: Option<String>,
    pub device_kind: Option<String>,
    pub user_agent: Option<String>,
    pub page_url: Option<String>,
    pub referrer: Option<String>,
    pub locale: Option<String>,
    pub last_seen_at: Option<DateTime<Utc>>,
}

pub async fn update_visitor(
    conn: &mut Conn,
    workspace_id: Uuid,
    id: Uuid,
    seen: &VisitorSeen,
) -> QueryResult<Visitor> {
    diesel::update(
        visitors::table
            .filter(visitors::workspace_id.eq(workspace_id))
            .filter(visitors::id.eq(id)),
    )
    .set(seen)
    .returning(Visitor::as_returning())
    .get_result(conn)
    .await
}

/// The verified visitor of a host's user id (index `visitors_workspace_external_id_key`).
pub async fn visitor_by_external_id(
    conn: &mut Conn,
    workspace_id: Uuid,
    external_id: &str,
) -> QueryResult<Option<Visitor>> {
    visitors::table
        .filter(visitors::workspace_id.eq(workspace_id))
        .filter(visitors::external_id.eq(external_id))
        .select(Visitor::as_select())
        .first(conn)
        .await
        .optional()
}

/// Makes a visitor the verified one of `external_id`: the email and name the host gave
/// replace what the visitor typed (`None` keeps the value). Fails with a unique violation
/// when another visitor already is that user (the caller looked first).
pub async fn verify_visitor(
    conn: &mut Conn,
    workspace_id: Uuid,
    id: Uuid,
    external_id: &str,
    email: Option<&str>,
    name: Option<&str>,
    now: DateTime<Utc>,
) -> QueryResult<Visitor> {
    diesel::update(
        visitors::table
            .filter(visitors::workspace_id.eq(workspace_id))
            .filter(visitors::id.eq(id)),
    )
    .set((
        visitors::external_id.eq(external_id),
        visitors::verified_at.eq(now),
        email.map(|e| visitors::email.eq(e)),
        name.map(|n| visitors::name.eq(n)),
        visitors::updated_at.eq(now),
    ))
    .returning(Visitor::as_returning())
    .get_result(conn)
    .await
}

pub async fn set_visitor_email(
    conn: &mut Conn,
    workspace_id: Uuid,
    id: Uuid,
    email: &str,
) -> QueryResult<usize> {
    diesel::update(
        visitors::table
            .filter(visitors::workspace_id.eq(workspace_id))
            .filter(visitors::id.eq(id)),
    )
    .set(visitors::email.eq(email))
    .execute(conn)
    .await
}

/// The visitor's current (latest) conversation.
pub async fn latest_conversation(
    conn: &mut Conn,
    workspace_id: Uuid,
    visitor_id: Uuid,
) -> QueryResult<Option<Conversation>> {
    conversations::table
        .filter(conversations::workspace_id.eq(workspace_id))
        .filter(conversations::visitor_id.eq(visitor_id))
        .order((conversations::created_at.desc(), conversations::id.desc()))
        .select(Conversation::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn insert_conversation(
    conn: &mut Conn,
    workspace_id: Uuid,
    visitor_id: Uuid,
) -> QueryResult<Conversation> {
    diesel::insert_into(conversations::table)
        .values(NewConversation {
            id: Uuid::now_v7(),
            workspace_id,
            visitor_id,
        })
        .returning(Conversation::as_returning())
        .get_result(conn)
        .await
}

/// The conversation; `for_update` locks its row until the transaction ends (one visitor
/// message is handled at a time per conversation, and ticket creation is serialised).
pub async fn conversation(
    conn: &mut Conn,
    workspace_id: Uuid,
    id: Uuid,
    for_update: bool,
) -> QueryResult<Option<Conversation>> {
    let q = conversations::table
        .filter(conversations::workspace_id.eq(workspace_id))
        .filter(conversations::id.eq(id))
        .select(Conversation::as_select());
    if for_update {
        q.for_update().first(conn).await.optional()
    } else {
        q.first(conn).await.optional()
    }
}

/// The conversation's flow state, and its language when the visitor's message had one.
pub async fn save_flow(
    conn: &mut Conn,
    workspace_id: Uuid,
    id: Uuid,
    flow: &serde_json::Value,
    language: Option<&str>,
) -> QueryResult<usize> {
    let target = conversations::table
        .filter(conversations::workspace_id.eq(workspace_id))
        .filter(conversations::id.eq(id));
    match language {
        Some(code) => {
            diesel::update(target)
                .set((
                    conversations::flow.eq(flow),
                    conversations::language.eq(code),
                ))
                .execute(conn)
                .await
        }
        None => {
            diesel::update(target)
                .set(conversations::flow.eq(flow))
                .execute(conn)
                .await
        }
    }
}

/// A visitor message's detected language (the conversation takes it with `save_flow`).
pub async fn set_message_language(
    conn: &mut Conn,
    workspace_id: Uuid,
    conversation_id: Uuid,
    message_id: Uuid,
    language: &str,
) -> QueryResult<usize> {
    diesel::update(
        messages::table
            .filter(messages::workspace_id.eq(workspace_id))
            .filter(messages::conversation_id.eq(conversation_id))
            .filter(messages::id.eq(message_id)),
    )
    .set(messages::language.eq(language))
    .execute(conn)
    .await
}

pub async fn mark_read(conn: &mut Conn, workspace_id: Uuid, id: Uuid) -> QueryResult<usize> {
    diesel::update(
        conversations::table
            .filter(conversations::workspace_id.eq(workspace_id))
            .filter(conversations::id.eq(id)),
    )
    .set((
        conversations::visitor_unread_count.eq(0),
        conversations::visitor_last_read_at.eq(Utc::now()),
    ))
    .execute(conn)
    .await
}

#[derive(Debug, Insertable)]
#[diesel(table_name = messages)]
struct NewMessageAt<'a> {
    id: Uuid,
    workspace_id: Uuid,
    conversation_id: Uuid,
    sender: Sender,
    author_name: Option<&'a str>,
    body: &'a str,
    action: Option<serde_json::Value>,
    sources: Option<serde_json::Value>,
    created_at: DateTime<Utc>,
}

/// Appends a message (time-ordered id and the clock's timestamp, so that several
/// messages written in one transaction keep their order) and bumps the conversation's
/// last activity.
#[allow(clippy::too_many_arguments)]
pub async fn append_message(
    conn: &mut Conn,
    workspace_id: Uuid,
    conversation_id: Uuid,
    sender: Sender,
    author_name: Option<&str>,
    body: &str,
    action: Option<serde_json::Value>,
    sources: Option<serde_json::Value>,
) -> QueryResult<Message> {
    append_message_as(
        conn,
        Uuid::now_v7(),
        workspace_id,
        conversation_id,
        sender,
        author_name,
        body,
        action,
        sources,
    )
    .await
}

/// `append_message` with the id chosen beforehand (a streamed reply: its deltas carried
/// the id).
#[allow(clippy::too_many_arguments)]
pub async fn append_message_as(
    conn: &mut Conn,
    id: Uuid,
    workspace_id: Uuid,
    conversation_id: Uuid,
    sender: Sender,
    author_name: Option<&str>,
    body: &str,
    action: Option<serde_json::Value>,
    sources: Option<serde_json::Value>,
) -> QueryResult<Message> {
    let now = Utc::now();
    let m: Message = diesel::insert_into(messages::table)
        .values(NewMessageAt {
            id,
            workspace_id,
            conversation_id,
            sender,
            author_name,
            body,
            action,
            sources,
            created_at: now,
        })
        .returning(Message::as_returning())
        .get_result(conn)
        .await?;
    diesel::update(
        conversations::table
            .filter(conversations::workspace_id.eq(workspace_id))
            .filter(conversations::id.eq(conversation_id)),
    )
    .set(conversations::last_message_at.eq(now))
    .execute(conn)
    .await?;
    Ok(m)
}

/// The conversation's messages in order; the last `limit` of them.
pub async fn messages(
    conn: &mut Conn,
    workspace_id: Uuid,
    conversation_id: Uuid,
    limit: i64,
) -> QueryResult<Vec<Message>> {
    let mut rows: Vec<Message> = messages::table
        .filter(messages::workspace_id.eq(workspace_id))
        .filter(messages::conversation_id.eq(conversation_id))
        .order((messages::created_at.desc(), messages::id.desc()))
        .limit(limit)
        .select(Message::as_select())
        .load(conn)
        .await?;
    rows.reverse();
    Ok(rows)
}

/// Messages after the given one (by `(created_at, id)`), in order.
pub async fn messages_after(
    conn: &mut Conn,
    workspace_id: Uuid,
    conversation_id: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<Message>> {
    let mut q = messages::table
        .filter(messages::workspace_id.eq(workspace_id))
        .filter(messages::conversation_id.eq(conversation_id))
        .order((messages::created_at.asc(), messages::id.asc()))
        .limit(limit)
        .select(Message::as_select())
        .into_boxed();
    if let Some((at, id)) = after {
        q = q.filter(
            messages::created_at
                .gt(at)
                .or(messages::created_at.eq(at).and(messages::id.gt(id))),
        );
    }
    q.load(conn).await
}

pub async fn message(
    conn: &mut Conn,
    workspace_id: Uuid,
    conversation_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<Message>> {
    messages::table
        .filter(messages::workspace_id.eq(workspace_id))
        .filter(messages::conversation_id.eq(conversation_id))
        .filter(messages::id.eq(id))
        .select(Message::as_select())
        .first(conn)
        .await
        .optional()
}

/// The conversation's latest ticket: `(id, number, status)`.
pub async fn latest_ticket(
    conn: &mut Conn,
    workspace_id: Uuid,
    conversation_id: Uuid,
) -> QueryResult<Option<(Uuid, i64, TicketStatus)>> {
    tickets::table
        .filter(tickets::workspace_id.eq(workspace_id))
        .filter(tickets::conversation_id.eq(conversation_id))
        .order((tickets::created_at.desc(), tickets::id.desc()))
        .select((tickets::id, tickets::number, tickets::status))
        .first(conn)
        .await
        .optional()
}

/// Deletes up to `batch` visitors last seen before `cutoff` whose conversations hold no
/// message and no ticket (widget sessions that never said anything), with those empty
/// conversations. Served by `visitors_last_seen_idx`, `conversations_visitor_idx`,
/// `messages_conversation_order_idx` and `tickets_conversation_idx`.
pub async fn purge_empty_visitors(
    conn: &mut Conn,
    cutoff: chrono::DateTime<chrono::Utc>,
    batch: i64,
) -> QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM visitors WHERE id IN (
             SELECT v.id FROM visitors v
             WHERE v.last_seen_at < $1
               AND NOT EXISTS (
                   SELECT 1 FROM conversations c
                   WHERE c.workspace_id = v.workspace_id AND c.visitor_id = v.id
                     AND (EXISTS (SELECT 1 FROM messages m
                                  WHERE m.workspace_id = c.workspace_id AND m.conversation_id = c.id)
                       OR EXISTS (SELECT 1 FROM tickets t
                                  WHERE t.workspace_id = c.workspace_id AND t.conversation_id = c.id)))
             ORDER BY v.last_seen_at LIMIT $2)",
    )
    .bind::<diesel::sql_types::Timestamptz, _>(cutoff)
    .bind::<diesel::sql_types::BigInt, _>(batch)
    .execute(conn)
    .await
}
