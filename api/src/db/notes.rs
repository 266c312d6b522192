//! Internal notes and the mentions inbox. Every query filters by `workspace_id`; nothing
//! that serves the visitor reads these tables.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::Note;
use crate::db::schema::{note_mentions, notes, tickets};
use crate::domain::enums::TicketStatus;

/// The most notes a detail page shows (the newest; older ones stay in the database).
pub const NOTES_SHOWN: i64 = 500;
/// Unread mentions are counted up to this (the badge shows "99+").
pub const UNREAD_CAP: i64 = 100;

pub async fn insert(conn: &mut Conn, note: &Note) -> QueryResult<Note> {
    diesel::insert_into(notes::table)
        .values(note.clone())
        .returning(Note::as_returning())
        .get_result(conn)
        .await
}

/// The conversation's notes, oldest first (the newest `NOTES_SHOWN`).
pub async fn of_conversation(
    conn: &mut Conn,
    workspace_id: Uuid,
    conversation_id: Uuid,
) -> QueryResult<Vec<Note>> {
    let mut rows: Vec<Note> = notes::table
        .filter(notes::workspace_id.eq(workspace_id))
        .filter(notes::conversation_id.eq(conversation_id))
        .order((notes::created_at.desc(), notes::id.desc()))
        .limit(NOTES_SHOWN)
        .select(Note::as_select())
        .load(conn)
        .await?;
    rows.reverse();
    Ok(rows)
}

pub async fn get(conn: &mut Conn, workspace_id: Uuid, id: Uuid) -> QueryResult<Option<Note>> {
    notes::table
        .filter(notes::workspace_id.eq(workspace_id))
        .filter(notes::id.eq(id))
        .select(Note::as_select())
        .first(conn)
        .await
        .optional()
}

/// The note mentions `users`: one unread inbox entry each.
pub async fn insert_mentions(conn: &mut Conn, note: &Note, users: &[Uuid]) -> QueryResult<usize> {
    let rows: Vec<_> = users
        .iter()
        .map(|u| {
            (
                note_mentions::workspace_id.eq(note.workspace_id),
                note_mentions::user_id.eq(*u),
                note_mentions::note_id.eq(note.id),
                note_mentions::conversation_id.eq(note.conversation_id),
                note_mentions::created_at.eq(note.created_at),
            )
        })
        .collect();
    if rows.is_empty() {
        return Ok(0);
    }
    diesel::insert_into(note_mentions::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await
}

/// Whether `user`'s mention in `note` is still unread (`None`: no such mention).
pub async fn mention_unread(
    conn: &mut Conn,
    workspace_id: Uuid,
    user_id: Uuid,
    note_id: Uuid,
) -> QueryResult<Option<bool>> {
    note_mentions::table
        .filter(note_mentions::workspace_id.eq(workspace_id))
        .filter(note_mentions::user_id.eq(user_id))
        .filter(note_mentions::note_id.eq(note_id))
        .select(note_mentions::read_at.is_null())
        .first(conn)
        .await
        .optional()
}

/// `user` has read the conversation: its mentions of them are read.
pub async fn mark_read(
    conn: &mut Conn,
    workspace_id: Uuid,
    user_id: Uuid,
    conversation_id: Uuid,
    at: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        note_mentions::table
            .filter(note_mentions::workspace_id.eq(workspace_id))
            .filter(note_mentions::user_id.eq(user_id))
            .filter(note_mentions::read_at.is_null())
            .filter(note_mentions::conversation_id.eq(conversation_id))
            .filter(note_mentions::created_at.le(at)),
    )
    .set(note_mentions::read_at.eq(Utc::now()))
    .execute(conn)
    .await
}

/// `user`'s unread mentions, in the workspace or in one conversation, counted up to
/// `UNREAD_CAP` (served by `note_mentions_unread_idx`).
pub async fn unread(
    conn: &mut Conn,
    workspace_id: Uuid,
    user_id: Uuid,
    conversation_id: Option<Uuid>,
) -> QueryResult<i64> {
    let mut q = note_mentions::table
        .filter(note_mentions::workspace_id.eq(workspace_id))
        .filter(note_mentions::user_id.eq(user_id))
        .filter(note_mentions::read_at.is_null())
        .select(note_mentions::note_id)
        .limit(UNREAD_CAP)
        .into_boxed();
    if let Some(c) = conversation_id {
        q = q.filter(note_mentions::conversation_id.eq(c));
    }
    let ids: Vec<Uuid> = q.load(conn).await?;
    Ok(ids.len() as i64)
}

/// One inbox entry: the mention's read time, the note, and its ticket (id, number, status,
/// summary) when it has one.
pub type InboxRow = (
    Option<DateTime<Utc>>,
    Note,
    Option<(Uuid, i64, TicketStatus, String)>,
);

/// `user`'s mentions, newest first, after `after` (`(created_at, note_id)`), `fetch` rows;
/// `unread` only the unread ones. Served by `note_mentions_inbox_idx` (or `_unread_idx`).
pub async fn inbox(
    conn: &mut Conn,
    workspace_id: Uuid,
    user_id: Uuid,
    unread: bool,
    after: Option<(DateTime<Utc>, Uuid)>,
    fetch: i64,
) -> QueryResult<Vec<InboxRow>> {
    let mut q = note_mentions::table
        .inner_join(notes::table.left_join(tickets::table))
        .filter(note_mentions::workspace_id.eq(workspace_id))
        .filter(notes::workspace_id.eq(workspace_id))
        .filter(note_mentions::user_id.eq(user_id))
        .into_boxed();
    if unread {
        q = q.filter(note_mentions::read_at.is_null());
    }
    if let Some((ts, id)) = after {
        q = q.filter(
            note_mentions::created_at
                .lt(ts)
                .or(note_mentions::created_at
                    .eq(ts)
                    .and(note_mentions::note_id.lt(id))),
        );
    }
    q.order((
        note_mentions::created_at.desc(),
        note_mentions::note_id.desc(),
    ))
    .limit(fetch)
    .select((
        note_mentions::read_at,
        Note::as_select(),
        (
            tickets::id,
            tickets::number,
            tickets::status,
            tickets::summary,
        )
            .nullable(),
    ))
    .load(conn)
    .await
}
