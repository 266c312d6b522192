//! A workspace's saved replies. Every query filters by `workspace_id`; the list is a keyset
//! walk over the unique index `(workspace_id, shortcut)` (shortcuts are `COLLATE "C"`, so
//! the order is byte order everywhere).

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::SavedReply;
use crate::db::schema::saved_replies;

/// One page by shortcut: `fetch` rows after the shortcut `after`, those matching `pattern`
/// (an ILIKE pattern, see `db::tickets::contains_pattern`) in the title or the shortcut.
pub async fn list(
    conn: &mut Conn,
    workspace_id: Uuid,
    after: Option<&str>,
    pattern: Option<&str>,
    fetch: i64,
) -> QueryResult<Vec<SavedReply>> {
    let mut q = saved_replies::table
        .filter(saved_replies::workspace_id.eq(workspace_id))
        .select(SavedReply::as_select())
        .order(saved_replies::shortcut.asc())
        .limit(fetch)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(saved_replies::shortcut.gt(after.to_string()));
    }
    if let Some(p) = pattern {
        q = q.filter(
            saved_replies::shortcut
                .ilike(p.to_string())
                .or(saved_replies::title.ilike(p.to_string())),
        );
    }
    q.load(conn).await
}

pub async fn count(conn: &mut Conn, workspace_id: Uuid) -> QueryResult<i64> {
    saved_replies::table
        .filter(saved_replies::workspace_id.eq(workspace_id))
        .count()
        .get_result(conn)
        .await
}

pub async fn get(conn: &mut Conn, workspace_id: Uuid, id: Uuid) -> QueryResult<Option<SavedReply>> {
    saved_replies::table
        .filter(saved_replies::workspace_id.eq(workspace_id))
        .filter(saved_replies::id.eq(id))
        .select(SavedReply::as_select())
        .first(conn)
        .await
        .optional()
}

/// The fields of a new or edited saved reply (validated by `domain::saved_replies`).
pub struct Fields<'a> {
    pub title: &'a str,
    pub shortcut: &'a str,
    pub body: &'a str,
}

pub async fn insert(
    conn: &mut Conn,
    workspace_id: Uuid,
    fields: Fields<'_>,
    created_by: Option<Uuid>,
) -> QueryResult<SavedReply> {
    diesel::insert_into(saved_replies::table)
        .values((
            saved_replies::id.eq(Uuid::now_v7()),
            saved_replies::workspace_id.eq(workspace_id),
            saved_replies::title.eq(fields.title),
            saved_replies::shortcut.eq(fields.shortcut),
            saved_replies::body.eq(fields.body),
            saved_replies::created_by.eq(created_by),
        ))
        .returning(SavedReply::as_returning())
        .get_result(conn)
        .await
}

/// Writes the fields and bumps the version, if the row is still at `version` (another
/// edit in between: `None`, like a missing row; the caller tells them apart).
pub async fn update(
    conn: &mut Conn,
    workspace_id: Uuid,
    id: Uuid,
    version: i32,
    fields: Fields<'_>,
) -> QueryResult<Option<SavedReply>> {
    diesel::update(
        saved_replies::table
            .filter(saved_replies::workspace_id.eq(workspace_id))
            .filter(saved_replies::id.eq(id))
            .filter(saved_replies::version.eq(version)),
    )
    .set((
        saved_replies::title.eq(fields.title),
        saved_replies::shortcut.eq(fields.shortcut),
        saved_replies::body.eq(fields.body),
        saved_replies::version.eq(saved_replies::version + 1),
    ))
    .returning(SavedReply::as_returning())
    .get_result(conn)
    .await
    .optional()
}

pub async fn delete(conn: &mut Conn, workspace_id: Uuid, id: Uuid) -> QueryResult<usize> {
    diesel::delete(
        saved_replies::table
            .filter(saved_replies::workspace_id.eq(workspace_id))
            .filter(saved_replies::id.eq(id)),
    )
    .execute(conn)
    .await
}
