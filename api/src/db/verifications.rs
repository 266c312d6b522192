//! `email_verifications`: one pending confirmation per user; its token is minted when the
//! mail is sent and kept as a SHA-256 hash.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::schema::email_verifications;

/// Creates or replaces the user's pending verification (no token until the mail is sent).
pub async fn upsert(
    conn: &mut Conn,
    user_id: Uuid,
    token_hash: Option<&str>,
    expires_at: Option<DateTime<Utc>>,
) -> QueryResult<usize> {
    diesel::insert_into(email_verifications::table)
        .values((
            email_verifications::user_id.eq(user_id),
            email_verifications::token_hash.eq(token_hash),
            email_verifications::expires_at.eq(expires_at),
        ))
        .on_conflict(email_verifications::user_id)
        .do_update()
        .set((
            email_verifications::token_hash.eq(excluded(email_verifications::token_hash)),
            email_verifications::expires_at.eq(excluded(email_verifications::expires_at)),
        ))
        .execute(conn)
        .await
}

/// The user whose live (unexpired) token has this hash.
pub async fn user_by_hash(
    conn: &mut Conn,
    token_hash: &str,
    now: DateTime<Utc>,
) -> QueryResult<Option<Uuid>> {
    email_verifications::table
        .filter(email_verifications::token_hash.eq(token_hash))
        .filter(email_verifications::expires_at.gt(now))
        .select(email_verifications::user_id)
        .first(conn)
        .await
        .optional()
}

pub async fn delete(conn: &mut Conn, user_id: Uuid) -> QueryResult<usize> {
    diesel::delete(email_verifications::table.find(user_id))
        .execute(conn)
        .await
}
