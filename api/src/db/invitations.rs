//! Invitations: a hashed single-use token, an email and a role, valid for a week.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{Invitation, NewInvitation};
use crate::db::schema::invitations;

pub async fn insert(conn: &mut Conn, inv: NewInvitation<'_>) -> QueryResult<Invitation> {
    diesel::insert_into(invitations::table)
        .values(inv)
        .returning(Invitation::as_returning())
        .get_result(conn)
        .await
}

/// Pending (not accepted, not expired) invitations, newest first.
pub async fn pending(
    conn: &mut Conn,
    workspace_id: Uuid,
    now: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<Invitation>> {
    invitations::table
        .filter(invitations::workspace_id.eq(workspace_id))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::expires_at.gt(now))
        .order(invitations::created_at.desc())
        .limit(limit)
        .select(Invitation::as_select())
        .load(conn)
        .await
}

/// The invitation with this token hash, locked.
pub async fn lock_by_hash(conn: &mut Conn, hash: &str) -> QueryResult<Option<Invitation>> {
    invitations::table
        .filter(invitations::token_hash.eq(hash))
        .select(Invitation::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

pub async fn mark_accepted(conn: &mut Conn, id: Uuid, at: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(invitations::table.find(id))
        .set(invitations::accepted_at.eq(at))
        .execute(conn)
        .await
}

/// Deletes an invitation not yet accepted; returns how many (0 or 1).
pub async fn delete_pending(conn: &mut Conn, workspace_id: Uuid, id: Uuid) -> QueryResult<usize> {
    diesel::delete(
        invitations::table
            .filter(invitations::workspace_id.eq(workspace_id))
            .filter(invitations::id.eq(id))
            .filter(invitations::accepted_at.is_null()),
    )
    .execute(conn)
    .await
}

/// Whether a pending (not accepted, not expired) invitation exists for this lower-cased
/// email, in any workspace.
pub async fn pending_for_email(
    conn: &mut Conn,
    email: &str,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        invitations::table
            .filter(invitations::email.eq(email))
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::expires_at.gt(now)),
    ))
    .get_result(conn)
    .await
}

pub async fn by_id(conn: &mut Conn, id: Uuid) -> QueryResult<Option<Invitation>> {
    invitations::table
        .find(id)
        .select(Invitation::as_select())
        .first(conn)
        .await
        .optional()
}

/// Replaces the token of a pending invitation (its mail is being sent); 0 when it was
/// accepted meanwhile.
pub async fn set_token_hash(conn: &mut Conn, id: Uuid, hash: &str) -> QueryResult<usize> {
    diesel::update(
        invitations::table
            .find(id)
            .filter(invitations::accepted_at.is_null()),
    )
    .set(invitations::token_hash.eq(hash))
    .execute(conn)
    .await
}
