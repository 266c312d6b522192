//! Memberships: who belongs to a workspace, with which role.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::Membership;
use crate::db::schema::{memberships, users, workspaces};
use crate::domain::enums::{NotifyEmail, Role};

/// `(user_id, email, name, role)` of one member.
pub type MemberRow = (Uuid, String, String, Role);

pub async fn insert(conn: &mut Conn, m: Membership) -> QueryResult<usize> {
    diesel::insert_into(memberships::table)
        .values(m)
        .execute(conn)
        .await
}

/// Inserts unless the user is already a member; the number of rows written.
pub async fn insert_if_absent(conn: &mut Conn, m: Membership) -> QueryResult<usize> {
    diesel::insert_into(memberships::table)
        .values(m)
        .on_conflict_do_nothing()
        .execute(conn)
        .await
}

/// The workspace's members, oldest first.
pub async fn list(conn: &mut Conn, workspace_id: Uuid) -> QueryResult<Vec<MemberRow>> {
    memberships::table
        .inner_join(users::table)
        .filter(memberships::workspace_id.eq(workspace_id))
        .order((memberships::created_at.asc(), users::id.asc()))
        .select((users::id, users::email, users::name, memberships::role))
        .load(conn)
        .await
}

/// One member, with their email and name.
pub async fn get(
    conn: &mut Conn,
    workspace_id: Uuid,
    user_id: Uuid,
) -> QueryResult<Option<MemberRow>> {
    memberships::table
        .inner_join(users::table)
        .filter(memberships::workspace_id.eq(workspace_id))
        .filter(memberships::user_id.eq(user_id))
        .select((users::id, users::email, users::name, memberships::role))
        .first(conn)
        .await
        .optional()
}

/// The user's role and name in the workspace (the access check of every request).
pub async fn role_and_name(
    conn: &mut Conn,
    workspace_id: Uuid,
    user_id: Uuid,
) -> QueryResult<Option<(Role, String)>> {
    memberships::table
        .inner_join(users::table)
        .filter(memberships::workspace_id.eq(workspace_id))
        .filter(memberships::user_id.eq(user_id))
        .select((memberships::role, users::name))
        .first(conn)
        .await
        .optional()
}

/// The membership row, locked.
pub async fn lock(
    conn: &mut Conn,
    workspace_id: Uuid,
    user_id: Uuid,
) -> QueryResult<Option<Membership>> {
    memberships::table
        .find((workspace_id, user_id))
        .select(Membership::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Locks every membership of the workspace and counts its owners, so two concurrent
/// demotions can't leave a workspace without an owner.
pub async fn lock_and_count_owners(conn: &mut Conn, workspace_id: Uuid) -> QueryResult<usize> {
    let roles: Vec<Role> = memberships::table
        .filter(memberships::workspace_id.eq(workspace_id))
        .select(memberships::role)
        .for_update()
        .load(conn)
        .await?;
    Ok(roles.into_iter().filter(|r| *r == Role::Owner).count())
}

pub async fn set_role(
    conn: &mut Conn,
    workspace_id: Uuid,
    user_id: Uuid,
    role: Role,
) -> QueryResult<usize> {
    diesel::update(memberships::table.find((workspace_id, user_id)))
        .set(memberships::role.eq(role))
        .execute(conn)
        .await
}

pub async fn delete(conn: &mut Conn, workspace_id: Uuid, user_id: Uuid) -> QueryResult<usize> {
    diesel::delete(memberships::table.find((workspace_id, user_id)))
        .execute(conn)
        .await
}

/// `(id, name, role)` of the user's workspaces, oldest first.
pub async fn workspaces_of(
    conn: &mut Conn,
    user_id: Uuid,
) -> QueryResult<Vec<(Uuid, String, Role)>> {
    memberships::table
        .inner_join(workspaces::table)
        .filter(memberships::user_id.eq(user_id))
        .order(workspaces::created_at.asc())
        .select((workspaces::id, workspaces::name, memberships::role))
        .load(conn)
        .await
}

/// A member's notification preferences: `(email, delay_minutes)`.
pub async fn notify_prefs(
    conn: &mut Conn,
    workspace_id: Uuid,
    user_id: Uuid,
) -> QueryResult<Option<(NotifyEmail, i32)>> {
    memberships::table
        .filter(memberships::workspace_id.eq(workspace_id))
        .filter(memberships::user_id.eq(user_id))
        .select((memberships::notify_email, memberships::notify_delay_minutes))
        .first(conn)
        .await
        .optional()
}

pub async fn set_notify_prefs(
    conn: &mut Conn,
    workspace_id: Uuid,
    user_id: Uuid,
    email: NotifyEmail,
    delay_minutes: i32,
) -> QueryResult<usize> {
    diesel::update(
        memberships::table
            .filter(memberships::workspace_id.eq(workspace_id))
            .filter(memberships::user_id.eq(user_id)),
    )
    .set((
        memberships::notify_email.eq(email),
        memberships::notify_delay_minutes.eq(delay_minutes),
    ))
    .execute(conn)
    .await
}
