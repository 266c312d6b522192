//! Inbound mail: the tickets a reply address names, the record of every accepted inbound
//! mail (once per Message-ID and workspace), and email messages.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{Message, Ticket};
use crate::db::schema::{conversations, inbound_emails, messages, tickets};
use crate::domain::enums::{Channel, Sender};

/// The ticket a verified reply token names, in whichever workspace it is (the token is
/// the credential; it was minted for this ticket only).
pub async fn ticket(conn: &mut Conn, id: Uuid, lock: bool) -> QueryResult<Option<Ticket>> {
    let q = tickets::table
        .filter(tickets::id.eq(id))
        .select(Ticket::as_select());
    if lock {
        // Its conversation first, as every change locks them (`tickets::lock_conversation_of`).
        let Some(t) = tickets::table
            .filter(tickets::id.eq(id))
            .select(Ticket::as_select())
            .first(conn)
            .await
            .optional()?
        else {
            return Ok(None);
        };
        crate::db::tickets::lock_conversation_of(conn, t.workspace_id, t.conversation_id).await?;
        q.for_update().first(conn).await.optional()
    } else {
        q.first(conn).await.optional()
    }
}

/// What is recorded of an inbound mail.
pub struct NewInbound<'a> {
    pub workspace_id: Uuid,
    pub ticket_id: Uuid,
    pub rfc_message_id: &'a str,
    pub from_address: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub auto_reply: bool,
    pub foreign_sender: bool,
    pub received_via: &'a str,
}

/// Records the mail; `None` when the workspace has it already (same Message-ID).
pub async fn insert(conn: &mut Conn, row: NewInbound<'_>) -> QueryResult<Option<Uuid>> {
    diesel::insert_into(inbound_emails::table)
        .values((
            inbound_emails::id.eq(Uuid::now_v7()),
            inbound_emails::workspace_id.eq(row.workspace_id),
            inbound_emails::ticket_id.eq(row.ticket_id),
            inbound_emails::rfc_message_id.eq(row.rfc_message_id),
            inbound_emails::from_address.eq(row.from_address),
            inbound_emails::subject.eq(row.subject),
            inbound_emails::auto_reply.eq(row.auto_reply),
            inbound_emails::foreign_sender.eq(row.foreign_sender),
            inbound_emails::received_via.eq(row.received_via),
        ))
        .on_conflict_do_nothing()
        .returning(inbound_emails::id)
        .get_result(conn)
        .await
        .optional()
}

/// The message an inbound mail became.
pub async fn set_message(
    conn: &mut Conn,
    workspace_id: Uuid,
    id: Uuid,
    message_id: Uuid,
) -> QueryResult<usize> {
    diesel::update(
        inbound_emails::table
            .filter(inbound_emails::workspace_id.eq(workspace_id))
            .filter(inbound_emails::id.eq(id)),
    )
    .set(inbound_emails::message_id.eq(message_id))
    .execute(conn)
    .await
}

/// The message an earlier delivery of this Message-ID became (a duplicate's answer).
pub async fn message_of(
    conn: &mut Conn,
    workspace_id: Uuid,
    rfc_message_id: &str,
) -> QueryResult<Option<Option<Uuid>>> {
    inbound_emails::table
        .filter(inbound_emails::workspace_id.eq(workspace_id))
        .filter(inbound_emails::rfc_message_id.eq(rfc_message_id))
        .select(inbound_emails::message_id)
        .first(conn)
        .await
        .optional()
}

/// A visitor's message that came by email, with the clock's time and a time-ordered id;
/// the conversation's activity time moves.
pub async fn append_email_message(
    conn: &mut Conn,
    workspace_id: Uuid,
    conversation_id: Uuid,
    author_name: Option<&str>,
    body: &str,
    email: serde_json::Value,
) -> QueryResult<Message> {
    let now = Utc::now();
    let m: Message = diesel::insert_into(messages::table)
        .values((
            messages::id.eq(Uuid::now_v7()),
            messages::workspace_id.eq(workspace_id),
            messages::conversation_id.eq(conversation_id),
            messages::sender.eq(Sender::Visitor),
            messages::author_name.eq(author_name),
            messages::body.eq(body),
            messages::channel.eq(Channel::Email),
            messages::email.eq(email),
            messages::created_at.eq(now),
        ))
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
