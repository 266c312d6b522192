//! Workspace lookups shared by every area.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::Workspace;
use crate::db::schema::workspaces;

pub async fn by_id(conn: &mut Conn, id: Uuid) -> QueryResult<Workspace> {
    workspaces::table
        .find(id)
        .select(Workspace::as_select())
        .first(conn)
        .await
}

pub async fn by_widget_key(conn: &mut Conn, key: &str) -> QueryResult<Option<Workspace>> {
    workspaces::table
        .filter(workspaces::widget_key.eq(key))
        .select(Workspace::as_select())
        .first(conn)
        .await
        .optional()
}
