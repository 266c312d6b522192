//! Storage of merges and bulk changes: locking several tickets (always in id order, so two
//! requests that lock overlapping sets never deadlock), and moving a conversation's
//! messages and notes into another. Every query filters by `workspace_id`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{Conversation, Ticket};
use crate::db::schema::{conversations, messages, note_mentions, notes, tickets};

/// Locks the tickets named by id or number, in id order (until the transaction ends), and
/// before them their conversations, in id order: every change locks a conversation before
/// its ticket (`tickets::lock_conversation_of`), so a merge that locked the tickets first
/// would deadlock with a visitor's message. (A ticket's conversation never changes, so
/// reading it before the lock is safe.) Unknown keys and other workspaces' tickets are
/// simply not returned.
pub async fn lock_tickets(
    conn: &mut Conn,
    workspace_id: Uuid,
    ids: &[Uuid],
    numbers: &[i64],
) -> QueryResult<Vec<Ticket>> {
    if ids.is_empty() && numbers.is_empty() {
        return Ok(vec![]);
    }
    let named = tickets::id.eq_any(ids).or(tickets::number.eq_any(numbers));
    let conversations: Vec<Uuid> = tickets::table
        .filter(tickets::workspace_id.eq(workspace_id))
        .filter(named.clone())
        .select(tickets::conversation_id)
        .load(conn)
        .await?;
    lock_conversations(conn, workspace_id, &conversations).await?;
    // Locking happens as rows leave the sort, so the locks are taken in id order.
    tickets::table
        .filter(tickets::workspace_id.eq(workspace_id))
        .filter(named)
        .order(tickets::id.asc())
        .select(Ticket::as_select())
        .for_update()
        .load(conn)
        .await
}

/// Locks conversations in id order (a visitor's turn locks its conversation too, so a
/// message being written waits for the merge, or the merge for it).
pub async fn lock_conversations(
    conn: &mut Conn,
    workspace_id: Uuid,
    ids: &[Uuid],
) -> QueryResult<Vec<Conversation>> {
    conversations::table
        .filter(conversations::workspace_id.eq(workspace_id))
        .filter(conversations::id.eq_any(ids))
        .order(conversations::id.asc())
        .select(Conversation::as_select())
        .for_update()
        .load(conn)
        .await
}

/// Moves every message of one conversation into another; they keep their times and ids,
/// so the surviving conversation shows both in time order. Returns how many moved.
pub async fn move_messages(
    conn: &mut Conn,
    workspace_id: Uuid,
    from: Uuid,
    to: Uuid,
) -> QueryResult<usize> {
    diesel::update(
        messages::table
            .filter(messages::workspace_id.eq(workspace_id))
            .filter(messages::conversation_id.eq(from)),
    )
    .set(messages::conversation_id.eq(to))
    .execute(conn)
    .await
}

/// Moves the internal notes (and their mentions) of one conversation into another.
/// A note keeps the ticket it was written on. Returns how many notes moved.
pub async fn move_notes(
    conn: &mut Conn,
    workspace_id: Uuid,
    from: Uuid,
    to: Uuid,
) -> QueryResult<usize> {
    let moved = diesel::update(
        notes::table
            .filter(notes::workspace_id.eq(workspace_id))
            .filter(notes::conversation_id.eq(from)),
    )
    .set(notes::conversation_id.eq(to))
    .execute(conn)
    .await?;
    if moved > 0 {
        diesel::update(
            note_mentions::table
                .filter(note_mentions::workspace_id.eq(workspace_id))
                .filter(note_mentions::conversation_id.eq(from)),
        )
        .set(note_mentions::conversation_id.eq(to))
        .execute(conn)
        .await?;
    }
    Ok(moved)
}

/// The emptied conversation (and any merged into it before) now names the surviving one:
/// the widget follows one step, never a chain.
pub async fn point_conversations(
    conn: &mut Conn,
    workspace_id: Uuid,
    from: Uuid,
    to: Uuid,
) -> QueryResult<usize> {
    diesel::update(
        conversations::table
            .filter(conversations::workspace_id.eq(workspace_id))
            .filter(
                conversations::id
                    .eq(from)
                    .or(conversations::merged_into_id.eq(from)),
            ),
    )
    .set(conversations::merged_into_id.eq(to))
    .execute(conn)
    .await
}

/// The surviving conversation takes the merged one's activity time and the visitor's
/// unread agent messages.
pub async fn absorb_conversation(
    conn: &mut Conn,
    workspace_id: Uuid,
    to: Uuid,
    last_message_at: DateTime<Utc>,
    unread: i32,
) -> QueryResult<usize> {
    diesel::update(
        conversations::table
            .filter(conversations::workspace_id.eq(workspace_id))
            .filter(conversations::id.eq(to)),
    )
    .set((
        conversations::last_message_at.eq(diesel::dsl::sql::<diesel::sql_types::Timestamptz>(
            "greatest(conversations.last_message_at, ",
        )
        .bind::<diesel::sql_types::Timestamptz, _>(last_message_at)
        .sql(")")),
        conversations::visitor_unread_count.eq(conversations::visitor_unread_count + unread),
    ))
    .execute(conn)
    .await
}

/// Marks a ticket merged into another (bumps its version); tickets merged into it before
/// now name the survivor too, so a link never leads to another merged ticket.
pub async fn set_merged(
    conn: &mut Conn,
    workspace_id: Uuid,
    ticket_id: Uuid,
    into_id: Uuid,
    into_number: i64,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        tickets::table
            .filter(tickets::workspace_id.eq(workspace_id))
            .filter(tickets::merged_into_id.eq(ticket_id)),
    )
    .set((
        tickets::merged_into_id.eq(into_id),
        tickets::merged_into_number.eq(into_number),
    ))
    .execute(conn)
    .await?;
    diesel::update(
        tickets::table
            .filter(tickets::workspace_id.eq(workspace_id))
            .filter(tickets::id.eq(ticket_id)),
    )
    .set((
        tickets::merged_into_id.eq(into_id),
        tickets::merged_into_number.eq(into_number),
        tickets::version.eq(tickets::version + 1),
        tickets::updated_at.eq(now),
    ))
    .execute(conn)
    .await
}

/// A ticket changed as a whole (it absorbed another): new version and activity time.
pub async fn bump(
    conn: &mut Conn,
    workspace_id: Uuid,
    ticket_id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        tickets::table
            .filter(tickets::workspace_id.eq(workspace_id))
            .filter(tickets::id.eq(ticket_id)),
    )
    .set((
        tickets::version.eq(tickets::version + 1),
        tickets::updated_at.eq(now),
    ))
    .execute(conn)
    .await
}
