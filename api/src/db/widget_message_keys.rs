//! Idempotency keys of widget messages, per (conversation, visitor, key): see the
//! migration `widget_message_keys` and `services::visitor_turn`.

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryResult, QueryableByName};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;

/// Which key: a visitor's, in their conversation.
#[derive(Debug, Clone, Copy)]
pub struct KeyOf<'a> {
    pub workspace_id: Uuid,
    pub conversation_id: Uuid,
    pub visitor_id: Uuid,
    pub key: &'a str,
}

#[derive(Debug, Clone, QueryableByName)]
pub struct KeyRow {
    #[diesel(sql_type = Text)]
    pub body_sha256: String,
    #[diesel(sql_type = SqlUuid)]
    pub message_id: Uuid,
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub response: Option<serde_json::Value>,
}

pub async fn find(conn: &mut Conn, k: KeyOf<'_>) -> QueryResult<Option<KeyRow>> {
    diesel::sql_query(
        "SELECT body_sha256, message_id, response FROM widget_message_keys
          WHERE conversation_id = $1 AND visitor_id = $2 AND idempotency_key = $3
            AND workspace_id = $4",
    )
    .bind::<SqlUuid, _>(k.conversation_id)
    .bind::<SqlUuid, _>(k.visitor_id)
    .bind::<Text, _>(k.key)
    .bind::<SqlUuid, _>(k.workspace_id)
    .get_result(conn)
    .await
    .optional()
}

/// Records the key with the visitor's message (in the transaction that stores it); `false`
/// when the key is already there (a concurrent request with the same key).
pub async fn insert(
    conn: &mut Conn,
    k: KeyOf<'_>,
    body_sha256: &str,
    message_id: Uuid,
    locked_until: DateTime<Utc>,
) -> QueryResult<bool> {
    let n = diesel::sql_query(
        "INSERT INTO widget_message_keys
             (conversation_id, visitor_id, idempotency_key, workspace_id, body_sha256,
              message_id, locked_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT DO NOTHING",
    )
    .bind::<SqlUuid, _>(k.conversation_id)
    .bind::<SqlUuid, _>(k.visitor_id)
    .bind::<Text, _>(k.key)
    .bind::<SqlUuid, _>(k.workspace_id)
    .bind::<Text, _>(body_sha256)
    .bind::<SqlUuid, _>(message_id)
    .bind::<Timestamptz, _>(locked_until)
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// Takes an unanswered key whose previous turn is over (failed, or its process died);
/// `false` while another turn holds it.
pub async fn claim(
    conn: &mut Conn,
    k: KeyOf<'_>,
    now: DateTime<Utc>,
    locked_until: DateTime<Utc>,
) -> QueryResult<bool> {
    let n = diesel::sql_query(
        "UPDATE widget_message_keys SET locked_until = $5
          WHERE conversation_id = $1 AND visitor_id = $2 AND idempotency_key = $3
            AND response IS NULL AND locked_until <= $4",
    )
    .bind::<SqlUuid, _>(k.conversation_id)
    .bind::<SqlUuid, _>(k.visitor_id)
    .bind::<Text, _>(k.key)
    .bind::<Timestamptz, _>(now)
    .bind::<Timestamptz, _>(locked_until)
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// Stores the answer (in the transaction that stores the replies).
pub async fn complete(
    conn: &mut Conn,
    k: KeyOf<'_>,
    response: &serde_json::Value,
) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE widget_message_keys SET response = $4
          WHERE conversation_id = $1 AND visitor_id = $2 AND idempotency_key = $3",
    )
    .bind::<SqlUuid, _>(k.conversation_id)
    .bind::<SqlUuid, _>(k.visitor_id)
    .bind::<Text, _>(k.key)
    .bind::<Jsonb, _>(response)
    .execute(conn)
    .await
}

/// Lets a retry take the key at once (the turn failed).
pub async fn release(conn: &mut Conn, k: KeyOf<'_>) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE widget_message_keys SET locked_until = now()
          WHERE conversation_id = $1 AND visitor_id = $2 AND idempotency_key = $3
            AND response IS NULL",
    )
    .bind::<SqlUuid, _>(k.conversation_id)
    .bind::<SqlUuid, _>(k.visitor_id)
    .bind::<Text, _>(k.key)
    .execute(conn)
    .await
}

/// Deletes up to `batch` keys created before `cutoff`.
pub async fn purge(conn: &mut Conn, cutoff: DateTime<Utc>, batch: i64) -> QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM widget_message_keys WHERE (conversation_id, visitor_id, idempotency_key) IN (
             SELECT conversation_id, visitor_id, idempotency_key FROM widget_message_keys
              WHERE created_at < $1 ORDER BY created_at LIMIT $2)",
    )
    .bind::<Timestamptz, _>(cutoff)
    .bind::<BigInt, _>(batch)
    .execute(conn)
    .await
}
