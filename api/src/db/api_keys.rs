//! Workspace API keys: only their SHA-256 hash is stored.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{ApiKey, NewApiKey};
use crate::db::schema::api_keys;

/// The live key with this hash, as authentication needs it.
#[derive(Debug, Clone, Queryable)]
pub struct LiveKey {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    pub last_used_at: Option<DateTime<Utc>>,
    pub scopes: Vec<String>,
}

pub async fn live_by_hash(conn: &mut Conn, hash: &str) -> QueryResult<Option<LiveKey>> {
    api_keys::table
        .filter(api_keys::key_hash.eq(hash))
        .filter(api_keys::revoked_at.is_null())
        .select((
            api_keys::id,
            api_keys::workspace_id,
            api_keys::name,
            api_keys::last_used_at,
            api_keys::scopes,
        ))
        .first(conn)
        .await
        .optional()
}

/// The scope names of a live key (`None`: unknown or revoked).
pub async fn live_scopes(conn: &mut Conn, id: Uuid) -> QueryResult<Option<Vec<String>>> {
    api_keys::table
        .filter(api_keys::id.eq(id))
        .filter(api_keys::revoked_at.is_null())
        .select(api_keys::scopes)
        .first(conn)
        .await
        .optional()
}

pub async fn touch(conn: &mut Conn, id: Uuid, at: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(api_keys::table.find(id))
        .set(api_keys::last_used_at.eq(at))
        .execute(conn)
        .await
}

pub async fn insert(conn: &mut Conn, key: NewApiKey<'_>) -> QueryResult<ApiKey> {
    diesel::insert_into(api_keys::table)
        .values(key)
        .returning(ApiKey::as_returning())
        .get_result(conn)
        .await
}

/// The workspace's keys, newest first.
pub async fn list(conn: &mut Conn, workspace_id: Uuid, limit: i64) -> QueryResult<Vec<ApiKey>> {
    api_keys::table
        .filter(api_keys::workspace_id.eq(workspace_id))
        .order((api_keys::created_at.desc(), api_keys::id.desc()))
        .limit(limit)
        .select(ApiKey::as_select())
        .load(conn)
        .await
}

/// Revokes a live key; the number of rows changed (0: unknown or already revoked).
pub async fn revoke(
    conn: &mut Conn,
    workspace_id: Uuid,
    id: Uuid,
    at: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        api_keys::table
            .filter(api_keys::workspace_id.eq(workspace_id))
            .filter(api_keys::id.eq(id)),
    )
    .filter(api_keys::revoked_at.is_null())
    .set(api_keys::revoked_at.eq(Some(at)))
    .execute(conn)
    .await
}

pub async fn exists(conn: &mut Conn, workspace_id: Uuid, id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        api_keys::table
            .filter(api_keys::workspace_id.eq(workspace_id))
            .filter(api_keys::id.eq(id)),
    ))
    .get_result(conn)
    .await
}

/// Whether the key exists and is not revoked.
pub async fn live_by_id(conn: &mut Conn, id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        api_keys::table
            .filter(api_keys::id.eq(id))
            .filter(api_keys::revoked_at.is_null()),
    ))
    .get_result(conn)
    .await
}
