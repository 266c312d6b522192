//! Stream tickets: single-use secrets (SHA-256 hashes here) that open one SSE stream.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::db::Conn;
use crate::db::models::StreamTicket;
use crate::db::schema::stream_tickets;

pub async fn insert(conn: &mut Conn, ticket: &StreamTicket) -> QueryResult<usize> {
    diesel::insert_into(stream_tickets::table)
        .values(ticket)
        .execute(conn)
        .await
}

/// Takes the live ticket with this hash: it is gone afterwards, so a second use (another
/// server process included) finds nothing.
pub async fn take(
    conn: &mut Conn,
    hash: &str,
    now: DateTime<Utc>,
) -> QueryResult<Option<StreamTicket>> {
    diesel::delete(
        stream_tickets::table
            .filter(stream_tickets::token_hash.eq(hash))
            .filter(stream_tickets::expires_at.gt(now)),
    )
    .returning(StreamTicket::as_returning())
    .get_result(conn)
    .await
    .optional()
}

/// Deletes tickets that expired unused.
pub async fn purge_expired(conn: &mut Conn, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(stream_tickets::table.filter(stream_tickets::expires_at.le(now)))
        .execute(conn)
        .await
}
