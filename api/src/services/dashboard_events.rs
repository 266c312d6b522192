//! The dashboard's live stream of one workspace: `ticket.created` and `ticket.updated`
//! carry the Ticket JSON, `message.created` carries `{"message": Message, "ticket_id"}`;
//! ephemeral frames without an id follow (`typing`, `visitor.presence`,
//! `conversation.updated`, `note.created`, `ticket.viewers`: see `events`).
//!
//! Event ids are the change's time in microseconds. A client that reconnects with
//! `Last-Event-ID` first gets `ticket.updated` for every ticket changed since (replies and
//! visitor messages also move their ticket's `updated_at`), then the live stream. More
//! than `REPLAY_ROWS` (50) changed tickets, or more than `REPLAY_BYTES`, and it gets one
//! `resync` event instead (its id: the time of the read), upon which it reloads the list. The stream ends when it falls behind or an event of the workspace can't be
//! rendered; the client reconnects and replays. It also ends when the caller's access does
//! (`services::streams`).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use uuid::Uuid;

use crate::domain::access::Principal;
use crate::error::ApiResult;
use crate::events::render::{REPLAY_ROWS, bounded_replay, ticket_frame};
use crate::events::slots::Holder;
use crate::events::sse::until;
use crate::events::{Frames, LiveEvent, TICKET_UPDATED};
use crate::services::access::access;
use crate::services::live as live_svc;
use crate::services::streams::StreamGrant;
use crate::services::tickets::changed_since;
use crate::state::AppState;

/// The stream of `grant` for `ws`, opened from `network` (counted against the stream caps,
/// `events::slots`).
pub async fn event_frames(
    state: &AppState,
    grant: &StreamGrant,
    ws: Uuid,
    since: Option<DateTime<Utc>>,
    network: &str,
) -> ApiResult<impl Stream<Item = actix_web::web::Bytes> + use<>> {
    // Subscribe before reading what was missed (and before checking access), so nothing
    // falls in between: not a change, not the end of the caller's access.
    let live = state.events.subscribe();
    let (mut conn, access) = access(state, &grant.principal, ws).await?;
    let holder = match &grant.principal {
        Principal::User { user_id } => Holder::User(*user_id),
        Principal::ApiKey { key_id, .. } => Holder::Key(*key_id),
    };
    let slot = state.streams.acquire(&mut conn, holder, network).await?;
    // A member with the dashboard open counts as a human online (the widget says so).
    let presence = match &grant.principal {
        Principal::User { user_id } => {
            live_svc::member_online(state, access.workspace_id, *user_id).await?
        }
        Principal::ApiKey { .. } => live_svc::PresenceGuard::none(),
    };
    let holder = grant.holder;
    let ws = access.workspace_id;
    let read_at = Utc::now();
    let missed = match since {
        // One more than the replay holds, to tell when it's too many.
        Some(ts) => changed_since(&mut conn, ws, ts, REPLAY_ROWS as i64 + 1).await?,
        None => Vec::new(),
    };
    drop(conn);
    let frames = missed
        .iter()
        .filter_map(|t| ticket_frame(TICKET_UPDATED, t))
        .collect();
    drop(missed);
    let replay = futures_util::stream::iter(bounded_replay(
        frames,
        Some(read_at.timestamp_micros().to_string()),
    ));
    let live = live
        .take_while(move |ev: &Arc<LiveEvent>| {
            std::future::ready(!ev.ends_workspace_stream(ws, &holder))
        })
        .filter_map(move |ev| {
            std::future::ready(match &ev.frames {
                Frames::Ticket { dashboard }
                | Frames::Message { dashboard, .. }
                | Frames::Live { dashboard, .. }
                | Frames::Team { dashboard }
                    if ev.workspace_id == ws =>
                {
                    Some(dashboard.clone())
                }
                _ => None,
            })
        });
    Ok(presence.hold(slot.hold(until(replay.chain(live), grant.ends_at))))
}
