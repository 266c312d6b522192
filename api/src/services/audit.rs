//! The audit log: team actions recorded in the transaction that makes them, so a change
//! and its entry commit together; read newest first by owners and admins.

use chrono::Utc;
use uuid::Uuid;

use crate::db::models::AuditEvent;
use crate::db::{Conn, audit as store};
use crate::domain::access::Principal;
use crate::domain::actor::Actor;
use crate::domain::page::{Page, PageRequest};
use crate::error::ApiResult;
use crate::services::access::admin;
use crate::state::AppState;
use crate::views::privacy::{AuditEventOut, AuditLog, AuditQuery};

const CURSOR_TAG: &str = "audit";

/// What an entry is about: `("visitor", id)`, `("api_key", id)`, …
pub type Target<'a> = Option<(&'a str, Uuid)>;

/// Records `action` by `actor` in the caller's transaction.
pub async fn record(
    conn: &mut Conn,
    workspace_id: Uuid,
    actor: &Actor,
    action: &str,
    target: Target<'_>,
    data: serde_json::Value,
) -> ApiResult<()> {
    store::insert(
        conn,
        &AuditEvent {
            id: Uuid::now_v7(),
            workspace_id,
            action: action.to_string(),
            actor_type: actor.kind,
            actor_id: actor.id,
            actor_name: actor.name.clone(),
            target_type: target.map(|(t, _)| t.to_string()),
            target_id: target.map(|(_, id)| id),
            data,
            created_at: Utc::now(),
        },
    )
    .await?;
    Ok(())
}

/// The log, newest first (owners and admins).
pub async fn list(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    q: &AuditQuery,
) -> ApiResult<AuditLog> {
    let page = PageRequest::parse(q.limit, q.cursor.as_deref(), CURSOR_TAG)?;
    let (mut conn, access) = admin(state, principal, ws).await?;
    let rows = store::list(
        &mut conn,
        access.workspace_id,
        page.after_key(),
        page.fetch(),
    )
    .await?;
    let Page { items, next_cursor } =
        Page::from_rows(rows, &page, CURSOR_TAG, |e| (e.created_at, e.id)).map(AuditEventOut::from);
    Ok(AuditLog { items, next_cursor })
}
