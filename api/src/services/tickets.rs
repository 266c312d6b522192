//! The ticket use cases: create, list, counts, detail, workflow moves, assignment, replies,
//! the visitor-reopens rule and the timeline.
//!
//! The public functions are whole requests: access check, one transaction, the bus events
//! published after the commit. The `*_in` functions run inside a caller's transaction (the
//! visitor turn creates and reopens tickets in its own) and return what to publish. Rules
//! come from `domain::tickets` and `domain::workflow`, SQL from `db::tickets`, mail texts
//! from `mail::tickets`, webhook payloads from `webhooks::payloads`.

use chrono::Utc;
use uuid::Uuid;

use crate::config::Config;
use crate::db::models::{Message, NewTicket, NewVisitor, Ticket, TicketEvent, Workspace};
use crate::db::tickets::{self as store, AssigneeFilter, ListQuery, Search};
use crate::db::{Conn, conversations, members, reads};
use crate::domain::access::{Access, Denied, Principal};
use crate::domain::actor::Actor;
use crate::domain::enums::{ActorKind, TicketCategory, TicketSource, TicketStatus};
use crate::domain::merge::ensure_not_merged;
use crate::domain::origins;
use crate::domain::page::{Page, PageRequest};
use crate::domain::tags::{decode_priority_cursor, encode_priority_cursor};
use crate::domain::ticket_number::{TicketKey, TicketNumber};
use crate::domain::tickets::{
    EventKind, TicketAlreadyOpen, TicketFields, TicketRef, TicketSort, check_version,
    ensure_no_open_ticket, reply_text, timestamps_after,
};
use crate::domain::workflow::{self, Transition};
use crate::error::{ApiError, ApiResult};
use crate::events::{self, BusEvent};
use crate::mail;
use crate::services::Changed;
use crate::services::access::{access, transact};
use crate::services::workspaces::load as load_workspace;
use crate::services::{attachments, tags};
use crate::state::AppState;
use crate::views::messages::MessageOut;
use crate::views::tickets::{
    AssignTicket, ChangeStatus, CreateTicket, ReplyIn, TicketCounts, TicketDetail, TicketEventOut,
    TicketList, TicketListQuery, TicketOut, VisitorOut,
};
use crate::webhooks::{self, payloads};

// ---------------------------------------------------------------- helpers

/// The `{ticket}` path segment: a UUID or `TKT-10001`; anything else names no ticket.
pub fn parse_key(text: &str) -> ApiResult<TicketKey> {
    TicketKey::parse(text).ok_or_else(|| ApiError::not_found("ticket"))
}

pub(crate) async fn view(conn: &mut Conn, workspace_id: Uuid, id: Uuid) -> ApiResult<TicketOut> {
    let row = store::ticket_row(conn, workspace_id, id)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("ticket {id} vanished")))?;
    let mut out = [TicketOut::from(row)];
    tags::fill(conn, workspace_id, &mut out).await?;
    let [out] = out;
    Ok(out)
}

pub(crate) async fn record(
    conn: &mut Conn,
    ticket: &Ticket,
    kind: EventKind,
    actor: &Actor,
    data: serde_json::Value,
) -> ApiResult<()> {
    store::insert_event(
        conn,
        TicketEvent {
            id: Uuid::now_v7(),
            workspace_id: ticket.workspace_id,
            ticket_id: ticket.id,
            kind: kind.as_str().into(),
            actor_type: actor.kind,
            actor_id: actor.id,
            actor_name: actor.name.clone(),
            data,
            created_at: Utc::now(),
        },
    )
    .await?;
    Ok(())
}

fn dashboard_link(config: &Config, workspace_id: Uuid, number: &str) -> String {
    format!(
        "{}/w/{workspace_id}/tickets/{number}",
        config.public_url.trim_end_matches('/')
    )
}

/// Locks a ticket for a change. A merged ticket takes none: 409 `ticket_merged`, naming
/// the ticket to work on instead.
pub(crate) async fn lock(conn: &mut Conn, workspace_id: Uuid, key: TicketKey) -> ApiResult<Ticket> {
    let ticket = store::lock_ticket(conn, workspace_id, key)
        .await?
        .ok_or_else(|| ApiError::not_found("ticket"))?;
    ensure_not_merged(ticket.number, ticket.merged_into_number)?;
    Ok(ticket)
}

pub(crate) fn updated(workspace_id: Uuid, ticket_id: Uuid) -> BusEvent {
    BusEvent::ticket(events::TICKET_UPDATED, workspace_id, ticket_id)
}

/// The webhooks of a change, in the caller's transaction: `ticket.updated`, and
/// `ticket.assigned` when the assignee is among the changes (whichever path made it: one
/// ticket, a bulk change, a member's removal).
pub(crate) async fn dispatch_updated(
    conn: &mut Conn,
    workspace_id: Uuid,
    ticket: &TicketOut,
    changes: &[payloads::Change],
) -> ApiResult<()> {
    webhooks::dispatch(
        conn,
        workspace_id,
        webhooks::TICKET_UPDATED,
        &payloads::TicketUpdated { ticket, changes },
    )
    .await?;
    for change in changes {
        if let payloads::Change::Assignee { from, .. } = change {
            webhooks::dispatch(
                conn,
                workspace_id,
                webhooks::TICKET_ASSIGNED,
                &payloads::TicketAssigned {
                    ticket,
                    previous_assignee_id: *from,
                },
            )
            .await?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- create

/// What creating a ticket needs. With `conversation_id` the ticket joins that conversation
/// and its visitor (the assistant's handoff); without, the visitor is found by email or
/// created, with a new conversation so that replies always have a place to go.
#[derive(Debug, Clone)]
pub struct NewTicketInput {
    pub visitor_email: String,
    pub summary: String,
    pub description: String,
    pub category: TicketCategory,
    pub source: TicketSource,
    pub conversation_id: Option<Uuid>,
    /// The visitor's language (ISO 639-1); the conversation's when `None`.
    pub language: Option<String>,
}

/// A ticket just created: its id and number (kept as a number until rendered) and view.
#[derive(Debug, Clone)]
pub struct Created {
    pub id: Uuid,
    pub number: i64,
    pub view: TicketOut,
}

/// `POST /tickets`: source `api` for API keys, `dashboard` for users.
pub async fn create(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    body: CreateTicket,
) -> ApiResult<TicketOut> {
    let config = state.config.clone();
    transact!(state, principal, ws, |conn, access| {
        let input = NewTicketInput {
            visitor_email: body.visitor_email,
            summary: body.summary,
            description: body.description.unwrap_or_default(),
            category: body.category.unwrap_or(TicketCategory::Other),
            source: if access.is_api_key() {
                TicketSource::Api
            } else {
                TicketSource::Dashboard
            },
            conversation_id: body.conversation_id,
            language: None,
        };
        let ws = load_workspace(conn, access.workspace_id).await?;
        let created = create_in(conn, &config, &ws, input, &access.actor).await??;
        Ok(Changed {
            value: created.value.view,
            publish: created.publish,
        })
    })
}

/// Creates a ticket in the caller's transaction: the next number, the ticket, its
/// `created` event, the notification mail and the `ticket.created` webhooks together. A
/// conversation that already has an open ticket gets no second one: the inner `Err` names
/// the open ticket (the REST API answers 409 with it, the assistant adds to it).
pub async fn create_in(
    conn: &mut Conn,
    config: &Config,
    ws: &Workspace,
    input: NewTicketInput,
    actor: &Actor,
) -> ApiResult<Result<Changed<Created>, TicketAlreadyOpen>> {
    ws.tickets_available()?;
    let fields = TicketFields::parse(&input.visitor_email, &input.summary, input.description)?;

    let (visitor_id, conversation_id, language) = match input.conversation_id {
        Some(cid) => {
            // The row lock serialises concurrent creations on one conversation.
            let conversation = conversations::conversation(conn, ws.id, cid, true)
                .await?
                .ok_or_else(|| {
                    ApiError::validation(
                        "conversation_id",
                        "no such conversation in this workspace",
                    )
                })?;
            let latest = conversations::latest_ticket(conn, ws.id, cid).await?;
            if let Err(open) = ensure_no_open_ticket(latest.map(TicketRef::from)) {
                return Ok(Err(open));
            }
            store::set_visitor_email_if_missing(
                conn,
                ws.id,
                conversation.visitor_id,
                &fields.visitor_email,
            )
            .await?;
            (
                conversation.visitor_id,
                conversation.id,
                input.language.or(conversation.language),
            )
        }
        None => {
            let visitor =
                match store::find_visitor_by_email(conn, ws.id, &fields.visitor_email).await? {
                    Some(v) => v,
                    None => {
                        conversations::insert_visitor(
                            conn,
                            NewVisitor {
                                id: Uuid::now_v7(),
                                workspace_id: ws.id,
                                email: Some(fields.visitor_email.clone()),
                                ..NewVisitor::default()
                            },
                        )
                        .await?
                    }
                };
            let conversation = conversations::insert_conversation(conn, ws.id, visitor.id).await?;
            (visitor.id, conversation.id, input.language)
        }
    };

    let number = store::next_number(conn, ws.id).await?;
    let ticket = store::insert_ticket(
        conn,
        NewTicket {
            id: Uuid::now_v7(),
            workspace_id: ws.id,
            number,
            summary: fields.summary,
            description: fields.description,
            category: input.category,
            source: input.source,
            visitor_id,
            visitor_email: fields.visitor_email,
            conversation_id,
            language,
        },
    )
    .await?;
    record(
        conn,
        &ticket,
        EventKind::Created,
        actor,
        serde_json::json!({"source": input.source, "number": TicketNumber::new(number).to_string()}),
    )
    .await?;
    let out = view(conn, ws.id, ticket.id).await?;
    notify_created(conn, config, ws, &out).await?;
    Ok(Ok(Changed {
        publish: vec![BusEvent::ticket(events::TICKET_CREATED, ws.id, out.id)],
        value: Created {
            id: ticket.id,
            number: ticket.number,
            view: out,
        },
    }))
}

/// The new-ticket mail to the workspace's notification address and the `ticket.created`
/// webhooks, in the caller's transaction.
async fn notify_created(
    conn: &mut Conn,
    config: &Config,
    ws: &Workspace,
    ticket: &TicketOut,
) -> ApiResult<()> {
    if let Some(to) = ws
        .notification_email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        let link = dashboard_link(config, ws.id, &ticket.number);
        mail::queue(
            conn,
            Some(ws.id),
            &mail::tickets::new_ticket(to, &ws.name, ticket, &link),
        )
        .await?;
    }
    if ws.acknowledge_tickets {
        // "We got your request TKT-10001": from the workspace's sender, the root of the
        // ticket's mail thread, so that the visitor's answer (and later mail) threads.
        let route = email_replies_on(config, ws);
        mail::tickets::queue_threaded(
            conn,
            config,
            ws,
            ticket.id,
            mail::notifications::acknowledgement(&ticket.visitor_email, &ws.name, ticket, route),
            route,
        )
        .await?;
    }
    webhooks::dispatch(
        conn,
        ws.id,
        webhooks::TICKET_CREATED,
        &payloads::TicketCreated { ticket },
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------- read

/// The list endpoint's query, checked.
fn parse_list(
    q: &TicketListQuery,
    access: &Access,
) -> ApiResult<(ListQuery, PageRequest, TicketSort)> {
    let nonempty = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let status = match nonempty(&q.status) {
        Some(s) => Some(TicketStatus::parse(&s).ok_or_else(|| {
            ApiError::validation(
                "status",
                "must be one of open, in_progress, resolved, closed",
            )
        })?),
        None => None,
    };
    let assignee = match nonempty(&q.assignee).as_deref() {
        None => None,
        Some("none") => Some(AssigneeFilter::Unassigned),
        Some("me") => Some(AssigneeFilter::User(access.user_id.ok_or_else(|| {
            ApiError::validation(
                "assignee",
                "`me` needs a user session; pass a user id with an API key",
            )
        })?)),
        Some(other) => Some(AssigneeFilter::User(Uuid::try_parse(other).map_err(
            |_| ApiError::validation("assignee", "must be `me`, `none` or a user id"),
        )?)),
    };
    let sort = match nonempty(&q.sort) {
        None => TicketSort::default(),
        Some(s) => TicketSort::parse(&s).ok_or_else(|| {
            ApiError::validation(
                "sort",
                "must be one of created_desc, created_asc, updated_desc, priority_desc",
            )
        })?,
    };
    let tag = match nonempty(&q.tag) {
        Some(t) => {
            Some(Uuid::try_parse(&t).map_err(|_| ApiError::validation("tag", "must be a tag id"))?)
        }
        None => None,
    };
    // The priority sort's cursor carries the priority too (domain::tags).
    let (page, after_priority) = if sort == TicketSort::PriorityDesc {
        let page = PageRequest::parse(q.limit, None, sort.tag())?;
        match nonempty(&q.cursor) {
            Some(c) => {
                let (p, ts, id) = decode_priority_cursor(&c)
                    .map_err(|e| ApiError::validation("cursor", e.to_string()))?;
                let after = Some(crate::domain::cursor::Cursor::new(ts, id));
                (PageRequest { after, ..page }, Some(p))
            }
            None => (page, None),
        }
    } else {
        (
            PageRequest::parse(q.limit, q.cursor.as_deref(), sort.tag())?,
            None,
        )
    };
    let q_text = nonempty(&q.q);
    if q_text.as_ref().is_some_and(|t| t.chars().count() > 200) {
        return Err(ApiError::validation("q", "must be at most 200 characters"));
    }
    let search = q_text
        .as_deref()
        .map(|q| match TicketNumber::parse_search(q) {
            Some(n) => Search::Number(n.value()),
            None => Search::Text(store::contains_pattern(q)),
        });
    let query = ListQuery {
        workspace_id: access.workspace_id,
        status,
        assignee,
        search,
        order: sort,
        tag,
        after: page.after_key(),
        after_priority,
        fetch: page.fetch(),
    };
    Ok((query, page, sort))
}

/// One page of the list (filters, sort, keyset cursor).
pub async fn list(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    q: &TicketListQuery,
) -> ApiResult<TicketList> {
    let (mut conn, access) = access(state, principal, ws).await?;
    let (query, page, sort) = parse_list(q, &access)?;
    let rows = match query.tag {
        Some(tag) => crate::db::tags::list_tagged(&mut conn, &query, tag).await?,
        None => store::list(&mut conn, &query).await?,
    };
    let mut rows: Vec<TicketOut> = rows.into_iter().map(TicketOut::from).collect();
    tags::fill(&mut conn, access.workspace_id, &mut rows).await?;
    if let Some(user) = access.user_id {
        let ids: Vec<Uuid> = rows.iter().map(|t| t.id).collect();
        let unread: std::collections::HashMap<Uuid, i64> =
            reads::ticket_unread(&mut conn, access.workspace_id, user, &ids)
                .await?
                .into_iter()
                .collect();
        for t in &mut rows {
            t.unread_count = unread.get(&t.id).copied();
        }
    }
    let Page {
        items,
        mut next_cursor,
    } = Page::from_rows(rows, &page, sort.tag(), |t| {
        let ts = match sort {
            TicketSort::CreatedDesc | TicketSort::CreatedAsc | TicketSort::PriorityDesc => {
                t.created_at
            }
            TicketSort::UpdatedDesc => t.updated_at,
        };
        (ts, t.id)
    });
    if sort == TicketSort::PriorityDesc
        && next_cursor.is_some()
        && let Some(last) = items.last()
    {
        next_cursor = Some(encode_priority_cursor(
            last.priority,
            last.created_at,
            last.id,
        ));
    }
    Ok(TicketList { items, next_cursor })
}

/// The counts behind the filter buttons ("mine" is 0 for API keys).
pub async fn counts(state: &AppState, principal: &Principal, ws: Uuid) -> ApiResult<TicketCounts> {
    let (mut conn, access) = access(state, principal, ws).await?;
    let c = store::counts(&mut conn, access.workspace_id, access.user_id).await?;
    Ok(TicketCounts {
        all: c.all,
        mine: c.mine,
        open: c.open,
        in_progress: c.in_progress,
        resolved: c.resolved,
        closed: c.closed,
    })
}

/// Ticket, visitor, the whole conversation in order, and the timeline.
pub async fn detail(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    key: TicketKey,
) -> ApiResult<TicketDetail> {
    let (mut conn, access) = access(state, principal, ws).await?;
    let ws = access.workspace_id;
    let row = store::ticket_row_by(&mut conn, ws, key)
        .await?
        .ok_or_else(|| ApiError::not_found("ticket"))?;
    let (visitor_id, conversation_id, id) = (row.0.visitor_id, row.0.conversation_id, row.0.id);
    let visitor = conversations::visitor(&mut conn, ws, visitor_id)
        .await?
        .ok_or_else(|| ApiError::not_found("visitor"))?;
    let messages = store::messages_of(&mut conn, ws, conversation_id).await?;
    let events = store::events_of(&mut conn, ws, id).await?;
    let notes = crate::db::notes::of_conversation(&mut conn, ws, conversation_id).await?;
    let mut ticket = [TicketOut::from(row)];
    tags::fill(&mut conn, ws, &mut ticket).await?;
    let [mut ticket] = ticket;
    let mut unread_mentions = None;
    if let Some(user) = access.user_id {
        ticket.unread_count = reads::ticket_unread(&mut conn, ws, user, &[id])
            .await?
            .first()
            .map(|(_, n)| *n);
        unread_mentions =
            Some(crate::db::notes::unread(&mut conn, ws, user, Some(conversation_id)).await?);
    }
    let viewers = crate::views::viewers::TicketViewersOut::read(&mut conn, ws, id).await?;
    Ok(TicketDetail {
        ticket,
        viewers,
        visitor: VisitorOut::from(visitor),
        messages: messages.into_iter().map(MessageOut::from).collect(),
        events: events.into_iter().map(TicketEventOut::from).collect(),
        notes: notes.into_iter().map(Into::into).collect(),
        unread_mentions,
    })
}

/// The ticket's timeline, oldest first.
pub async fn events_of(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    key: TicketKey,
) -> ApiResult<Vec<TicketEventOut>> {
    let (mut conn, access) = access(state, principal, ws).await?;
    let ticket = store::ticket_row_by(&mut conn, access.workspace_id, key)
        .await?
        .ok_or_else(|| ApiError::not_found("ticket"))?;
    Ok(
        store::events_of(&mut conn, access.workspace_id, ticket.0.id)
            .await?
            .into_iter()
            .map(TicketEventOut::from)
            .collect(),
    )
}

// ---------------------------------------------------------------- workflow

async fn apply_move(
    conn: &mut Conn,
    ticket: &Ticket,
    to: TicketStatus,
    kind: EventKind,
    actor: &Actor,
) -> ApiResult<()> {
    let now = Utc::now();
    let (resolved_at, closed_at) = timestamps_after(ticket.resolved_at, to, now);
    store::set_status(conn, ticket, to, resolved_at, closed_at, now).await?;
    record(
        conn,
        ticket,
        kind,
        actor,
        serde_json::json!({"from": ticket.status, "to": to}),
    )
    .await
}

/// Moves a ticket along the workflow. Same status: no change, no event.
pub async fn change_status(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    key: TicketKey,
    body: ChangeStatus,
) -> ApiResult<TicketOut> {
    transact!(state, principal, ws, |conn, access| {
        let ws = access.workspace_id;
        let ticket = lock(conn, ws, key).await?;
        check_version(ticket.number, ticket.version, body.version)?;
        match status_locked(conn, &ticket, body.status, &access.actor).await? {
            None => Ok(Changed::nothing(view(conn, ws, ticket.id).await?)),
            Some(change) => {
                let out = view(conn, ws, ticket.id).await?;
                dispatch_updated(conn, ws, &out, &[change]).await?;
                Ok(Changed {
                    publish: vec![updated(ws, out.id)],
                    value: out,
                })
            }
        }
    })
}

/// A workflow move of a locked ticket (`domain::workflow`): the change, or `None` when it
/// already has that status. The caller sends the `ticket.updated` webhook.
pub(crate) async fn status_locked(
    conn: &mut Conn,
    ticket: &Ticket,
    to: TicketStatus,
    actor: &Actor,
) -> ApiResult<Option<payloads::Change>> {
    match workflow::transition(ticket.status, to)? {
        Transition::NoOp => Ok(None),
        Transition::Move { .. } => {
            apply_move(conn, ticket, to, EventKind::StatusChanged, actor).await?;
            Ok(Some(payloads::Change::Status {
                from: ticket.status,
                to,
            }))
        }
    }
}

/// Assigns a ticket to a member (or nobody with `assignee_id: null`). Not a member: 422.
pub async fn assign(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    key: TicketKey,
    body: AssignTicket,
) -> ApiResult<TicketOut> {
    let config = state.config.clone();
    transact!(state, principal, ws, |conn, access| {
        assign_in(conn, &config, access, key, body.assignee_id, body.version).await
    })
}

/// "Assign to me": needs a user session.
pub async fn assign_to_me(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    key: TicketKey,
    version: Option<i32>,
) -> ApiResult<TicketOut> {
    let config = state.config.clone();
    transact!(state, principal, ws, |conn, access| {
        let me = access.user_id.ok_or(Denied::AssignToMeNeedsUser)?;
        assign_in(conn, &config, access, key, Some(me), version).await
    })
}

async fn assign_in(
    conn: &mut Conn,
    config: &Config,
    access: &Access,
    key: TicketKey,
    assignee: Option<Uuid>,
    version: Option<i32>,
) -> ApiResult<Changed<TicketOut>> {
    let ws = load_workspace(conn, access.workspace_id).await?;
    let ticket = lock(conn, ws.id, key).await?;
    check_version(ticket.number, ticket.version, version)?;
    let member = assignee_member(conn, ws.id, assignee).await?;
    match assignee_locked(conn, config, &ws, &access.actor, &ticket, member.as_ref()).await? {
        None => Ok(Changed::nothing(view(conn, ws.id, ticket.id).await?)),
        Some(change) => {
            let out = view(conn, ws.id, ticket.id).await?;
            dispatch_updated(conn, ws.id, &out, &[change]).await?;
            Ok(Changed {
                publish: vec![updated(ws.id, out.id)],
                value: out,
            })
        }
    }
}

/// The member a ticket is to be assigned to (`None`: unassign); not a member: 422.
pub(crate) async fn assignee_member(
    conn: &mut Conn,
    workspace_id: Uuid,
    assignee: Option<Uuid>,
) -> ApiResult<Option<members::MemberRow>> {
    match assignee {
        Some(user_id) => Ok(Some(
            members::get(conn, workspace_id, user_id)
                .await?
                .ok_or_else(|| {
                    ApiError::validation("assignee_id", "is not a member of this workspace")
                })?,
        )),
        None => Ok(None),
    }
}

/// Assigns a locked ticket to `member` (or nobody): the timeline entry and the assignee's
/// mail (unless they assigned themselves); `None` when nothing changes. The caller sends
/// the `ticket.updated` webhook.
pub(crate) async fn assignee_locked(
    conn: &mut Conn,
    config: &Config,
    ws: &Workspace,
    actor: &Actor,
    ticket: &Ticket,
    member: Option<&members::MemberRow>,
) -> ApiResult<Option<payloads::Change>> {
    let assignee = member.map(|m| m.0);
    if ticket.assignee_id == assignee {
        return Ok(None);
    }
    store::set_assignee(conn, ticket, assignee, Utc::now()).await?;
    match member {
        Some((id, _, name, _)) => {
            record(
                conn,
                ticket,
                EventKind::Assigned,
                actor,
                serde_json::json!({"assignee": {"id": id, "name": name}, "previous": ticket.assignee_id}),
            )
            .await?
        }
        None => {
            record(
                conn,
                ticket,
                EventKind::Unassigned,
                actor,
                serde_json::json!({"previous": ticket.assignee_id}),
            )
            .await?
        }
    }
    if let Some((id, email, name, _)) = member
        && actor.id != Some(*id)
    {
        let out = view(conn, ws.id, ticket.id).await?;
        let link = dashboard_link(config, ws.id, &out.number);
        mail::queue(
            conn,
            Some(ws.id),
            &mail::tickets::assigned(email, name, &ws.name, &out, actor, &link),
        )
        .await?;
    }
    Ok(Some(payloads::Change::Assignee {
        from: ticket.assignee_id,
        to: assignee,
    }))
}

/// A removed member's tickets go back to the unassigned queue, in the removal's
/// transaction (history, `ticket.updated` webhooks); returns what to announce.
pub async fn unassign_member(
    conn: &mut Conn,
    access: &Access,
    member: Uuid,
) -> ApiResult<Vec<BusEvent>> {
    let ws = access.workspace_id;
    let mut publish = Vec::new();
    for ticket in store::lock_assigned_to(conn, ws, member).await? {
        store::set_assignee(conn, &ticket, None, Utc::now()).await?;
        record(
            conn,
            &ticket,
            EventKind::Unassigned,
            &access.actor,
            serde_json::json!({"previous": member, "reason": "member_removed"}),
        )
        .await?;
        let out = view(conn, ws, ticket.id).await?;
        let changes = [payloads::Change::Assignee {
            from: Some(member),
            to: None,
        }];
        dispatch_updated(conn, ws, &out, &changes).await?;
        publish.push(updated(ws, ticket.id));
    }
    Ok(publish)
}

/// An agent's reply: stored in the ticket's conversation (the widget shows it, unread badge
/// +1), first response time, optionally open → in_progress (workspace setting), optionally
/// a copy by email to the visitor, `ticket.replied` and `conversation.message` webhooks.
pub async fn reply(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    key: TicketKey,
    body: ReplyIn,
) -> ApiResult<MessageOut> {
    let config = state.config.clone();
    transact!(state, principal, ws, |conn, access| {
        let ws = load_workspace(conn, access.workspace_id).await?;
        reply_in(
            conn,
            &config,
            &ws,
            key,
            &body.body,
            &body.attachment_ids,
            body.email_visitor,
            &access.actor,
        )
        .await
    })
}

/// Whether the visitor's answers to the workspace's ticket mail come back into the ticket:
/// switched on, on Pro, on a server with `INBOUND_DOMAIN`.
pub fn email_replies_on(config: &Config, ws: &Workspace) -> bool {
    ws.email_replies && ws.plan.allows_email_replies() && config.inbound_domain.is_some()
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn reply_in(
    conn: &mut Conn,
    config: &Config,
    ws: &Workspace,
    key: TicketKey,
    body: &str,
    attachment_ids: &[Uuid],
    email_visitor: bool,
    actor: &Actor,
) -> ApiResult<Changed<MessageOut>> {
    let attachment_ids = attachments::requested(attachment_ids)?;
    let body = reply_text(body, !attachment_ids.is_empty())?;
    let ticket = lock(conn, ws.id, key).await?;
    if email_visitor && ticket.anonymised_at.is_some() {
        return Err(ApiError::validation(
            "email_visitor",
            "the visitor was erased: there is no address to email (the reply can go to the chat only)",
        ));
    }
    let now = Utc::now();
    let author = actor.name.clone().unwrap_or_else(|| "Support team".into());
    let message: Message = store::insert_agent_message(
        conn,
        ws.id,
        ticket.conversation_id,
        actor.id.filter(|_| actor.kind == ActorKind::User),
        &author,
        body,
        now,
    )
    .await?;
    let message = attachments::claim_for(
        conn,
        ws.id,
        &attachment_ids,
        attachments::uploader_of(actor),
        message,
    )
    .await?;
    store::touch_conversation_for_agent_message(conn, ws.id, ticket.conversation_id, now).await?;
    store::mark_replied(conn, &ticket, now).await?;
    let mut changes = vec![];
    if ws.reply_sets_in_progress && ticket.status == TicketStatus::Open {
        apply_move(
            conn,
            &ticket,
            TicketStatus::InProgress,
            EventKind::StatusChanged,
            actor,
        )
        .await?;
        changes.push(payloads::Change::Status {
            from: ticket.status,
            to: TicketStatus::InProgress,
        });
    }
    record(
        conn,
        &ticket,
        EventKind::Replied,
        actor,
        serde_json::json!({"message_id": message.id, "emailed": email_visitor}),
    )
    .await?;
    let out = view(conn, ws.id, ticket.id).await?;
    if email_visitor {
        let visitor = conversations::visitor(conn, ws.id, ticket.visitor_id)
            .await?
            .ok_or_else(|| ApiError::not_found("visitor"))?;
        let route = email_replies_on(config, ws);
        mail::tickets::queue_threaded(
            conn,
            config,
            ws,
            ticket.id,
            mail::tickets::reply_copy(
                &out.visitor_email,
                &ws.name,
                &author,
                &out,
                &attachments::with_mail_links(config, body, &message),
                origins::verified_page(&ws.allowed_origins, visitor.page_url.as_deref()),
                route,
            ),
            route,
        )
        .await?;
    }
    let message = MessageOut::from(message);
    webhooks::dispatch(
        conn,
        ws.id,
        webhooks::TICKET_REPLIED,
        &payloads::TicketReplied {
            ticket: &out,
            message: &message,
        },
    )
    .await?;
    webhooks::dispatch(
        conn,
        ws.id,
        webhooks::CONVERSATION_MESSAGE,
        &payloads::ConversationMessage {
            conversation_id: out.conversation_id,
            message: &message,
            ticket_id: Some(out.id),
        },
    )
    .await?;
    if !changes.is_empty() {
        dispatch_updated(conn, ws.id, &out, &changes).await?;
    }
    Ok(Changed {
        publish: vec![
            BusEvent::message(ws.id, out.conversation_id, message.id, Some(out.id)),
            updated(ws.id, out.id),
        ],
        value: message,
    })
}

/// A visitor wrote into a conversation: a resolved ticket of it is reopened (`reopened`
/// event, `ticket.updated` webhook), in the caller's transaction. Returns the reopened
/// ticket.
pub async fn reopen_on_visitor_message_in(
    conn: &mut Conn,
    workspace_id: Uuid,
    conversation_id: Uuid,
) -> ApiResult<Option<Changed<TicketOut>>> {
    let Some(ticket) =
        store::lock_latest_ticket_of_conversation(conn, workspace_id, conversation_id).await?
    else {
        return Ok(None);
    };
    if ticket.status != TicketStatus::Resolved {
        return Ok(None);
    }
    let actor = Actor::visitor(ticket.visitor_id);
    apply_move(
        conn,
        &ticket,
        TicketStatus::Open,
        EventKind::Reopened,
        &actor,
    )
    .await?;
    let out = view(conn, workspace_id, ticket.id).await?;
    let changes = [payloads::Change::Status {
        from: ticket.status,
        to: TicketStatus::Open,
    }];
    dispatch_updated(conn, workspace_id, &out, &changes).await?;
    Ok(Some(Changed {
        publish: vec![updated(workspace_id, out.id)],
        value: out,
    }))
}

/// A visitor's message was appended to a ticket from outside the chat (an email reply),
/// in the caller's transaction, which holds the ticket's row lock: a resolved ticket is
/// reopened (`reopened` event by the visitor, `ticket.updated` webhook), any other one
/// counts as updated; the message's `conversation.message` webhooks are queued. Returns
/// the events to publish after the commit (the message, which the visitor's widget and
/// the dashboard show at once, and the ticket). Whoever the message is for gets their
/// reminder mail scheduled (`services::notifications::visitor_wrote_in`).
pub async fn visitor_message_appended_in(
    conn: &mut Conn,
    ticket: &Ticket,
    message: &Message,
) -> ApiResult<Vec<BusEvent>> {
    let ws = ticket.workspace_id;
    let out_message = MessageOut::from(message.clone());
    webhooks::dispatch(
        conn,
        ws,
        webhooks::CONVERSATION_MESSAGE,
        &payloads::ConversationMessage {
            conversation_id: ticket.conversation_id,
            message: &out_message,
            ticket_id: Some(ticket.id),
        },
    )
    .await?;
    if ticket.status == TicketStatus::Resolved {
        let actor = Actor::visitor(ticket.visitor_id);
        apply_move(
            conn,
            ticket,
            TicketStatus::Open,
            EventKind::Reopened,
            &actor,
        )
        .await?;
        let out = view(conn, ws, ticket.id).await?;
        let changes = [payloads::Change::Status {
            from: ticket.status,
            to: TicketStatus::Open,
        }];
        dispatch_updated(conn, ws, &out, &changes).await?;
    } else {
        store::touch(conn, ws, ticket.id).await?;
    }
    crate::services::notifications::visitor_wrote_in(
        conn,
        ws,
        ticket.conversation_id,
        message.created_at,
    )
    .await?;
    Ok(vec![
        BusEvent::message(ws, ticket.conversation_id, message.id, Some(ticket.id)),
        updated(ws, ticket.id),
    ])
}

/// An auto-reply (out of office) to the ticket's mail: recorded in the timeline only; it
/// neither reopens nor touches the ticket.
pub async fn auto_reply_recorded_in(
    conn: &mut Conn,
    ticket: &Ticket,
    from: Option<&str>,
    subject: Option<&str>,
) -> ApiResult<()> {
    record(
        conn,
        ticket,
        EventKind::EmailAutoReply,
        &Actor::visitor(ticket.visitor_id),
        serde_json::json!({"from": from, "subject": subject}),
    )
    .await
}

/// The visitor wrote into the conversation of an open ticket: the ticket counts as updated.
pub async fn touch_in(conn: &mut Conn, workspace_id: Uuid, ticket_id: Uuid) -> ApiResult<()> {
    store::touch(conn, workspace_id, ticket_id).await?;
    Ok(())
}

/// Tickets changed after `since`, oldest change first (the dashboard stream's replay).
pub async fn changed_since(
    conn: &mut Conn,
    workspace_id: Uuid,
    since: chrono::DateTime<Utc>,
    limit: i64,
) -> ApiResult<Vec<TicketOut>> {
    let mut out: Vec<TicketOut> = store::updated_since(conn, workspace_id, since, limit)
        .await?
        .into_iter()
        .map(TicketOut::from)
        .collect();
    tags::fill(conn, workspace_id, &mut out).await?;
    Ok(out)
}
