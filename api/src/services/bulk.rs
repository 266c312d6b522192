//! One change to many tickets (docs/agent-workspace.md, "Bulk actions").
//!
//! One request, one transaction: what the request itself gets wrong (no ticket, more than
//! 100, no change, an assignee who is not a member, a tag of another workspace) is 422 and
//! changes nothing. Then every named ticket is locked in one statement, in id order (two
//! bulk changes over overlapping tickets queue instead of deadlocking), and each ticket
//! goes through the rules of the single-ticket endpoints (`services::tickets`,
//! `services::ticket_edit`: the workflow, assignment and its mail, tags, timeline,
//! `ticket.updated` webhook) inside its own savepoint. A ticket a rule refuses (an illegal
//! move, a merged ticket, too many tags) is rolled back to its savepoint and listed in
//! `refused` with the code its single endpoint answers; the others commit together, and
//! their bus events go out after the commit. The queries per request are a handful plus
//! what each ticket's own rules need; nothing is read once per ticket that could be read
//! for all (the tickets and their tags are read in one query each).

use std::collections::HashSet;

use uuid::Uuid;

use crate::config::Config;
use crate::db::models::{Ticket, Workspace};
use crate::db::{Conn, members, merge as lock_store, tags as tag_store};
use crate::domain::access::Principal;
use crate::domain::actor::Actor;
use crate::domain::merge::{BulkChange, check_bulk, ensure_not_merged};
use crate::domain::tags::TAGS_PER_TICKET;
use crate::domain::ticket_number::{TicketKey, TicketNumber};
use crate::error::{ApiError, ApiResult};
use crate::services::Changed;
use crate::services::access::transact;
use crate::services::merge::find;
use crate::services::ticket_edit::{Fields, fields_locked};
use crate::services::tickets::{
    assignee_locked, assignee_member, dispatch_updated, status_locked, updated, view,
};
use crate::services::workspaces::load as load_workspace;
use crate::state::AppState;
use crate::views::merge::{BulkIn, BulkOut, BulkRefused, BulkUpdated};
use crate::views::tags::TagOut;
use crate::webhooks::payloads::Change;

/// Whether an error is a rule's refusal of one ticket (listed in `refused`) rather than a
/// failure of the whole request.
fn refusal(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::Conflict { .. }
            | ApiError::Refused { .. }
            | ApiError::Validation(_)
            | ApiError::NotFound(_)
            | ApiError::Forbidden(_)
            | ApiError::ForbiddenCode { .. }
    )
}

fn refused(ticket: String, e: &ApiError) -> BulkRefused {
    let body = e.body();
    BulkRefused {
        ticket,
        code: body.error.code,
        message: body.error.message,
    }
}

/// The workspace's tags among `ids`; one of another workspace (or none): 422 on `field`.
async fn tags_named(
    conn: &mut Conn,
    ws: Uuid,
    ids: &[Uuid],
    field: &str,
) -> ApiResult<Vec<TagOut>> {
    let tags: Vec<TagOut> = tag_store::get_many(conn, ws, ids)
        .await?
        .into_iter()
        .map(TagOut::from)
        .collect();
    if tags.len() != ids.len() {
        return Err(ApiError::validation(
            field,
            "contains an id that is not a tag of this workspace",
        ));
    }
    Ok(tags)
}

/// What every ticket of the request gets, checked once.
struct Plan<'a> {
    config: &'a Config,
    ws: &'a Workspace,
    actor: &'a Actor,
    change: &'a BulkChange,
    member: Option<members::MemberRow>,
    add: Vec<TagOut>,
    remove: Vec<TagOut>,
}

/// `POST /tickets/bulk`.
pub async fn bulk(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    body: BulkIn,
) -> ApiResult<BulkOut> {
    let change = BulkChange {
        status: body.status,
        assignee: body.assignee_id,
        priority: body.priority,
        add_tags: body.add_tags,
        remove_tags: body.remove_tags,
    };
    let (named, change) = check_bulk(&body.tickets, change)?;
    let keys: Vec<(String, Option<TicketKey>)> = named
        .into_iter()
        .map(|text| {
            let key = TicketKey::parse(&text);
            (text, key)
        })
        .collect();
    let config = state.config.clone();
    transact!(state, principal, ws, |conn, access| {
        let ws = load_workspace(conn, access.workspace_id).await?;
        let member = match change.assignee {
            Some(a) => assignee_member(conn, ws.id, a).await?,
            None => None,
        };
        let plan = Plan {
            config: &config,
            ws: &ws,
            actor: &access.actor,
            change: &change,
            member,
            add: tags_named(conn, ws.id, &change.add_tags, "add_tags").await?,
            remove: tags_named(conn, ws.id, &change.remove_tags, "remove_tags").await?,
        };
        let (mut ids, mut numbers) = (Vec::new(), Vec::new());
        for key in keys.iter().filter_map(|(_, k)| *k) {
            match key {
                TicketKey::Id(id) => ids.push(id),
                TicketKey::Number(n) => numbers.push(n),
            }
        }
        let rows = lock_store::lock_tickets(conn, ws.id, &ids, &numbers).await?;
        let row_ids: Vec<Uuid> = rows.iter().map(|t| t.id).collect();
        let current = tag_store::of_tickets(conn, ws.id, &row_ids).await?;

        let mut out = BulkOut {
            updated: Vec::new(),
            refused: Vec::new(),
        };
        let mut publish = Vec::new();
        let mut done: HashSet<Uuid> = HashSet::new();
        for (text, key) in &keys {
            let Some(ticket) = key.and_then(|k| find(&rows, k)) else {
                out.refused
                    .push(refused(text.clone(), &ApiError::not_found("ticket")));
                continue;
            };
            if !done.insert(ticket.id) {
                continue; // named twice (by id and by number)
            }
            let tags: Vec<Uuid> = current
                .iter()
                .filter(|(t, _)| *t == ticket.id)
                .map(|(_, tag)| tag.id)
                .collect();
            let result =
                diesel_async::AsyncConnection::transaction::<_, ApiError, _>(conn, async |conn| {
                    apply_one(conn, &plan, ticket, &tags).await
                })
                .await;
            match result {
                Ok((view, changes)) => {
                    if !changes.is_empty() {
                        publish.push(updated(ws.id, ticket.id));
                    }
                    out.updated.push(BulkUpdated {
                        ticket: view,
                        changes,
                    });
                }
                Err(e) if refusal(&e) => out
                    .refused
                    .push(refused(TicketNumber::new(ticket.number).to_string(), &e)),
                Err(e) => return Err(e),
            }
        }
        Ok(Changed {
            value: out,
            publish,
        })
    })
}

/// One ticket's share of the change, in its savepoint: the same rules as the single-ticket
/// endpoints, one `ticket.updated` webhook with all its changes.
async fn apply_one(
    conn: &mut Conn,
    plan: &Plan<'_>,
    ticket: &Ticket,
    tags: &[Uuid],
) -> ApiResult<(crate::views::tickets::TicketOut, Vec<Change>)> {
    let ws = plan.ws.id;
    ensure_not_merged(ticket.number, ticket.merged_into_number)?;
    let mut changes = Vec::new();
    if let Some(to) = plan.change.status {
        changes.extend(status_locked(conn, ticket, to, plan.actor).await?);
    }
    if plan.change.assignee.is_some() {
        changes.extend(
            assignee_locked(
                conn,
                plan.config,
                plan.ws,
                plan.actor,
                ticket,
                plan.member.as_ref(),
            )
            .await?,
        );
    }
    if plan.change.touches_fields() {
        let added: Vec<TagOut> = plan
            .add
            .iter()
            .filter(|t| !tags.contains(&t.id))
            .cloned()
            .collect();
        let removed: Vec<TagOut> = plan
            .remove
            .iter()
            .filter(|t| tags.contains(&t.id))
            .cloned()
            .collect();
        if tags.len() + added.len() - removed.len() > TAGS_PER_TICKET {
            return Err(ApiError::refused(
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                "too_many_tags",
                format!(
                    "{} would have more than {TAGS_PER_TICKET} tags.",
                    TicketNumber::new(ticket.number)
                ),
            ));
        }
        let fields = Fields {
            summary: ticket.summary.clone(),
            category: ticket.category,
            priority: plan.change.priority.unwrap_or(ticket.priority),
            added,
            removed,
        };
        changes.extend(fields_locked(conn, ws, plan.actor, ticket, fields).await?);
    }
    let out = view(conn, ws, ticket.id).await?;
    if !changes.is_empty() {
        dispatch_updated(conn, ws, &out, &changes).await?;
    }
    Ok((out, changes))
}
