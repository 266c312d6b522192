//! `rate_limits`: fixed-window counters (UNLOGGED), shared by every server process.

use diesel::QueryableByName;
use diesel::sql_types::{Array, Double, Integer, Text};
use diesel_async::RunQueryDsl;

use crate::db::Conn;

/// One key's count in its current window, and how long that window has run.
#[derive(Debug, Clone, QueryableByName)]
pub struct Hit {
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = Integer)]
    pub count: i32,
    #[diesel(sql_type = Double)]
    pub elapsed_secs: f64,
}

/// Counts one hit on each key in the fixed window of its length (`windows[i]` seconds for
/// `keys[i]`; the keys are distinct), in one statement.
pub async fn hit_all(
    conn: &mut Conn,
    keys: &[String],
    windows: &[i32],
) -> diesel::QueryResult<Vec<Hit>> {
    diesel::sql_query(
        "INSERT INTO rate_limits AS r (key, window_start, count)
         SELECT k, to_timestamp(floor(extract(epoch FROM now()) / w) * w), 1
           FROM unnest($1::text[], $2::int[]) AS t(k, w)
         ON CONFLICT (key, window_start) DO UPDATE SET count = r.count + 1
         RETURNING r.key, r.count, extract(epoch FROM (now() - r.window_start))::float8 AS elapsed_secs",
    )
    .bind::<Array<Text>, _>(keys)
    .bind::<Array<Integer>, _>(windows)
    .load(conn)
    .await
}

/// The current window's count of one key, without counting (0 when there is none).
pub async fn peek(conn: &mut Conn, key: &str, window: i32) -> diesel::QueryResult<Option<Hit>> {
    diesel::sql_query(
        "SELECT key, count, extract(epoch FROM (now() - window_start))::float8 AS elapsed_secs
           FROM rate_limits
          WHERE key = $1 AND window_start = to_timestamp(floor(extract(epoch FROM now()) / $2) * $2)",
    )
    .bind::<Text, _>(key)
    .bind::<Integer, _>(window)
    .get_result(conn)
    .await
    .map(Some)
    .or_else(|e| match e {
        diesel::result::Error::NotFound => Ok(None),
        e => Err(e),
    })
}

/// Forgets windows that ended long ago.
pub async fn cleanup(conn: &mut Conn) -> diesel::QueryResult<usize> {
    diesel::sql_query("DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'")
        .execute(conn)
        .await
}
