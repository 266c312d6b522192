//! `ai_usage`: what the `openai` engine used per workspace per UTC day (messages, provider
//! tokens, messages refused for the budget), shared by every server process.

use chrono::NaiveDate;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Date, Integer, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, QueryableByName)]
pub struct Day {
    #[diesel(sql_type = Integer)]
    pub messages: i32,
    #[diesel(sql_type = BigInt)]
    pub tokens: i64,
    #[diesel(sql_type = Integer)]
    pub over_budget: i32,
}

/// The workspace's usage on `day` (zeros when it used nothing).
pub async fn day(conn: &mut Conn, workspace_id: Uuid, day: NaiveDate) -> diesel::QueryResult<Day> {
    let rows: Vec<Day> = diesel::sql_query(
        "SELECT messages, tokens, over_budget FROM ai_usage WHERE workspace_id = $1 AND day = $2",
    )
    .bind::<SqlUuid, _>(workspace_id)
    .bind::<Date, _>(day)
    .load(conn)
    .await?;
    Ok(rows.into_iter().next().unwrap_or_default())
}

/// Adds to the workspace's usage on `day`.
pub async fn add(
    conn: &mut Conn,
    workspace_id: Uuid,
    day: NaiveDate,
    add: Day,
) -> diesel::QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO ai_usage (workspace_id, day, messages, tokens, over_budget)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (workspace_id, day) DO UPDATE SET
             messages = ai_usage.messages + EXCLUDED.messages,
             tokens = ai_usage.tokens + EXCLUDED.tokens,
             over_budget = ai_usage.over_budget + EXCLUDED.over_budget",
    )
    .bind::<SqlUuid, _>(workspace_id)
    .bind::<Date, _>(day)
    .bind::<Integer, _>(add.messages)
    .bind::<BigInt, _>(add.tokens)
    .bind::<Integer, _>(add.over_budget)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes up to `batch` rows of days before `before` (index `ai_usage_day_idx`).
pub async fn purge(conn: &mut Conn, before: NaiveDate, batch: i64) -> diesel::QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM ai_usage WHERE (workspace_id, day) IN (
             SELECT workspace_id, day FROM ai_usage WHERE day < $1 ORDER BY day LIMIT $2)",
    )
    .bind::<Date, _>(before)
    .bind::<BigInt, _>(batch)
    .execute(conn)
    .await
}
