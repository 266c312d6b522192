//! Who else has a ticket open right now (issue 13, collision awareness): the dashboard's
//! ticket page takes a viewing lease when it opens (`POST …/tickets/{ticket}/viewing`),
//! renews it every `RENEW_SECS` and gives it back when it leaves (`DELETE`); a page that
//! vanished lapses after `LEASE_SECS`, and the sweep (every server's, every `SWEEP_EVERY`)
//! deletes it. Each change others would see (someone joins or leaves) is announced as
//! `ticket.viewers`, whose frame each server reads from `ticket_viewers`: Postgres is the
//! only place viewers are kept, so every server sees the same list.
//!
//! Viewing belongs to a person: API keys get 403. Who is typing a reply is not kept here:
//! the reply box sends the conversation's typing signal (`services::live::agent_typing`),
//! whose `typing` frames the ticket page shows next to its viewers.

use uuid::Uuid;

use crate::db::{self, tickets as ticket_store, viewers as store};
use crate::domain::access::{Access, Principal};
use crate::domain::ticket_number::TicketKey;
use crate::domain::viewers::{LEASE_SECS, RENEW_SECS, SWEEP_BATCH, others_see_a_change};
use crate::error::{ApiError, ApiResult};
use crate::events::BusEvent;
use crate::ratelimit::VIEWING_ANNOUNCEMENTS;
use crate::services::access::access;
use crate::services::live::under_limit;
use crate::state::AppState;
use crate::views::viewers::{TicketViewersOut, ViewingOut};

fn person(access: &Access) -> ApiResult<Uuid> {
    access.user_id.ok_or_else(|| {
        ApiError::forbidden("viewing a ticket is a person's presence; API keys have none")
    })
}

/// The caller, the workspace and the ticket's id; 403 for API keys, 404 for a ticket that
/// is not the workspace's.
async fn resolve(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    key: TicketKey,
) -> ApiResult<(db::PooledConn, Uuid, Uuid, Uuid)> {
    let (mut conn, access) = access(state, principal, ws).await?;
    let user = person(&access)?;
    let ws = access.workspace_id;
    let ticket_id = ticket_store::ticket_id_by(&mut conn, ws, key)
        .await?
        .ok_or_else(|| ApiError::not_found("ticket"))?;
    Ok((conn, ws, ticket_id, user))
}

/// Tells the team's dashboards that who has the ticket open changed (at most
/// `VIEWING_ANNOUNCEMENTS` per member and ticket; past that, the pages catch up at their
/// next renewal).
async fn announce(state: &AppState, ws: Uuid, ticket_id: Uuid, user: Uuid) -> ApiResult<()> {
    if under_limit(
        state,
        VIEWING_ANNOUNCEMENTS.on(format!("{ticket_id}:{user}")),
    )
    .await?
    {
        state.events.publish(BusEvent::viewers(ws, ticket_id)).await;
    }
    Ok(())
}

/// `POST …/tickets/{ticket}/viewing`: the caller has the ticket open for `LEASE_SECS`
/// more; who has it open now.
pub async fn view(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    key: TicketKey,
) -> ApiResult<ViewingOut> {
    let (mut conn, ws, ticket_id, user) = resolve(state, principal, ws, key).await?;
    let (was_live, expires_at) = store::renew(&mut conn, ws, ticket_id, user, LEASE_SECS).await?;
    let current = TicketViewersOut::read(&mut conn, ws, ticket_id).await?;
    drop(conn);
    if others_see_a_change(true, was_live) {
        announce(state, ws, ticket_id, user).await?;
    }
    Ok(ViewingOut {
        current,
        expires_at,
        renew_seconds: RENEW_SECS,
    })
}

/// `DELETE …/tickets/{ticket}/viewing`: the caller left the ticket.
pub async fn leave(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    key: TicketKey,
) -> ApiResult<()> {
    let (mut conn, ws, ticket_id, user) = resolve(state, principal, ws, key).await?;
    let was_live = store::leave(&mut conn, ws, ticket_id, user).await?;
    drop(conn);
    if others_see_a_change(false, was_live) {
        announce(state, ws, ticket_id, user).await?;
    }
    Ok(())
}

/// Deletes lapsed viewings (pages that went without a word) and tells the dashboards of
/// each ticket concerned; one statement per batch, rows locked with SKIP LOCKED so the
/// sweeps of several servers share the work. The number deleted.
pub async fn sweep(state: &AppState) -> ApiResult<usize> {
    let mut total = 0;
    loop {
        let mut conn = db::conn(&state.pool).await?;
        let lapsed = store::purge_lapsed(&mut conn, SWEEP_BATCH).await?;
        drop(conn);
        let n = lapsed.len();
        total += n;
        let mut tickets = lapsed;
        tickets.sort_unstable();
        tickets.dedup();
        state
            .publish_all(
                tickets
                    .into_iter()
                    .map(|(ws, ticket)| BusEvent::viewers(ws, ticket))
                    .collect(),
            )
            .await;
        if (n as i64) < SWEEP_BATCH {
            return Ok(total);
        }
    }
}
