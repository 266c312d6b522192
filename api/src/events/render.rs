//! Turning an announced change into its SSE frames: the row is read once per process and
//! encoded for the dashboard and, for messages, the widget. The replay after a reconnect
//! uses the same encoders, so a client can't tell a replayed frame from a live one.

use actix_web::web::Bytes;

use crate::db::{self, Pool, tickets as ticket_store};
use crate::events::sse::SseEvent;
use crate::events::{
    AccessEnded, BusEvent, CONVERSATION_MERGED, CONVERSATION_UPDATED, Frames, LiveEvent,
    MESSAGE_CREATED, MESSAGE_DELTA, NOTE_CREATED, RESYNC, TICKET_CREATED, TICKET_UPDATED,
    TICKET_VIEWERS, TYPING, VISITOR_PRESENCE,
};
use crate::views::messages::MessageOut;
use crate::views::tickets::TicketOut;

/// `ticket.created` / `ticket.updated` for the dashboard; the id is the change's time in
/// microseconds (the dashboard's `Last-Event-ID`).
pub fn ticket_frame(kind: &str, ticket: &TicketOut) -> Option<Bytes> {
    Some(
        SseEvent {
            event: kind.to_string(),
            id: Some(ticket.updated_at.timestamp_micros().to_string()),
            data: serde_json::to_value(ticket).ok()?,
        }
        .encode(),
    )
}

/// `message.created` for the dashboard: `{"message": Message, "ticket_id": uuid|null,
/// "notify": {"team": bool, "user_ids": [uuid]} | null}`; `notify` (visitor messages only)
/// says whom it is for: the agent who has the conversation, the ticket's assignee, or the
/// team (an unassigned ticket), so that only their dashboards pop a browser notification.
pub fn dashboard_message_frame(
    message: &MessageOut,
    ticket_id: Option<uuid::Uuid>,
    notify: Option<(bool, Vec<uuid::Uuid>)>,
) -> Option<Bytes> {
    let notify =
        notify.map(|(team, user_ids)| serde_json::json!({"team": team, "user_ids": user_ids}));
    Some(
        SseEvent {
            event: MESSAGE_CREATED.into(),
            id: Some(message.created_at.timestamp_micros().to_string()),
            data: serde_json::json!({"message": message, "ticket_id": ticket_id, "notify": notify}),
        }
        .encode(),
    )
}

/// `message.created` for the widget: the Message itself, its id as event id (the widget's
/// `Last-Event-ID`).
pub fn widget_message_frame(message: &MessageOut) -> Option<Bytes> {
    Some(
        SseEvent {
            event: MESSAGE_CREATED.into(),
            id: Some(message.id.to_string()),
            data: serde_json::to_value(message).ok()?,
        }
        .encode(),
    )
}

/// `message.delta` for the widget: `{message_id, conversation_id, seq, text}`, no event id
/// (a reconnecting widget resumes after the last stored message; the reply's
/// `message.created` carries the whole text).
pub fn widget_delta_frame(
    conversation_id: uuid::Uuid,
    message_id: uuid::Uuid,
    seq: u32,
    text: &str,
) -> Bytes {
    SseEvent {
        event: MESSAGE_DELTA.into(),
        id: None,
        data: serde_json::json!({
            "message_id": message_id,
            "conversation_id": conversation_id,
            "seq": seq,
            "text": text,
        }),
    }
    .encode()
}

/// Rows a reconnecting stream replays at most, and their encoded size at most: past either
/// it gets one `resync` event instead, and its client reloads through the REST list.
pub const REPLAY_ROWS: usize = 50;
pub const REPLAY_BYTES: usize = 256 * 1024;

/// `resync`: more was missed than a stream replays; reload the list (or the conversation)
/// through the REST API. `id` is where a later reconnect resumes from.
pub fn resync_frame(id: Option<String>) -> Bytes {
    SseEvent {
        event: RESYNC.into(),
        id,
        data: serde_json::json!({"reason": "too_many_missed"}),
    }
    .encode()
}

/// The replay of a reconnecting stream: `frames` when they are few and small enough
/// (`REPLAY_ROWS`, `REPLAY_BYTES`; pass one row more than that to tell), else `resync`.
pub fn bounded_replay(frames: Vec<Bytes>, resync_id: Option<String>) -> Vec<Bytes> {
    let bytes: usize = frames.iter().map(Bytes::len).sum();
    if frames.len() > REPLAY_ROWS || bytes > REPLAY_BYTES {
        vec![resync_frame(resync_id)]
    } else {
        frames
    }
}

/// Reads and encodes one announced change. Anything unreadable becomes `Unrendered`, which
/// closes the streams that wanted it instead of silently dropping the event.
pub async fn render(pool: &Pool, ev: BusEvent) -> LiveEvent {
    if let Some(ended) = AccessEnded::of(&ev) {
        return LiveEvent {
            workspace_id: ev.workspace_id,
            conversation_id: None,
            message_id: None,
            frames: Frames::AccessEnded(ended),
        };
    }
    if ev.kind == MESSAGE_DELTA {
        // Carried whole by the announcement: nothing to read.
        let frames = match (
            ev.conversation_id,
            ev.message_id,
            ev.seq,
            ev.text.as_deref(),
        ) {
            (Some(conv), Some(id), Some(seq), Some(text)) => Frames::Delta {
                widget: widget_delta_frame(conv, id, seq, text),
            },
            _ => Frames::Unrendered,
        };
        return LiveEvent {
            workspace_id: ev.workspace_id,
            conversation_id: ev.conversation_id,
            message_id: ev.message_id,
            frames,
        };
    }
    let frames = match frames(pool, &ev).await {
        Ok(Some(frames)) => frames,
        Ok(None) => Frames::Unrendered,
        Err(e) => {
            tracing::warn!(error = %e, kind = %ev.kind, "could not render an event; closing its streams");
            Frames::Unrendered
        }
    };
    LiveEvent {
        workspace_id: ev.workspace_id,
        conversation_id: ev.conversation_id,
        message_id: ev.message_id,
        frames,
    }
}

/// The frames of an ephemeral event, from the announcement alone (no row to read).
fn live_frames(ev: &BusEvent) -> Option<Frames> {
    let conversation_id = ev.conversation_id?;
    let frame = |data: serde_json::Value| {
        SseEvent {
            event: ev.kind.clone(),
            id: None,
            data,
        }
        .encode()
    };
    Some(match ev.kind.as_str() {
        CONVERSATION_UPDATED => Frames::Live {
            dashboard: frame(
                serde_json::json!({"conversation_id": conversation_id, "agent_name": ev.name}),
            ),
            widget: Some(frame(serde_json::json!({"agent_name": ev.name}))),
        },
        CONVERSATION_MERGED => {
            let into = ev.merged_into?;
            Frames::Live {
                dashboard: frame(
                    serde_json::json!({"conversation_id": conversation_id, "merged_into": into}),
                ),
                widget: Some(frame(serde_json::json!({"conversation_id": into}))),
            }
        }
        VISITOR_PRESENCE => Frames::Live {
            dashboard: frame(
                serde_json::json!({"conversation_id": conversation_id, "online": ev.flag?}),
            ),
            widget: None,
        },
        TYPING => {
            let typing = ev.flag?;
            match &ev.name {
                Some(name) => Frames::Live {
                    dashboard: frame(serde_json::json!({
                        "conversation_id": conversation_id, "sender": "agent",
                        "user_id": ev.user_id, "name": name, "typing": typing,
                    })),
                    widget: Some(frame(serde_json::json!({
                        "sender": "agent", "name": name, "typing": typing,
                    }))),
                },
                None => Frames::Live {
                    dashboard: frame(serde_json::json!({
                        "conversation_id": conversation_id, "sender": "visitor", "typing": typing,
                    })),
                    widget: None,
                },
            }
        }
        _ => return None,
    })
}

async fn frames(pool: &Pool, ev: &BusEvent) -> anyhow::Result<Option<Frames>> {
    if matches!(
        ev.kind.as_str(),
        CONVERSATION_UPDATED | CONVERSATION_MERGED | VISITOR_PRESENCE | TYPING
    ) {
        return Ok(live_frames(ev));
    }
    let mut conn = db::conn(pool).await?;
    let ws = ev.workspace_id;
    Ok(match (ev.kind.as_str(), ev.ticket_id, ev.message_id) {
        (TICKET_CREATED | TICKET_UPDATED, Some(id), _) => {
            let Some(row) = ticket_store::ticket_row(&mut conn, ws, id).await? else {
                return Ok(None);
            };
            let mut ticket = [TicketOut::from(row)];
            let tags = crate::db::tags::of_tickets(&mut conn, ws, &[id]).await?;
            crate::views::tickets::attach_tags(&mut ticket, tags);
            ticket_frame(&ev.kind, &ticket[0]).map(|dashboard| Frames::Ticket { dashboard })
        }
        (TICKET_VIEWERS, Some(id), _) => {
            // For the team's dashboards only: no widget frame exists.
            let current = crate::views::viewers::TicketViewersOut::read(&mut conn, ws, id).await?;
            Some(Frames::Team {
                dashboard: SseEvent {
                    event: TICKET_VIEWERS.into(),
                    id: None,
                    data: serde_json::to_value(&current)?,
                }
                .encode(),
            })
        }
        (NOTE_CREATED, _, _) => {
            let Some(id) = ev.note_id else {
                return Ok(None);
            };
            let Some(note) = crate::db::notes::get(&mut conn, ws, id).await? else {
                return Ok(None);
            };
            let author = note.author_user_id;
            let note = crate::views::notes::NoteOut::from(note);
            let mentioned: Vec<uuid::Uuid> = note
                .mentions
                .iter()
                .map(|m| m.user_id)
                .filter(|u| Some(*u) != author)
                .collect();
            Some(Frames::Team {
                dashboard: SseEvent {
                    event: NOTE_CREATED.into(),
                    id: None,
                    data: serde_json::json!({
                        "note": note, "ticket_id": ev.ticket_id, "mentioned": mentioned,
                    }),
                }
                .encode(),
            })
        }
        (MESSAGE_CREATED, _, Some(id)) => {
            let Some(m) = ticket_store::message(&mut conn, ws, id).await? else {
                return Ok(None);
            };
            let notify = if m.sender == crate::domain::enums::Sender::Visitor {
                crate::db::reads::recipients(&mut conn, ws, m.conversation_id).await?
            } else {
                None
            };
            let message = MessageOut::from(m);
            match (
                dashboard_message_frame(&message, ev.ticket_id, notify),
                widget_message_frame(&message),
            ) {
                (Some(dashboard), Some(widget)) => Some(Frames::Message { dashboard, widget }),
                _ => None,
            }
        }
        _ => None,
    })
}
