//! `PATCH /tickets/{ticket}`: summary, category, priority and tags in one change, with the
//! ticket's `version` (409 when stale). Each changed field is its own timeline entry and
//! its own entry in the `ticket.updated` webhook's `changes`; nothing changed, nothing
//! recorded. Any member (and API keys) may edit; managing the tags themselves is for
//! admins (services::tags).

use chrono::Utc;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::Ticket;
use crate::db::tags as tag_store;
use crate::domain::access::Principal;
use crate::domain::actor::Actor;
use crate::domain::enums::{TicketCategory, TicketPriority};
use crate::domain::tags::{tag_diff, ticket_summary};
use crate::domain::ticket_number::TicketKey;
use crate::domain::tickets::{EventKind, check_version};
use crate::error::{ApiError, ApiResult};
use crate::services::Changed;
use crate::services::access::transact;
use crate::services::tickets::{dispatch_updated, lock, record, updated, view};
use crate::state::AppState;
use crate::views::tags::{TagOut, TicketPatch};
use crate::views::tickets::TicketOut;
use crate::webhooks::payloads::Change;

pub async fn edit(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    key: TicketKey,
    body: TicketPatch,
) -> ApiResult<TicketOut> {
    transact!(state, principal, ws, |conn, access| {
        let ws = access.workspace_id;
        let actor = &access.actor;
        let ticket = lock(conn, ws, key).await?;
        check_version(ticket.number, ticket.version, body.version)?;

        let summary = match body.summary.as_deref() {
            Some(s) => ticket_summary(s)?,
            None => ticket.summary.clone(),
        };
        let category = body.category.unwrap_or(ticket.category);
        let priority = body.priority.unwrap_or(ticket.priority);
        let current: Vec<TagOut> = tag_store::of_tickets(conn, ws, &[ticket.id])
            .await?
            .into_iter()
            .map(|(_, t)| TagOut::from(t))
            .collect();
        let diff = match &body.tags {
            Some(wanted) => {
                let ids: Vec<Uuid> = current.iter().map(|t| t.id).collect();
                tag_diff(&ids, wanted)?
            }
            None => Default::default(),
        };
        let added: Vec<TagOut> = tag_store::get_many(conn, ws, &diff.added)
            .await?
            .into_iter()
            .map(TagOut::from)
            .collect();
        if added.len() != diff.added.len() {
            return Err(ApiError::validation(
                "tags",
                "contains an id that is not a tag of this workspace",
            ));
        }
        let removed: Vec<TagOut> = current
            .into_iter()
            .filter(|t| diff.removed.contains(&t.id))
            .collect();

        let fields = Fields {
            summary,
            category,
            priority,
            added,
            removed,
        };
        let changes = fields_locked(conn, ws, actor, &ticket, fields).await?;
        if changes.is_empty() {
            return Ok(Changed::nothing(view(conn, ws, ticket.id).await?));
        }
        let out = view(conn, ws, ticket.id).await?;
        dispatch_updated(conn, ws, &out, &changes).await?;
        Ok(Changed {
            publish: vec![updated(ws, out.id)],
            value: out,
        })
    })
}

/// The new values of a locked ticket's fields, and the tags to add and remove (already
/// checked against the workspace's tags and the ticket's current ones).
pub(crate) struct Fields {
    pub summary: String,
    pub category: TicketCategory,
    pub priority: TicketPriority,
    pub added: Vec<TagOut>,
    pub removed: Vec<TagOut>,
}

/// Applies an edit to a locked ticket: one timeline entry per changed field (one per tag),
/// and the changes for the caller's `ticket.updated` webhook (none: nothing written).
pub(crate) async fn fields_locked(
    conn: &mut Conn,
    ws: Uuid,
    actor: &Actor,
    ticket: &Ticket,
    fields: Fields,
) -> ApiResult<Vec<Change>> {
    let Fields {
        summary,
        category,
        priority,
        added,
        removed,
    } = fields;
    let diff_empty = added.is_empty() && removed.is_empty();
    let mut changes = Vec::new();
    if summary != ticket.summary {
        changes.push(Change::Summary {
            from: ticket.summary.clone(),
            to: summary.clone(),
        });
    }
    if category != ticket.category {
        changes.push(Change::Category {
            from: ticket.category,
            to: category,
        });
    }
    if priority != ticket.priority {
        changes.push(Change::Priority {
            from: ticket.priority,
            to: priority,
        });
    }
    if !diff_empty {
        changes.push(Change::Tags {
            added: added.clone(),
            removed: removed.clone(),
        });
    }
    if changes.is_empty() {
        return Ok(changes);
    }

    let now = Utc::now();
    tag_store::set_fields(conn, ws, ticket.id, (&summary, category, priority), now).await?;
    for tag in &added {
        tag_store::add_to_ticket(conn, ws, ticket.id, tag.id, now).await?;
    }
    for tag in &removed {
        tag_store::remove_from_ticket(conn, ws, ticket.id, tag.id).await?;
    }
    for change in &changes {
        match change {
            Change::Summary { from, to } => {
                record(
                    conn,
                    ticket,
                    EventKind::SummaryChanged,
                    actor,
                    serde_json::json!({"from": from, "to": to}),
                )
                .await?
            }
            Change::Category { from, to } => {
                record(
                    conn,
                    ticket,
                    EventKind::CategoryChanged,
                    actor,
                    serde_json::json!({"from": from, "to": to}),
                )
                .await?
            }
            Change::Priority { from, to } => {
                record(
                    conn,
                    ticket,
                    EventKind::PriorityChanged,
                    actor,
                    serde_json::json!({"from": from, "to": to}),
                )
                .await?
            }
            Change::Tags { added, removed } => {
                for tag in added {
                    record(
                        conn,
                        ticket,
                        EventKind::TagAdded,
                        actor,
                        serde_json::json!({"tag": tag}),
                    )
                    .await?;
                }
                for tag in removed {
                    record(
                        conn,
                        ticket,
                        EventKind::TagRemoved,
                        actor,
                        serde_json::json!({"tag": tag}),
                    )
                    .await?;
                }
            }
            Change::Status { .. } | Change::Assignee { .. } | Change::Merged { .. } => {}
        }
    }
    Ok(changes)
}
