//! Accounts: users (not tenant-owned; a user can belong to several workspaces).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{NewUser, User};
use crate::db::schema::users;

/// Inserts a user; `None` when the email is taken.
pub async fn insert(conn: &mut Conn, user: NewUser<'_>) -> QueryResult<Option<User>> {
    diesel::insert_into(users::table)
        .values(user)
        .on_conflict_do_nothing()
        .returning(User::as_returning())
        .get_result(conn)
        .await
        .optional()
}

pub async fn by_id(conn: &mut Conn, id: Uuid) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .await
        .optional()
}

/// Case-insensitive lookup of a (lower-cased) email.
pub async fn by_email(conn: &mut Conn, email: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(diesel::dsl::sql::<Bool>("lower(email) = ").bind::<Text, _>(email))
        .select(User::as_select())
        .first(conn)
        .await
        .optional()
}

/// Sets the password of the user with this exact email; `None` when there is none.
pub async fn set_password_by_email(
    conn: &mut Conn,
    email: &str,
    password_hash: &str,
) -> QueryResult<Option<Uuid>> {
    diesel::update(users::table.filter(users::email.eq(email)))
        .set(users::password_hash.eq(password_hash))
        .returning(users::id)
        .get_result(conn)
        .await
        .optional()
}

/// Sets a user's password hash.
pub async fn set_password(conn: &mut Conn, id: Uuid, password_hash: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set(users::password_hash.eq(password_hash))
        .execute(conn)
        .await
}

/// Grants or revokes the operator flag of the user with this (lower-cased) email; `None`
/// when there is none.
pub async fn set_operator(conn: &mut Conn, email: &str, on: bool) -> QueryResult<Option<Uuid>> {
    diesel::update(
        users::table.filter(diesel::dsl::sql::<Bool>("lower(email) = ").bind::<Text, _>(email)),
    )
    .set(users::is_operator.eq(on))
    .returning(users::id)
    .get_result(conn)
    .await
    .optional()
}

/// Marks the user's email confirmed (the first time only).
pub async fn mark_verified(conn: &mut Conn, id: Uuid, at: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(
        users::table
            .find(id)
            .filter(users::email_verified_at.is_null()),
    )
    .set(users::email_verified_at.eq(at))
    .execute(conn)
    .await
}
