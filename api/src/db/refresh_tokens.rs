//! Refresh tokens: SHA-256 hashes of the secrets, in families that rotate.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{NewRefreshToken, RefreshToken};
use crate::db::schema::refresh_tokens;

pub async fn insert(conn: &mut Conn, token: NewRefreshToken<'_>) -> QueryResult<usize> {
    diesel::insert_into(refresh_tokens::table)
        .values(token)
        .execute(conn)
        .await
}

/// The token with this hash, locked until the transaction ends.
pub async fn lock_by_hash(conn: &mut Conn, hash: &str) -> QueryResult<Option<RefreshToken>> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(hash))
        .select(RefreshToken::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

pub async fn family_of(conn: &mut Conn, hash: &str) -> QueryResult<Option<Uuid>> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(hash))
        .select(refresh_tokens::family_id)
        .first(conn)
        .await
        .optional()
}

pub async fn mark_used(conn: &mut Conn, id: Uuid, at: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(refresh_tokens::table.find(id))
        .set(refresh_tokens::used_at.eq(at))
        .execute(conn)
        .await
}

/// Revokes every live token of the family.
pub async fn revoke_family(conn: &mut Conn, family: Uuid, at: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(refresh_tokens::table.filter(refresh_tokens::family_id.eq(family)))
        .filter(refresh_tokens::revoked_at.is_null())
        .set(refresh_tokens::revoked_at.eq(at))
        .execute(conn)
        .await
}

/// Records the successor a rotation issued.
pub async fn set_replaced_by(conn: &mut Conn, id: Uuid, successor: Uuid) -> QueryResult<usize> {
    diesel::update(refresh_tokens::table.find(id))
        .set(refresh_tokens::replaced_by.eq(successor))
        .execute(conn)
        .await
}

/// The token row by id, locked until the transaction ends.
pub async fn lock_by_id(conn: &mut Conn, id: Uuid) -> QueryResult<Option<RefreshToken>> {
    refresh_tokens::table
        .find(id)
        .select(RefreshToken::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Revokes one token (a successor whose response the client never got).
pub async fn revoke(conn: &mut Conn, id: Uuid, at: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(refresh_tokens::table.find(id))
        .filter(refresh_tokens::revoked_at.is_null())
        .set(refresh_tokens::revoked_at.eq(at))
        .execute(conn)
        .await
}

/// Revokes every live token of the user, except those of the session `keep`.
pub async fn revoke_user(
    conn: &mut Conn,
    user_id: Uuid,
    keep: Option<Uuid>,
    at: DateTime<Utc>,
) -> QueryResult<usize> {
    let q = diesel::update(refresh_tokens::table)
        .filter(refresh_tokens::user_id.eq(user_id))
        .filter(refresh_tokens::revoked_at.is_null());
    match keep {
        Some(family) => {
            q.filter(refresh_tokens::family_id.ne(family))
                .set(refresh_tokens::revoked_at.eq(at))
                .execute(conn)
                .await
        }
        None => q.set(refresh_tokens::revoked_at.eq(at)).execute(conn).await,
    }
}

/// Whether the session (family) of this user is live: not revoked, not past its end.
pub async fn session_live(
    conn: &mut Conn,
    user_id: Uuid,
    family: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family))
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::revoked_at.is_null())
            .filter(refresh_tokens::family_expires_at.gt(now)),
    ))
    .get_result(conn)
    .await
}
