//! The dashboard's live stream of one workspace: `ticket.created` and `ticket.updated`
//! carry the Ticket JSON, `message.created` carries `{"message": Message, "ticket_id"}`.
//!
//! Event ids are the change's time in microseconds. A client that reconnects with
//! `Last-Event-ID` first gets `ticket.updated` for every ticket changed since (at most
//! 500; replies and visitor messages also move their ticket's `updated_at`), then the live
//! stream. The stream ends when it falls behind or an event of the workspace can't be
//! rendered; the client reconnects and replays. It also ends when the caller's access does
//! (`services::streams`).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use uuid::Uuid;

use crate::error::ApiResult;
use crate::events::render::ticket_frame;
use crate::events::sse::until;
use crate::events::{Frames, LiveEvent, TICKET_UPDATED};
use crate::services::access::access;
use crate::services::streams::StreamGrant;
use crate::services::tickets::changed_since;
use crate::state::AppState;

/// Tickets a reconnecting stream replays at most.
const REPLAY: i64 = 500;

pub async fn event_frames(
    state: &AppState,
    grant: &StreamGrant,
    ws: Uuid,
    since: Option<DateTime<Utc>>,
) -> ApiResult<impl Stream<Item = actix_web::web::Bytes> + use<>> {
    // Subscribe before reading what was missed (and before checking access), so nothing
    // falls in between: not a change, not the end of the caller's access.
    let live = state.events.subscribe();
    let (mut conn, access) = access(state, &grant.principal, ws).await?;
    let holder = grant.holder;
    let ws = access.workspace_id;
    let missed = match since {
        Some(ts) => changed_since(&mut conn, ws, ts, REPLAY).await?,
        None => Vec::new(),
    };
    drop(conn);
    let replay = futures_util::stream::iter(
        missed
            .into_iter()
            .filter_map(|t| ticket_frame(TICKET_UPDATED, &t)),
    );
    let live = live
        .take_while(move |ev: &Arc<LiveEvent>| {
            std::future::ready(!ev.ends_workspace_stream(ws, &holder))
        })
        .filter_map(move |ev| {
            std::future::ready(match &ev.frames {
                Frames::Ticket { dashboard } | Frames::Message { dashboard, .. }
                    if ev.workspace_id == ws =>
                {
                    Some(dashboard.clone())
                }
                _ => None,
            })
        });
    Ok(until(replay.chain(live), grant.ends_at))
}
