//! Merging a ticket into another (docs/agent-workspace.md, "Merge").
//!
//! One transaction. Both tickets are locked in id order (`db::merge::lock_tickets`), so
//! two merges that cross (A into B while B into A) queue on the same first lock instead
//! of deadlocking: the second one then finds its target merged and is refused. Then both
//! conversations are locked (in id order, as a visitor's turn locks its own), and:
//!
//! - the merged ticket's messages and internal notes move into the surviving ticket's
//!   conversation (they keep their times, so it reads in time order), and the emptied
//!   conversation names the surviving one (`conversations.merged_into_id`): the merged
//!   ticket's visitor's widget opens the surviving conversation, and the agent replies on
//!   the surviving ticket reach them;
//! - the merged ticket's tags are added to the survivor (up to the 20 a ticket carries);
//! - the merged ticket is closed and names the survivor (`merged_into`); its number still
//!   resolves, and every change to it is refused (409 `ticket_merged`);
//! - timeline: `status_changed` and `merged_into` on the merged ticket, `merged_from` (and
//!   `tag_added`) on the survivor; a `ticket.updated` webhook with a `merged` change for
//!   each; the counts follow the status change (trigger-maintained `ticket_counts`).

use chrono::Utc;
use uuid::Uuid;

use crate::db::models::Ticket;
use crate::db::{Conn, merge as store, tags as tag_store};
use crate::domain::access::Principal;
use crate::domain::enums::TicketStatus;
use crate::domain::merge::{MergeSide, check_merge};
use crate::domain::tags::TAGS_PER_TICKET;
use crate::domain::ticket_number::TicketKey;
use crate::domain::tickets::{EventKind, check_version};
use crate::error::{ApiError, ApiResult};
use crate::events::BusEvent;
use crate::services::Changed;
use crate::services::access::transact;
use crate::services::tickets::{dispatch_updated, record, status_locked, updated, view};
use crate::state::AppState;
use crate::views::merge::{MergeIn, MergeOut};
use crate::views::tags::TagOut;
use crate::views::tickets::TicketLink;
use crate::webhooks::payloads::Change;

fn side(t: &Ticket) -> MergeSide<'_> {
    MergeSide {
        id: t.id,
        number: t.number,
        status: t.status,
        merged_into_number: t.merged_into_number,
        visitor_id: t.visitor_id,
        visitor_email: &t.visitor_email,
    }
}

fn split(keys: &[TicketKey]) -> (Vec<Uuid>, Vec<i64>) {
    let mut ids = Vec::new();
    let mut numbers = Vec::new();
    for k in keys {
        match *k {
            TicketKey::Id(id) => ids.push(id),
            TicketKey::Number(n) => numbers.push(n),
        }
    }
    (ids, numbers)
}

/// The ticket a key names among locked rows.
pub(crate) fn find(rows: &[Ticket], key: TicketKey) -> Option<&Ticket> {
    rows.iter().find(|t| match key {
        TicketKey::Id(id) => t.id == id,
        TicketKey::Number(n) => t.number == n,
    })
}

/// `POST /tickets/{ticket}/merge`.
pub async fn merge(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    key: TicketKey,
    body: MergeIn,
) -> ApiResult<MergeOut> {
    let into = TicketKey::parse(&body.into)
        .ok_or_else(|| ApiError::validation("into", "must be a ticket number (TKT-10002) or id"))?;
    transact!(state, principal, ws, |conn, access| {
        let ws = access.workspace_id;
        let (ids, numbers) = split(&[key, into]);
        let rows = store::lock_tickets(conn, ws, &ids, &numbers).await?;
        let source = find(&rows, key).ok_or_else(|| ApiError::not_found("ticket"))?;
        let target = find(&rows, into).ok_or_else(|| ApiError::not_found("ticket"))?;
        check_version(source.number, source.version, body.version)?;
        check_merge(&side(source), &side(target))?;
        let (source, target) = (source.clone(), target.clone());
        merge_locked(conn, ws, &access.actor, &source, &target).await
    })
}

async fn merge_locked(
    conn: &mut Conn,
    ws: Uuid,
    actor: &crate::domain::actor::Actor,
    source: &Ticket,
    target: &Ticket,
) -> ApiResult<Changed<MergeOut>> {
    let now = Utc::now();
    let from_link = TicketLink::new(source.id, source.number);
    let into_link = TicketLink::new(target.id, target.number);
    let mut publish = Vec::new();

    // The conversation.
    let (mut moved_messages, mut moved_notes) = (0, 0);
    if source.conversation_id != target.conversation_id {
        let (from, to) = (source.conversation_id, target.conversation_id);
        let convs = store::lock_conversations(conn, ws, &[from, to]).await?;
        let from_conv = convs
            .iter()
            .find(|c| c.id == from)
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("conversation {from} vanished")))?;
        moved_messages = store::move_messages(conn, ws, from, to).await?;
        moved_notes = store::move_notes(conn, ws, from, to).await?;
        store::absorb_conversation(
            conn,
            ws,
            to,
            from_conv.last_message_at,
            from_conv.visitor_unread_count,
        )
        .await?;
        store::point_conversations(conn, ws, from, to).await?;
        // An open widget of the merged conversation switches to the surviving one.
        publish.push(BusEvent::conversation_merged(ws, from, to));
    }

    // Tags: the survivor gets the merged ticket's, up to a ticket's limit.
    let tags = tag_store::of_tickets(conn, ws, &[source.id, target.id]).await?;
    let have: Vec<Uuid> = tags
        .iter()
        .filter(|(t, _)| *t == target.id)
        .map(|(_, tag)| tag.id)
        .collect();
    let room = TAGS_PER_TICKET.saturating_sub(have.len());
    let added: Vec<TagOut> = tags
        .into_iter()
        .filter(|(t, tag)| *t == source.id && !have.contains(&tag.id))
        .map(|(_, tag)| TagOut::from(tag))
        .take(room)
        .collect();
    for tag in &added {
        tag_store::add_to_ticket(conn, ws, target.id, tag.id, now).await?;
    }

    // The merged ticket: closed, naming the survivor.
    let mut source_changes = Vec::new();
    if let Some(change) = status_locked(conn, source, TicketStatus::Closed, actor).await? {
        source_changes.push(change);
    }
    store::set_merged(conn, ws, source.id, target.id, target.number, now).await?;
    let link = serde_json::json!({"from": from_link, "into": into_link});
    record(conn, source, EventKind::MergedInto, actor, link.clone()).await?;
    let merged = Change::Merged {
        from: from_link.clone(),
        into: into_link.clone(),
    };
    source_changes.push(merged.clone());

    // The survivor.
    store::bump(conn, ws, target.id, now).await?;
    record(
        conn,
        target,
        EventKind::MergedFrom,
        actor,
        serde_json::json!({
            "from": from_link, "into": into_link,
            "messages": moved_messages, "notes": moved_notes, "tags": added,
        }),
    )
    .await?;
    for tag in &added {
        record(
            conn,
            target,
            EventKind::TagAdded,
            actor,
            serde_json::json!({"tag": tag}),
        )
        .await?;
    }
    let mut target_changes = vec![merged];
    if !added.is_empty() {
        target_changes.push(Change::Tags {
            added,
            removed: vec![],
        });
    }

    let merged_out = view(conn, ws, source.id).await?;
    let target_out = view(conn, ws, target.id).await?;
    dispatch_updated(conn, ws, &merged_out, &source_changes).await?;
    dispatch_updated(conn, ws, &target_out, &target_changes).await?;
    publish.push(updated(ws, source.id));
    publish.push(updated(ws, target.id));
    Ok(Changed {
        value: MergeOut {
            ticket: target_out,
            merged: merged_out,
        },
        publish,
    })
}
