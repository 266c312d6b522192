//! The workspace's audit log: one row per team action, newest first.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::AuditEvent;
use crate::db::schema::audit_events;

pub async fn insert(conn: &mut Conn, row: &AuditEvent) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values(row)
        .execute(conn)
        .await
        .map(|_| ())
}

/// A page of the log, newest first, strictly before `before` (audit_events_workspace_idx).
pub async fn list(
    conn: &mut Conn,
    workspace_id: Uuid,
    before: Option<(DateTime<Utc>, Uuid)>,
    fetch: i64,
) -> QueryResult<Vec<AuditEvent>> {
    let mut q = audit_events::table
        .filter(audit_events::workspace_id.eq(workspace_id))
        .select(AuditEvent::as_select())
        .into_boxed();
    if let Some((ts, id)) = before {
        q = q.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "(audit_events.created_at, audit_events.id) < (",
            )
            .bind::<diesel::sql_types::Timestamptz, _>(ts)
            .sql(", ")
            .bind::<diesel::sql_types::Uuid, _>(id)
            .sql(")"),
        );
    }
    q.order((audit_events::created_at.desc(), audit_events::id.desc()))
        .limit(fetch)
        .load(conn)
        .await
}
