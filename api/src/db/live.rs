//! Live conversations' storage: takeover, waiting, the visitor's and the members' presence,
//! and the idle-takeover sweep. Every query filters by `workspace_id` except the sweep,
//! which walks `conversations_takeover_idle_idx` over all workspaces.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::Conversation;
use crate::db::schema::{conversations, memberships, visitors};

fn one(
    workspace_id: Uuid,
    id: Uuid,
) -> diesel::dsl::Filter<
    diesel::dsl::Filter<conversations::table, diesel::dsl::Eq<conversations::workspace_id, Uuid>>,
    diesel::dsl::Eq<conversations::id, Uuid>,
> {
    conversations::table
        .filter(conversations::workspace_id.eq(workspace_id))
        .filter(conversations::id.eq(id))
}

/// Marks the conversation taken over by `user` (`None`: an API key) named `name`.
pub async fn take_over(
    conn: &mut Conn,
    workspace_id: Uuid,
    id: Uuid,
    user: Option<Uuid>,
    name: &str,
    now: DateTime<Utc>,
) -> QueryResult<Conversation> {
    diesel::update(one(workspace_id, id))
        .set((
            conversations::taken_over_at.eq(Some(now)),
            conversations::taken_over_by.eq(user),
            conversations::taken_over_name.eq(Some(name)),
            conversations::agent_active_at.eq(Some(now)),
        ))
        .returning(Conversation::as_returning())
        .get_result(conn)
        .await
}

/// The assistant answers again.
pub async fn hand_back(conn: &mut Conn, workspace_id: Uuid, id: Uuid) -> QueryResult<Conversation> {
    diesel::update(one(workspace_id, id))
        .set((
            conversations::taken_over_at.eq(None::<DateTime<Utc>>),
            conversations::taken_over_by.eq(None::<Uuid>),
            conversations::taken_over_name.eq(None::<String>),
            conversations::agent_active_at.eq(None::<DateTime<Utc>>),
        ))
        .returning(Conversation::as_returning())
        .get_result(conn)
        .await
}

/// An agent replied: nobody waits any more, and a takeover's idle clock starts again.
pub async fn agent_replied(
    conn: &mut Conn,
    workspace_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(one(workspace_id, id))
        .set(conversations::waiting_since.eq(None::<DateTime<Utc>>))
        .execute(conn)
        .await?;
    diesel::update(one(workspace_id, id).filter(conversations::taken_over_at.is_not_null()))
        .set(conversations::agent_active_at.eq(Some(now)))
        .execute(conn)
        .await
}

/// The visitor wrote while a human is expected: waiting since now, unless already waiting.
pub async fn visitor_waits(
    conn: &mut Conn,
    workspace_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(one(workspace_id, id).filter(conversations::waiting_since.is_null()))
        .set(conversations::waiting_since.eq(Some(now)))
        .execute(conn)
        .await
}

/// Taken-over conversations whose agent has done nothing since `cutoff`, oldest first,
/// locked (skipping ones another sweeper holds), from `conversations_takeover_idle_idx`.
pub async fn idle_takeovers(
    conn: &mut Conn,
    cutoff: DateTime<Utc>,
    batch: i64,
) -> QueryResult<Vec<Conversation>> {
    conversations::table
        .filter(conversations::taken_over_at.is_not_null())
        .filter(conversations::agent_active_at.lt(cutoff))
        .order(conversations::agent_active_at.asc())
        .limit(batch)
        .for_update()
        .skip_locked()
        .select(Conversation::as_select())
        .load(conn)
        .await
}

/// Renews the visitor's presence on their conversation (and their last visit) until
/// `until`; the conversation as it was before (`None`: not this workspace's).
pub async fn visitor_present(
    conn: &mut Conn,
    workspace_id: Uuid,
    conversation_id: Uuid,
    visitor_id: Uuid,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> QueryResult<Option<Option<DateTime<Utc>>>> {
    let before: Option<Option<DateTime<Utc>>> = one(workspace_id, conversation_id)
        .select(conversations::visitor_online_until)
        .first(conn)
        .await
        .optional()?;
    diesel::update(one(workspace_id, conversation_id))
        .set(conversations::visitor_online_until.eq(Some(until)))
        .execute(conn)
        .await?;
    diesel::update(
        visitors::table
            .filter(visitors::workspace_id.eq(workspace_id))
            .filter(visitors::id.eq(visitor_id)),
    )
    .set(visitors::last_seen_at.eq(now))
    .execute(conn)
    .await?;
    Ok(before)
}

/// The visitor's last stream closed: offline now.
pub async fn visitor_gone(
    conn: &mut Conn,
    workspace_id: Uuid,
    conversation_id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        one(workspace_id, conversation_id).filter(conversations::visitor_online_until.gt(now)),
    )
    .set(conversations::visitor_online_until.eq(Some(now)))
    .execute(conn)
    .await
}

/// Renews a member's presence (their dashboard's live stream is open) until `until`;
/// whether they were offline before.
pub async fn member_present(
    conn: &mut Conn,
    workspace_id: Uuid,
    user_id: Uuid,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> QueryResult<bool> {
    let before: Option<Option<DateTime<Utc>>> = memberships::table
        .filter(memberships::workspace_id.eq(workspace_id))
        .filter(memberships::user_id.eq(user_id))
        .select(memberships::online_until)
        .first(conn)
        .await
        .optional()?;
    diesel::update(
        memberships::table
            .filter(memberships::workspace_id.eq(workspace_id))
            .filter(memberships::user_id.eq(user_id)),
    )
    .set(memberships::online_until.eq(Some(until)))
    .execute(conn)
    .await?;
    Ok(before.flatten().is_none_or(|u| u <= now))
}

/// Whether any member of the workspace has the dashboard open now
/// (`memberships_online_idx`).
pub async fn any_member_online(
    conn: &mut Conn,
    workspace_id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        memberships::table
            .filter(memberships::workspace_id.eq(workspace_id))
            .filter(memberships::online_until.gt(now)),
    ))
    .get_result(conn)
    .await
}
