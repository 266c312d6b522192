//! Minimal ticket creation for the assistant's handoff, with the atomic per-workspace
//! number (`UPDATE workspaces SET ticket_counter = ticket_counter + 1 … RETURNING`), the
//! "created" timeline entry and the notification email through the outbox.
//!
//! The tickets work (issue 4) owns the full ticket domain; when its create function
//! lands, `assistant::turn` should call that instead and this file can go.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::enums::{TicketCategory, TicketSource, TicketStatus};
use crate::db::models::{NewTicket, Ticket, TicketEvent};
use crate::db::schema::{ticket_events, tickets, workspaces};
use crate::domain::Actor;

pub struct NewAiTicket {
    pub workspace_id: Uuid,
    pub visitor_id: Uuid,
    pub conversation_id: Uuid,
    pub visitor_email: String,
    pub summary: String,
    pub description: String,
    pub category: TicketCategory,
}

pub async fn next_number(conn: &mut Conn, workspace_id: Uuid) -> QueryResult<i64> {
    diesel::update(workspaces::table.find(workspace_id))
        .set(workspaces::ticket_counter.eq(workspaces::ticket_counter + 1))
        .returning(workspaces::ticket_counter)
        .get_result(conn)
        .await
}

async fn event(
    conn: &mut Conn,
    workspace_id: Uuid,
    ticket_id: Uuid,
    kind: &str,
    actor: &Actor,
    data: serde_json::Value,
) -> QueryResult<()> {
    diesel::insert_into(ticket_events::table)
        .values(TicketEvent {
            id: Uuid::now_v7(),
            workspace_id,
            ticket_id,
            kind: kind.into(),
            actor_type: actor.kind.as_str().into(),
            actor_id: actor.id,
            actor_name: actor.name.clone(),
            data,
            created_at: chrono::Utc::now(),
        })
        .execute(conn)
        .await?;
    Ok(())
}

/// Creates the ticket in the caller's transaction.
pub async fn create(conn: &mut Conn, t: NewAiTicket) -> QueryResult<Ticket> {
    let number = next_number(conn, t.workspace_id).await?;
    let ticket: Ticket = diesel::insert_into(tickets::table)
        .values(NewTicket {
            id: Uuid::now_v7(),
            workspace_id: t.workspace_id,
            number,
            summary: t.summary,
            description: t.description,
            category: t.category,
            source: TicketSource::Ai,
            visitor_id: t.visitor_id,
            visitor_email: t.visitor_email,
            conversation_id: t.conversation_id,
        })
        .returning(Ticket::as_returning())
        .get_result(conn)
        .await?;
    event(
        conn,
        t.workspace_id,
        ticket.id,
        "created",
        &Actor::assistant(),
        serde_json::json!({"source": "ai"}),
    )
    .await?;
    Ok(ticket)
}

/// A visitor message on a resolved ticket reopens it (issue 4 item 6).
pub async fn reopen_by_visitor(
    conn: &mut Conn,
    workspace_id: Uuid,
    ticket_id: Uuid,
    visitor_id: Uuid,
) -> QueryResult<bool> {
    let n = diesel::update(
        tickets::table
            .filter(tickets::workspace_id.eq(workspace_id))
            .filter(tickets::id.eq(ticket_id))
            .filter(tickets::status.eq(TicketStatus::Resolved)),
    )
    .set((
        tickets::status.eq(TicketStatus::Open),
        tickets::resolved_at.eq(None::<chrono::DateTime<chrono::Utc>>),
        tickets::version.eq(tickets::version + 1),
        tickets::updated_at.eq(chrono::Utc::now()),
    ))
    .execute(conn)
    .await?;
    if n > 0 {
        event(
            conn,
            workspace_id,
            ticket_id,
            "reopened",
            &Actor::visitor(visitor_id),
            serde_json::json!({"from": "resolved", "to": "open"}),
        )
        .await?;
    }
    Ok(n > 0)
}

/// A visitor wrote into an open ticket's conversation: the ticket counts as updated.
pub async fn touch(conn: &mut Conn, workspace_id: Uuid, ticket_id: Uuid) -> QueryResult<usize> {
    diesel::update(
        tickets::table
            .filter(tickets::workspace_id.eq(workspace_id))
            .filter(tickets::id.eq(ticket_id)),
    )
    .set(tickets::updated_at.eq(chrono::Utc::now()))
    .execute(conn)
    .await
}
