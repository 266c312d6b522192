//! Who has a ticket open in the dashboard (`ticket_viewers`, an unlogged table of leases).
//! Times are the database's (`now()`), so servers with drifting clocks agree on what has
//! lapsed. Every query filters by `workspace_id` except the sweep of lapsed leases, which
//! walks `ticket_viewers_expires_idx` over all workspaces.

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Bool, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{QueryResult, QueryableByName};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;

/// One viewer of a ticket, as the dashboard names them.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct Viewer {
    #[diesel(sql_type = SqlUuid)]
    pub user_id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Timestamptz)]
    pub since: DateTime<Utc>,
}

#[derive(QueryableByName)]
struct Renewed {
    #[diesel(sql_type = Bool)]
    was_live: bool,
    #[diesel(sql_type = Timestamptz)]
    expires_at: DateTime<Utc>,
}

/// `user` views the ticket for `lease_secs` more: the lease is taken or renewed. Whether
/// they were a live viewer before (a renewal) and when the lease now ends. A lapsed lease
/// not yet swept counts as a new viewing (`since` starts again).
pub async fn renew(
    conn: &mut Conn,
    workspace_id: Uuid,
    ticket_id: Uuid,
    user_id: Uuid,
    lease_secs: i64,
) -> QueryResult<(bool, DateTime<Utc>)> {
    let r: Renewed = diesel::sql_query(
        "WITH before AS (
             SELECT expires_at > now() AS live FROM ticket_viewers
              WHERE workspace_id = $1 AND ticket_id = $2 AND user_id = $3)
         INSERT INTO ticket_viewers (workspace_id, ticket_id, user_id, since, expires_at)
         VALUES ($1, $2, $3, now(), now() + make_interval(secs => $4::float8))
         ON CONFLICT (workspace_id, ticket_id, user_id) DO UPDATE
            SET since = CASE WHEN ticket_viewers.expires_at > now()
                             THEN ticket_viewers.since ELSE now() END,
                expires_at = EXCLUDED.expires_at
         RETURNING coalesce((SELECT live FROM before), false) AS was_live, expires_at",
    )
    .bind::<SqlUuid, _>(workspace_id)
    .bind::<SqlUuid, _>(ticket_id)
    .bind::<SqlUuid, _>(user_id)
    .bind::<BigInt, _>(lease_secs)
    .get_result(conn)
    .await?;
    Ok((r.was_live, r.expires_at))
}

#[derive(QueryableByName)]
struct Left {
    #[diesel(sql_type = Bool)]
    was_live: bool,
}

/// `user` left the ticket; whether they were a live viewer until now.
pub async fn leave(
    conn: &mut Conn,
    workspace_id: Uuid,
    ticket_id: Uuid,
    user_id: Uuid,
) -> QueryResult<bool> {
    let rows: Vec<Left> = diesel::sql_query(
        "DELETE FROM ticket_viewers
          WHERE workspace_id = $1 AND ticket_id = $2 AND user_id = $3
         RETURNING expires_at > now() AS was_live",
    )
    .bind::<SqlUuid, _>(workspace_id)
    .bind::<SqlUuid, _>(ticket_id)
    .bind::<SqlUuid, _>(user_id)
    .load(conn)
    .await?;
    Ok(rows.iter().any(|r| r.was_live))
}

/// The ticket's live viewers who are still members, longest-viewing first, at most
/// `limit` (from the primary key's `(workspace_id, ticket_id)` prefix).
pub async fn of_ticket(
    conn: &mut Conn,
    workspace_id: Uuid,
    ticket_id: Uuid,
    limit: i64,
) -> QueryResult<Vec<Viewer>> {
    diesel::sql_query(
        "SELECT v.user_id, u.name, v.since
           FROM ticket_viewers v
           JOIN memberships m ON m.workspace_id = v.workspace_id AND m.user_id = v.user_id
           JOIN users u ON u.id = v.user_id
          WHERE v.workspace_id = $1 AND v.ticket_id = $2 AND v.expires_at > now()
          ORDER BY v.since, v.user_id
          LIMIT $3",
    )
    .bind::<SqlUuid, _>(workspace_id)
    .bind::<SqlUuid, _>(ticket_id)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}

#[derive(QueryableByName)]
struct Lapsed {
    #[diesel(sql_type = SqlUuid)]
    workspace_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    ticket_id: Uuid,
}

/// Deletes up to `batch` lapsed leases (pages that went without a word), skipping rows
/// another server's sweep or a renewal holds; the `(workspace, ticket)` of each.
pub async fn purge_lapsed(conn: &mut Conn, batch: i64) -> QueryResult<Vec<(Uuid, Uuid)>> {
    let rows: Vec<Lapsed> = diesel::sql_query(
        "DELETE FROM ticket_viewers
          WHERE (workspace_id, ticket_id, user_id) IN (
                SELECT workspace_id, ticket_id, user_id FROM ticket_viewers
                 WHERE expires_at <= now()
                 ORDER BY expires_at LIMIT $1
                   FOR UPDATE SKIP LOCKED)
         RETURNING workspace_id, ticket_id",
    )
    .bind::<BigInt, _>(batch)
    .load(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.workspace_id, r.ticket_id))
        .collect())
}
