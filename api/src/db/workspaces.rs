//! Workspaces: lookups by id and widget key, creation, settings.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{NewWorkspace, Workspace, WorkspaceChanges};
use crate::db::schema::workspaces;

/// The workspace; `None` when it does not exist.
pub async fn by_id(conn: &mut Conn, id: Uuid) -> QueryResult<Option<Workspace>> {
    workspaces::table
        .find(id)
        .select(Workspace::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn by_widget_key(conn: &mut Conn, key: &str) -> QueryResult<Option<Workspace>> {
    workspaces::table
        .filter(workspaces::widget_key.eq(crate::domain::origins::widget_key(key)))
        .select(Workspace::as_select())
        .first(conn)
        .await
        .optional()
}

/// The allowed origins of the workspace named by id or by widget key.
pub async fn allowed_origins(
    conn: &mut Conn,
    id: Option<Uuid>,
    widget_key: Option<&str>,
) -> QueryResult<Option<Vec<String>>> {
    let query = workspaces::table
        .select(workspaces::allowed_origins)
        .into_boxed();
    let query = match (id, widget_key) {
        (Some(id), _) => query.filter(workspaces::id.eq(id)),
        (None, Some(k)) => query
            .filter(workspaces::widget_key.eq(crate::domain::origins::widget_key(k).to_string())),
        (None, None) => return Ok(None),
    };
    query.first(conn).await.optional()
}

pub async fn insert(conn: &mut Conn, ws: NewWorkspace<'_>) -> QueryResult<Workspace> {
    diesel::insert_into(workspaces::table)
        .values(ws)
        .returning(Workspace::as_returning())
        .get_result(conn)
        .await
}

/// Applies the changes; `None` when the workspace does not exist.
pub async fn update(
    conn: &mut Conn,
    id: Uuid,
    changes: &WorkspaceChanges,
) -> QueryResult<Option<Workspace>> {
    diesel::update(workspaces::table.find(id))
        .set(changes)
        .returning(Workspace::as_returning())
        .get_result(conn)
        .await
        .optional()
}

pub async fn set_ai_instructions(conn: &mut Conn, id: Uuid, text: &str) -> QueryResult<String> {
    diesel::update(workspaces::table.find(id))
        .set(workspaces::ai_instructions.eq(text))
        .returning(workspaces::ai_instructions)
        .get_result(conn)
        .await
}

/// The Tickets page switches and the sender of ticket mail.
pub struct TicketSettingsRow<'a> {
    pub enabled: bool,
    pub notification_email: Option<&'a str>,
    pub reply_sets_in_progress: bool,
    pub mail_sender_name: Option<&'a str>,
    pub mail_sender_address: Option<&'a str>,
    pub email_replies: bool,
    pub acknowledge_tickets: bool,
}

/// The Tickets page switches.
pub async fn set_ticket_settings(
    conn: &mut Conn,
    id: Uuid,
    row: TicketSettingsRow<'_>,
) -> QueryResult<Workspace> {
    diesel::update(workspaces::table.find(id))
        .set((
            workspaces::tickets_enabled.eq(row.enabled),
            workspaces::notification_email.eq(row.notification_email),
            workspaces::reply_sets_in_progress.eq(row.reply_sets_in_progress),
            workspaces::mail_sender_name.eq(row.mail_sender_name),
            workspaces::mail_sender_address.eq(row.mail_sender_address),
            workspaces::email_replies.eq(row.email_replies),
            workspaces::acknowledge_tickets.eq(row.acknowledge_tickets),
        ))
        .returning(Workspace::as_returning())
        .get_result(conn)
        .await
}

/// Greeting and AI Instructions (the demo seed).
pub async fn set_greeting_and_instructions(
    conn: &mut Conn,
    id: Uuid,
    greeting: &str,
    instructions: &str,
) -> QueryResult<usize> {
    diesel::update(workspaces::table.find(id))
        .set((
            workspaces::greeting.eq(greeting),
            workspaces::ai_instructions.eq(instructions),
        ))
        .execute(conn)
        .await
}

/// Sets (a new secret) or clears (`None`) the workspace's identity secret.
pub async fn set_identity_secret(
    conn: &mut Conn,
    workspace_id: Uuid,
    secret: Option<&str>,
    now: DateTime<Utc>,
) -> QueryResult<Workspace> {
    diesel::update(workspaces::table.filter(workspaces::id.eq(workspace_id)))
        .set((
            workspaces::identity_secret.eq(secret),
            workspaces::identity_secret_created_at.eq(secret.map(|_| now)),
            workspaces::updated_at.eq(now),
        ))
        .returning(Workspace::as_returning())
        .get_result(conn)
        .await
}

/// The retention policy (`None`: kept forever).
pub async fn set_retention(
    conn: &mut Conn,
    id: Uuid,
    conversations_days: Option<i32>,
    closed_tickets_days: Option<i32>,
) -> QueryResult<Option<Workspace>> {
    diesel::update(workspaces::table.find(id))
        .set((
            workspaces::retain_conversations_days.eq(conversations_days),
            workspaces::anonymise_closed_tickets_days.eq(closed_tickets_days),
        ))
        .returning(Workspace::as_returning())
        .get_result(conn)
        .await
        .optional()
}
