//! `mail_quota`: mail sent per scope (a workspace, a recipient) in fixed hourly windows,
//! shared by every server process.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamptz};
use diesel_async::RunQueryDsl;

use crate::db::Conn;
use crate::db::schema::mail_quota;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = Integer)]
    count: i32,
}

/// Counts one mail in `scope`'s window if it is below `max`; `false` when the window is
/// full (nothing counted).
pub async fn take(
    conn: &mut Conn,
    scope: &str,
    window_start: DateTime<Utc>,
    max: i32,
) -> QueryResult<bool> {
    let rows: Vec<Count> = diesel::sql_query(
        "INSERT INTO mail_quota (scope, window_start, count) SELECT $1, $2, 1 WHERE $3 > 0
         ON CONFLICT (scope, window_start) DO UPDATE SET count = mail_quota.count + 1
         WHERE mail_quota.count < $3
         RETURNING count",
    )
    .bind::<Text, _>(scope)
    .bind::<Timestamptz, _>(window_start)
    .bind::<Integer, _>(max)
    .load(conn)
    .await?;
    Ok(rows.iter().any(|r| r.count > 0))
}

/// Mail counted in `scope`'s window.
pub async fn used(conn: &mut Conn, scope: &str, window_start: DateTime<Utc>) -> QueryResult<i32> {
    Ok(mail_quota::table
        .find((scope, window_start))
        .select(mail_quota::count)
        .first(conn)
        .await
        .optional()?
        .unwrap_or(0))
}

/// Deletes up to `batch` windows that started before `before`.
pub async fn purge(conn: &mut Conn, before: DateTime<Utc>, batch: i64) -> QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM mail_quota WHERE (scope, window_start) IN (
             SELECT scope, window_start FROM mail_quota WHERE window_start < $1
             ORDER BY window_start LIMIT $2)",
    )
    .bind::<Timestamptz, _>(before)
    .bind::<BigInt, _>(batch)
    .execute(conn)
    .await
}
