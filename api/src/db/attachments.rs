//! Attachment rows. An upload is pending (`message_id` NULL) until a message claims it;
//! every query but the signed download's filters by `workspace_id` (a download link is
//! checked against the row's own key).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{Attachment, Message};
use crate::db::schema::{attachments, messages};
use crate::domain::attachments::Uploader;

pub async fn insert(conn: &mut Conn, row: &Attachment) -> QueryResult<Attachment> {
    diesel::insert_into(attachments::table)
        .values(row.clone())
        .returning(Attachment::as_returning())
        .get_result(conn)
        .await
}

/// By id alone: for a signed link, whose signature the row's key checks.
pub async fn find(conn: &mut Conn, id: Uuid) -> QueryResult<Option<Attachment>> {
    attachments::table
        .find(id)
        .select(Attachment::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn find_in(
    conn: &mut Conn,
    workspace_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<Attachment>> {
    attachments::table
        .filter(attachments::workspace_id.eq(workspace_id))
        .filter(attachments::id.eq(id))
        .select(Attachment::as_select())
        .first(conn)
        .await
        .optional()
}

/// Gives the uploader's pending attachments `ids` to the message; returns those claimed
/// (fewer than asked when some are not theirs, not pending, or not there), in `ids` order.
pub async fn claim(
    conn: &mut Conn,
    workspace_id: Uuid,
    ids: &[Uuid],
    uploader: Uploader,
    message_id: Uuid,
) -> QueryResult<Vec<Attachment>> {
    let mut q = diesel::update(attachments::table)
        .filter(attachments::workspace_id.eq(workspace_id))
        .filter(attachments::id.eq_any(ids))
        .filter(attachments::message_id.is_null())
        .into_boxed();
    q = match uploader {
        Uploader::Member(user) => q.filter(attachments::uploaded_by_user_id.eq(user)),
        Uploader::ApiKey => q
            .filter(attachments::uploaded_by_user_id.is_null())
            .filter(attachments::uploaded_by_visitor_id.is_null()),
        Uploader::Visitor(visitor) => q.filter(attachments::uploaded_by_visitor_id.eq(visitor)),
    };
    let mut rows: Vec<Attachment> = q
        .set(attachments::message_id.eq(message_id))
        .returning(Attachment::as_returning())
        .get_results(conn)
        .await?;
    rows.sort_by_key(|a| ids.iter().position(|id| *id == a.id));
    Ok(rows)
}

/// Writes what the message shows of its attachments.
pub async fn set_on_message(
    conn: &mut Conn,
    workspace_id: Uuid,
    message_id: Uuid,
    shown: serde_json::Value,
) -> QueryResult<Message> {
    diesel::update(
        messages::table
            .filter(messages::workspace_id.eq(workspace_id))
            .filter(messages::id.eq(message_id)),
    )
    .set(messages::attachments.eq(Some(shown)))
    .returning(Message::as_returning())
    .get_result(conn)
    .await
}

/// Uploads never sent, made before `before` (oldest first, at most `limit`).
pub async fn pending_before(
    conn: &mut Conn,
    before: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<Attachment>> {
    attachments::table
        .filter(attachments::message_id.is_null())
        .filter(attachments::created_at.lt(before))
        .order(attachments::created_at.asc())
        .limit(limit)
        .select(Attachment::as_select())
        .load(conn)
        .await
}

/// Deletes rows that are still pending (one claimed meanwhile stays); returns those deleted.
pub async fn delete_pending(conn: &mut Conn, ids: &[Uuid]) -> QueryResult<Vec<Attachment>> {
    diesel::delete(
        attachments::table
            .filter(attachments::id.eq_any(ids))
            .filter(attachments::message_id.is_null()),
    )
    .returning(Attachment::as_returning())
    .get_results(conn)
    .await
}
