//! Privacy: everything stored about a visitor, exported as JSON or erased; the workspace's
//! retention policy, applied by the worker.
//!
//! An erasure removes, in one transaction: the visitor's messages (and their files' rows;
//! the stored objects go after the commit), the team's notes on their conversations,
//! their email, name, device, page, locale and host identity; their tickets stay as
//! anonymous shells (status, category, priority, tags, assignee and times, for reports:
//! summary and email become `erased`, the description and the timeline entries that quoted
//! them are emptied), and queued mail, webhook deliveries and rate-limit windows naming
//! them are deleted. The audit log records who erased which visitor id, and the counts.

use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use uuid::Uuid;

use crate::db::models::{Attachment, Visitor};
use crate::db::{self, Conn, conversations, privacy as store};
use crate::domain::access::Principal;
use crate::error::{ApiError, ApiResult};
use crate::events::{self, BusEvent};
use crate::services::access::admin;
use crate::services::{attachments, audit, tickets};
use crate::state::AppState;
use crate::views::messages::MessageOut;
use crate::views::notes::NoteOut;
use crate::views::privacy::{
    ConversationExport, PrivacySettings, TicketExport, VisitorErasure, VisitorExport,
};
use crate::views::tickets::TicketEventOut;

/// Rows per retention batch, and batches per workspace per run.
const BATCH: i64 = 200;
const MAX_BATCHES: usize = 10;
const MAX_DAYS: i32 = 3650;

fn visitor_not_found() -> ApiError {
    ApiError::not_found("visitor")
}

async fn visitor(conn: &mut Conn, ws: Uuid, id: Uuid) -> ApiResult<Visitor> {
    conversations::visitor(conn, ws, id)
        .await?
        .ok_or_else(visitor_not_found)
}

/// Everything stored about a visitor (owners and admins); recorded in the audit log.
pub async fn export(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    visitor_id: Uuid,
) -> ApiResult<VisitorExport> {
    let (mut conn, access) = admin(state, principal, ws).await?;
    let ws = access.workspace_id;
    let v = visitor(&mut conn, ws, visitor_id).await?;
    let convs = store::conversations_of(&mut conn, ws, v.id).await?;
    let conv_ids: Vec<Uuid> = convs.iter().map(|c| c.id).collect();
    let messages = store::messages_of(&mut conn, ws, &conv_ids).await?;
    let ticket_rows = store::tickets_of(&mut conn, ws, v.id).await?;
    let ticket_ids: Vec<Uuid> = ticket_rows.iter().map(|t| t.id).collect();
    let events = store::events_of(&mut conn, ws, &ticket_ids).await?;
    let notes = store::notes_of(&mut conn, ws, &conv_ids).await?;
    let mut ticket_views = Vec::with_capacity(ticket_rows.len());
    // A visitor has a few tickets: one view each (with the assignee and tags).
    for id in &ticket_ids {
        ticket_views.push(tickets::view(&mut conn, ws, *id).await?);
    }
    audit::record(
        &mut conn,
        ws,
        &access.actor,
        "visitor.exported",
        Some(("visitor", v.id)),
        serde_json::json!({"visitor_id": v.id}),
    )
    .await?;
    drop(conn);

    let conversations = convs
        .iter()
        .map(|c| {
            let of_it = messages
                .iter()
                .filter(|m| m.conversation_id == c.id)
                .cloned()
                .map(MessageOut::from)
                .collect();
            ConversationExport::new(c, of_it)
        })
        .collect();
    let tickets = ticket_views
        .into_iter()
        .map(|ticket| TicketExport {
            events: events
                .iter()
                .filter(|e| e.ticket_id == ticket.id)
                .cloned()
                .map(TicketEventOut::from)
                .collect(),
            notes: notes
                .iter()
                .filter(|n| n.conversation_id == ticket.conversation_id)
                .cloned()
                .map(NoteOut::from)
                .collect(),
            ticket,
        })
        .collect();
    Ok(VisitorExport {
        exported_at: Utc::now(),
        workspace_id: ws,
        visitor: v.into(),
        conversations,
        tickets,
    })
}

/// Erases a visitor (owners and admins; see the module's note). Again on an erased
/// visitor: nothing left to remove, zero counts.
pub async fn erase(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    visitor_id: Uuid,
) -> ApiResult<VisitorErasure> {
    let (mut conn, access) = admin(state, principal, ws).await?;
    let ws = access.workspace_id;
    let now = Utc::now();
    let actor = access.actor.clone();
    let (out, files, ticket_ids) = conn
        .transaction::<_, ApiError, _>(async |c| {
            let v = visitor(c, ws, visitor_id).await?;
            let convs = store::conversations_of(c, ws, v.id).await?;
            let conv_ids: Vec<Uuid> = convs.iter().map(|c| c.id).collect();
            let ticket_ids: Vec<Uuid> = store::tickets_of(c, ws, v.id)
                .await?
                .into_iter()
                .map(|t| t.id)
                .collect();
            let files = store::attachments_of(c, ws, Some(v.id), &conv_ids).await?;
            let removed = store::empty_conversations(c, ws, &conv_ids).await?;
            // Uploads never sent go too.
            let pending = store::delete_uploads_of(c, ws, v.id).await?;
            let tickets_anonymised = store::anonymise_tickets(c, ws, &ticket_ids, now).await?;
            let mut needles: Vec<String> = vec![v.id.to_string()];
            needles.extend(v.email.iter().cloned());
            needles.extend(v.external_id.iter().cloned());
            needles.extend(conv_ids.iter().map(Uuid::to_string));
            needles.extend(ticket_ids.iter().map(Uuid::to_string));
            store::forget_mentions(c, ws, &needles).await?;
            store::erase_visitor(c, ws, v.id, now).await?;
            let out = VisitorErasure {
                visitor_id: v.id,
                erased_at: now,
                conversations: conv_ids.len(),
                messages_deleted: removed.messages,
                attachments_deleted: removed.attachments + pending,
                tickets_anonymised,
            };
            audit::record(
                c,
                ws,
                &actor,
                "visitor.erased",
                Some(("visitor", v.id)),
                serde_json::json!({
                    "visitor_id": v.id,
                    "messages_deleted": out.messages_deleted,
                    "attachments_deleted": out.attachments_deleted,
                    "tickets_anonymised": out.tickets_anonymised,
                }),
            )
            .await?;
            Ok((out, files, ticket_ids))
        })
        .await?;
    drop(conn);
    remove_files(state, &files).await;
    state
        .publish_all(
            ticket_ids
                .into_iter()
                .map(|id| BusEvent::ticket(events::TICKET_UPDATED, ws, id))
                .collect(),
        )
        .await;
    Ok(out)
}

/// The stored objects of deleted rows (after the commit: a failed transaction keeps
/// both; a crash in between leaves objects no row names, never a row without its object).
async fn remove_files(state: &AppState, files: &[Attachment]) {
    for f in files {
        attachments::remove_objects(state, f).await;
    }
}

fn policy_of(ws: &crate::db::models::Workspace) -> PrivacySettings {
    PrivacySettings {
        conversations_without_ticket_days: ws.retain_conversations_days,
        closed_tickets_days: ws.anonymise_closed_tickets_days,
    }
}

pub async fn settings(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
) -> ApiResult<PrivacySettings> {
    let (mut conn, access) = admin(state, principal, ws).await?;
    let ws = crate::services::workspaces::load(&mut conn, access.workspace_id).await?;
    Ok(policy_of(&ws))
}

/// Sets the retention policy (owners and admins); recorded in the audit log.
pub async fn update_settings(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    body: PrivacySettings,
) -> ApiResult<PrivacySettings> {
    for (field, days) in [
        (
            "conversations_without_ticket_days",
            body.conversations_without_ticket_days,
        ),
        ("closed_tickets_days", body.closed_tickets_days),
    ] {
        if days.is_some_and(|d| !(1..=MAX_DAYS).contains(&d)) {
            return Err(ApiError::validation(
                field,
                format!("must be between 1 and {MAX_DAYS} days, or null to keep forever"),
            ));
        }
    }
    let (mut conn, access) = admin(state, principal, ws).await?;
    let ws = access.workspace_id;
    let actor = access.actor.clone();
    let saved = conn
        .transaction::<_, ApiError, _>(async |c| {
            let w = db::workspaces::set_retention(
                c,
                ws,
                body.conversations_without_ticket_days,
                body.closed_tickets_days,
            )
            .await?
            .ok_or_else(|| ApiError::not_found("workspace"))?;
            let saved = policy_of(&w);
            audit::record(
                c,
                ws,
                &actor,
                "privacy.updated",
                None,
                serde_json::to_value(&saved).unwrap_or_default(),
            )
            .await?;
            Ok(saved)
        })
        .await?;
    Ok(saved)
}

/// What one retention run removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub conversations_deleted: usize,
    pub tickets_anonymised: usize,
}

/// Applies every workspace's retention policy (the worker calls it with the other
/// retention sweeps).
pub async fn sweep(state: &AppState) -> ApiResult<Swept> {
    let mut conn = db::conn(&state.pool).await?;
    let policies = store::with_policy(&mut conn).await?;
    drop(conn);
    let now = Utc::now();
    let mut swept = Swept::default();
    for (ws, conv_days, ticket_days) in policies {
        if let Some(days) = conv_days {
            swept.conversations_deleted += sweep_conversations(state, ws, ago(now, days)).await?;
        }
        if let Some(days) = ticket_days {
            swept.tickets_anonymised += sweep_tickets(state, ws, ago(now, days)).await?;
        }
    }
    if swept != Swept::default() {
        tracing::info!(?swept, "retention policies applied");
    }
    Ok(swept)
}

fn ago(now: DateTime<Utc>, days: i32) -> DateTime<Utc> {
    now - chrono::Duration::days(i64::from(days))
}

/// Conversations without a ticket, quiet since `before`: deleted with their files.
async fn sweep_conversations(
    state: &AppState,
    ws: Uuid,
    before: DateTime<Utc>,
) -> ApiResult<usize> {
    let mut total = 0;
    for _ in 0..MAX_BATCHES {
        let mut conn = db::conn(&state.pool).await?;
        let (n, files) = conn
            .transaction::<_, ApiError, _>(async |c| {
                let ids = store::idle_without_ticket(c, ws, before, BATCH).await?;
                if ids.is_empty() {
                    return Ok((0, vec![]));
                }
                let files = store::attachments_of(c, ws, None, &ids).await?;
                let needles: Vec<String> = ids.iter().map(Uuid::to_string).collect();
                store::forget_mentions(c, ws, &needles).await?;
                let n = store::delete_conversations(c, ws, &ids).await?;
                Ok((n, files))
            })
            .await?;
        drop(conn);
        remove_files(state, &files).await;
        total += n;
        if i64::try_from(n).unwrap_or(i64::MAX) < BATCH {
            break;
        }
    }
    Ok(total)
}

/// Tickets closed before `before` (their conversation quiet since then, no newer ticket
/// in it): anonymised, their conversation emptied.
async fn sweep_tickets(state: &AppState, ws: Uuid, before: DateTime<Utc>) -> ApiResult<usize> {
    let now = Utc::now();
    let mut total = 0;
    for _ in 0..MAX_BATCHES {
        let mut conn = db::conn(&state.pool).await?;
        let (n, picked, files) = conn
            .transaction::<_, ApiError, _>(async |c| {
                let rows = store::closed_before(c, ws, before, BATCH).await?;
                if rows.is_empty() {
                    return Ok((0, 0, vec![]));
                }
                let convs: Vec<Uuid> = rows.iter().map(|r| r.1).collect();
                // Every ticket of those conversations (an older one closed before).
                let ids = store::tickets_in(c, ws, &convs).await?;
                let files = store::attachments_of(c, ws, None, &convs).await?;
                store::empty_conversations(c, ws, &convs).await?;
                let n = store::anonymise_tickets(c, ws, &ids, now).await?;
                let needles: Vec<String> = convs
                    .iter()
                    .chain(ids.iter())
                    .map(Uuid::to_string)
                    .collect();
                store::forget_mentions(c, ws, &needles).await?;
                Ok((n, rows.len(), files))
            })
            .await?;
        drop(conn);
        remove_files(state, &files).await;
        total += n;
        if i64::try_from(picked).unwrap_or(i64::MAX) < BATCH {
            break;
        }
    }
    Ok(total)
}
