//! A visitor's data, read for an export and removed for an erasure or by the retention
//! policy. Every statement is bounded by the workspace and served by an index on it.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{Attachment, Conversation, Message, Note, Ticket, TicketEvent};
use crate::db::schema::{
    attachments, conversation_reads, conversations, inbound_emails, messages, notes,
    stream_tickets, ticket_events, tickets, visitors, workspaces,
};

/// The visitor's conversations, oldest first.
pub async fn conversations_of(
    conn: &mut Conn,
    ws: Uuid,
    visitor: Uuid,
) -> QueryResult<Vec<Conversation>> {
    conversations::table
        .filter(conversations::workspace_id.eq(ws))
        .filter(conversations::visitor_id.eq(visitor))
        .order((conversations::created_at.asc(), conversations::id.asc()))
        .select(Conversation::as_select())
        .load(conn)
        .await
}

/// The visitor's tickets, oldest first.
pub async fn tickets_of(conn: &mut Conn, ws: Uuid, visitor: Uuid) -> QueryResult<Vec<Ticket>> {
    tickets::table
        .filter(tickets::workspace_id.eq(ws))
        .filter(tickets::visitor_id.eq(visitor))
        .order((tickets::created_at.asc(), tickets::id.asc()))
        .select(Ticket::as_select())
        .load(conn)
        .await
}

/// The ids of every ticket of these conversations.
pub async fn tickets_in(conn: &mut Conn, ws: Uuid, convs: &[Uuid]) -> QueryResult<Vec<Uuid>> {
    tickets::table
        .filter(tickets::workspace_id.eq(ws))
        .filter(tickets::conversation_id.eq_any(convs))
        .select(tickets::id)
        .load(conn)
        .await
}

/// Every message of these conversations, in order.
pub async fn messages_of(conn: &mut Conn, ws: Uuid, convs: &[Uuid]) -> QueryResult<Vec<Message>> {
    messages::table
        .filter(messages::workspace_id.eq(ws))
        .filter(messages::conversation_id.eq_any(convs))
        .order((
            messages::conversation_id,
            messages::created_at.asc(),
            messages::id.asc(),
        ))
        .select(Message::as_select())
        .load(conn)
        .await
}

pub async fn events_of(conn: &mut Conn, ws: Uuid, ids: &[Uuid]) -> QueryResult<Vec<TicketEvent>> {
    ticket_events::table
        .filter(ticket_events::workspace_id.eq(ws))
        .filter(ticket_events::ticket_id.eq_any(ids))
        .order((ticket_events::created_at.asc(), ticket_events::id.asc()))
        .select(TicketEvent::as_select())
        .load(conn)
        .await
}

pub async fn notes_of(conn: &mut Conn, ws: Uuid, convs: &[Uuid]) -> QueryResult<Vec<Note>> {
    notes::table
        .filter(notes::workspace_id.eq(ws))
        .filter(notes::conversation_id.eq_any(convs))
        .order((notes::created_at.asc(), notes::id.asc()))
        .select(Note::as_select())
        .load(conn)
        .await
}

/// The files of these conversations' messages and those the visitor uploaded.
pub async fn attachments_of(
    conn: &mut Conn,
    ws: Uuid,
    visitor: Option<Uuid>,
    convs: &[Uuid],
) -> QueryResult<Vec<Attachment>> {
    let in_messages = messages::table
        .filter(messages::workspace_id.eq(ws))
        .filter(messages::conversation_id.eq_any(convs))
        .select(messages::id);
    let mut q = attachments::table
        .filter(attachments::workspace_id.eq(ws))
        .into_boxed();
    q = match visitor {
        Some(v) => q.filter(
            attachments::message_id
                .eq_any(in_messages.nullable())
                .or(attachments::uploaded_by_visitor_id.eq(v)),
        ),
        None => q.filter(attachments::message_id.eq_any(in_messages.nullable())),
    };
    q.select(Attachment::as_select()).load(conn).await
}

/// What went, per kind of row.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Removed {
    pub messages: usize,
    pub attachments: usize,
    pub tickets: usize,
}

/// Empties conversations: their messages (with their files' rows and idempotency keys),
/// notes and mentions, read marks, the flow and the language. The conversations stay
/// (their tickets point at them).
pub async fn empty_conversations(
    conn: &mut Conn,
    ws: Uuid,
    convs: &[Uuid],
) -> QueryResult<Removed> {
    let attachments = diesel::delete(
        attachments::table
            .filter(attachments::workspace_id.eq(ws))
            .filter(
                attachments::message_id.eq_any(
                    messages::table
                        .filter(messages::workspace_id.eq(ws))
                        .filter(messages::conversation_id.eq_any(convs))
                        .select(messages::id.nullable()),
                ),
            ),
    )
    .execute(conn)
    .await?;
    let messages = diesel::delete(
        messages::table
            .filter(messages::workspace_id.eq(ws))
            .filter(messages::conversation_id.eq_any(convs)),
    )
    .execute(conn)
    .await?;
    diesel::delete(
        notes::table
            .filter(notes::workspace_id.eq(ws))
            .filter(notes::conversation_id.eq_any(convs)),
    )
    .execute(conn)
    .await?;
    diesel::delete(
        conversation_reads::table
            .filter(conversation_reads::workspace_id.eq(ws))
            .filter(conversation_reads::conversation_id.eq_any(convs)),
    )
    .execute(conn)
    .await?;
    diesel::update(
        conversations::table
            .filter(conversations::workspace_id.eq(ws))
            .filter(conversations::id.eq_any(convs)),
    )
    .set((
        conversations::flow.eq(serde_json::json!({})),
        conversations::language.eq(None::<String>),
    ))
    .execute(conn)
    .await?;
    Ok(Removed {
        messages,
        attachments,
        tickets: 0,
    })
}

/// The text a ticket shell keeps where the visitor's words were.
pub const ERASED: &str = "erased";

/// Makes tickets anonymous shells: no summary, description or email, no email headers,
/// and no timeline entry that quoted the visitor (a summary change, a reply's mail
/// headers); their status, category, priority, tags, assignee and times stay for reports.
pub async fn anonymise_tickets(
    conn: &mut Conn,
    ws: Uuid,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::delete(
        inbound_emails::table
            .filter(inbound_emails::workspace_id.eq(ws))
            .filter(inbound_emails::ticket_id.eq_any(ids)),
    )
    .execute(conn)
    .await?;
    diesel::update(
        ticket_events::table
            .filter(ticket_events::workspace_id.eq(ws))
            .filter(ticket_events::ticket_id.eq_any(ids))
            .filter(ticket_events::kind.eq_any(["summary_changed", "email_auto_reply", "replied"])),
    )
    .set(ticket_events::data.eq(serde_json::json!({})))
    .execute(conn)
    .await?;
    diesel::update(
        tickets::table
            .filter(tickets::workspace_id.eq(ws))
            .filter(tickets::id.eq_any(ids)),
    )
    .set((
        tickets::summary.eq(ERASED),
        tickets::description.eq(""),
        tickets::visitor_email.eq(ERASED),
        tickets::email_references.eq(Vec::<String>::new()),
        tickets::anonymised_at.eq(now),
    ))
    .execute(conn)
    .await
}

/// Empties a visitor's row: nothing of who they are stays, only when they came.
pub async fn erase_visitor(
    conn: &mut Conn,
    ws: Uuid,
    visitor: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::delete(
        stream_tickets::table
            .filter(stream_tickets::workspace_id.eq(ws))
            .filter(stream_tickets::visitor_id.eq(visitor)),
    )
    .execute(conn)
    .await?;
    diesel::update(
        visitors::table
            .filter(visitors::workspace_id.eq(ws))
            .filter(visitors::id.eq(visitor)),
    )
    .set((
        visitors::email.eq(None::<String>),
        visitors::name.eq(None::<String>),
        visitors::country.eq(None::<String>),
        visitors::browser.eq(None::<String>),
        visitors::os.eq(None::<String>),
        visitors::device_kind.eq(None::<String>),
        visitors::user_agent.eq(None::<String>),
        visitors::page_url.eq(None::<String>),
        visitors::referrer.eq(None::<String>),
        visitors::locale.eq(None::<String>),
        visitors::external_id.eq(None::<String>),
        visitors::verified_at.eq(None::<DateTime<Utc>>),
        visitors::erased_at.eq(now),
    ))
    .execute(conn)
    .await
}

/// Deletes the workspace's queued and kept outbox jobs, webhook deliveries, rate-limit
/// windows and mail-quota windows that name any of `needles` (an email address, the
/// visitor's, conversations' and tickets' ids): mail to the visitor, webhook payloads
/// quoting them. Those tables keep days, not years (`OUTBOX_RETENTION_DAYS`,
/// `WEBHOOK_DELIVERY_RETENTION_DAYS`), so the scan is of a bounded set.
pub async fn forget_mentions(conn: &mut Conn, ws: Uuid, needles: &[String]) -> QueryResult<()> {
    let patterns: Vec<String> = needles
        .iter()
        .filter(|n| !n.is_empty())
        .map(|n| {
            format!(
                "%{}%",
                n.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            )
        })
        .collect();
    if patterns.is_empty() {
        return Ok(());
    }
    for sql in [
        "DELETE FROM outbox_jobs WHERE workspace_id = $1 AND payload::text LIKE ANY($2)",
        "DELETE FROM webhook_deliveries WHERE workspace_id = $1 AND payload::text LIKE ANY($2)",
    ] {
        diesel::sql_query(sql)
            .bind::<SqlUuid, _>(ws)
            .bind::<Array<Text>, _>(&patterns)
            .execute(conn)
            .await?;
    }
    for sql in [
        "DELETE FROM rate_limits WHERE key LIKE ANY($1)",
        "DELETE FROM mail_quota WHERE scope LIKE ANY($1)",
    ] {
        diesel::sql_query(sql)
            .bind::<Array<Text>, _>(&patterns)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Workspaces with a retention policy.
pub async fn with_policy(conn: &mut Conn) -> QueryResult<Vec<(Uuid, Option<i32>, Option<i32>)>> {
    workspaces::table
        .filter(
            workspaces::retain_conversations_days
                .is_not_null()
                .or(workspaces::anonymise_closed_tickets_days.is_not_null()),
        )
        .select((
            workspaces::id,
            workspaces::retain_conversations_days,
            workspaces::anonymise_closed_tickets_days,
        ))
        .load(conn)
        .await
}

/// Up to `limit` conversations without a ticket, quiet since before `before`.
pub async fn idle_without_ticket(
    conn: &mut Conn,
    ws: Uuid,
    before: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<Uuid>> {
    diesel::sql_query(
        "SELECT c.id FROM conversations c \
         WHERE c.workspace_id = $1 AND c.last_message_at < $2 \
           AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.workspace_id = c.workspace_id AND t.conversation_id = c.id) \
           AND EXISTS (SELECT 1 FROM messages m WHERE m.workspace_id = c.workspace_id AND m.conversation_id = c.id) \
         ORDER BY c.last_message_at DESC, c.id DESC LIMIT $3",
    )
    .bind::<SqlUuid, _>(ws)
    .bind::<Timestamptz, _>(before)
    .bind::<diesel::sql_types::BigInt, _>(limit)
    .load::<IdRow>(conn)
    .await
    .map(|rows| rows.into_iter().map(|r| r.id).collect())
}

/// Up to `limit` tickets closed before `before`, not anonymised yet, whose conversation
/// has been quiet since then and holds no newer ticket: `(id, conversation)`.
pub async fn closed_before(
    conn: &mut Conn,
    ws: Uuid,
    before: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<(Uuid, Uuid)>> {
    diesel::sql_query(
        "SELECT t.id, t.conversation_id FROM tickets t \
         JOIN conversations c ON c.workspace_id = t.workspace_id AND c.id = t.conversation_id \
         WHERE t.workspace_id = $1 AND t.closed_at < $2 AND t.anonymised_at IS NULL \
           AND t.status = 'closed' AND c.last_message_at < $2 \
           AND NOT EXISTS (SELECT 1 FROM tickets n WHERE n.workspace_id = t.workspace_id \
                           AND n.conversation_id = t.conversation_id AND n.created_at > t.created_at) \
         ORDER BY t.closed_at LIMIT $3",
    )
    .bind::<SqlUuid, _>(ws)
    .bind::<Timestamptz, _>(before)
    .bind::<diesel::sql_types::BigInt, _>(limit)
    .load::<TicketConvRow>(conn)
    .await
    .map(|rows| rows.into_iter().map(|r| (r.id, r.conversation_id)).collect())
}

#[derive(QueryableByName)]
struct TicketConvRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    conversation_id: Uuid,
}

/// Uploads of the visitor never sent with a message.
pub async fn delete_uploads_of(conn: &mut Conn, ws: Uuid, visitor: Uuid) -> QueryResult<usize> {
    diesel::delete(
        attachments::table
            .filter(attachments::workspace_id.eq(ws))
            .filter(attachments::uploaded_by_visitor_id.eq(visitor)),
    )
    .execute(conn)
    .await
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// Deletes conversations. Their messages (with their files' rows and idempotency keys),
/// notes (with their mentions) and read marks go with them (ON DELETE CASCADE).
pub async fn delete_conversations(conn: &mut Conn, ws: Uuid, convs: &[Uuid]) -> QueryResult<usize> {
    diesel::delete(
        conversations::table
            .filter(conversations::workspace_id.eq(ws))
            .filter(conversations::id.eq_any(convs)),
    )
    .execute(conn)
    .await
}
