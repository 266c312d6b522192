//! The ticket service: create, list, counts, detail, workflow moves, assignment, replies,
//! the visitor-reopens rule, and the timeline. Functions take `&mut Conn` so callers choose
//! the transaction (every writing function expects to run inside one); SQL lives in
//! `db::tickets`, the rules in `domain::workflow`, mail texts in `mail::tickets`, webhook
//! fan-out in `webhooks::dispatch`. After the caller commits it publishes the returned
//! `BusEvent`s.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::config::Config;
use diesel::OptionalExtension;

use crate::db::Conn;
use crate::db::enums::{TicketCategory, TicketSource, TicketStatus};
use crate::db::models::{Message, NewTicket, NewVisitor, Ticket, TicketEvent, Visitor, Workspace};
use crate::db::tickets::{
    self as store, AssigneeFilter, ListQuery, Order, Search, TicketKey, TicketRow,
};
use crate::domain::cursor::Cursor;
use crate::domain::message::MessageOut;
use crate::domain::ticket_number::TicketNumber;
use crate::domain::workflow::{self, Transition};
use crate::domain::{Actor, ActorKind};
use crate::error::{ApiError, ApiResult};
use crate::events::{self, BusEvent};
use crate::mail;
use crate::webhooks;

// ---------------------------------------------------------------- JSON views

/// The member a ticket is assigned to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Assignee {
    pub id: Uuid,
    pub name: String,
    pub email: String,
}

/// A support ticket.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TicketOut {
    pub id: Uuid,
    /// `TKT-10001`
    pub number: String,
    pub status: TicketStatus,
    pub summary: String,
    pub description: String,
    pub category: TicketCategory,
    pub visitor_email: String,
    pub assignee: Option<Assignee>,
    pub conversation_id: Uuid,
    pub source: TicketSource,
    /// Pass it back with a change; a stale version is answered 409 `version_conflict`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl From<TicketRow> for TicketOut {
    fn from((t, assignee): TicketRow) -> Self {
        TicketOut {
            id: t.id,
            number: TicketNumber::new(t.number).to_string(),
            status: t.status,
            summary: t.summary,
            description: t.description,
            category: t.category,
            visitor_email: t.visitor_email,
            assignee: assignee.map(|(id, name, email)| Assignee { id, name, email }),
            conversation_id: t.conversation_id,
            source: t.source,
            version: t.version,
            created_at: t.created_at,
            updated_at: t.updated_at,
            first_response_at: t.first_response_at,
            resolved_at: t.resolved_at,
            closed_at: t.closed_at,
        }
    }
}

/// Browser, OS and device kind from the User-Agent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Device {
    pub browser: Option<String>,
    pub os: Option<String>,
    /// desktop, mobile, tablet or bot
    pub kind: Option<String>,
}

/// A widget visitor as the team sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VisitorOut {
    pub id: Uuid,
    pub email: Option<String>,
    pub name: Option<String>,
    pub country: Option<String>,
    pub device: Device,
    pub page_url: Option<String>,
    pub referrer: Option<String>,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

impl From<Visitor> for VisitorOut {
    fn from(v: Visitor) -> Self {
        VisitorOut {
            id: v.id,
            email: v.email,
            name: v.name,
            country: v.country,
            device: Device {
                browser: v.browser,
                os: v.os,
                kind: v.device_kind,
            },
            page_url: v.page_url,
            referrer: v.referrer,
            first_seen_at: v.first_seen_at,
            last_seen_at: v.last_seen_at,
        }
    }
}

/// One entry of a ticket's timeline: created, status_changed, assigned, unassigned,
/// replied, reopened.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketEventOut {
    pub id: Uuid,
    pub kind: String,
    pub actor: Actor,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

fn actor_kind(s: &str) -> ActorKind {
    match s {
        "user" => ActorKind::User,
        "assistant" => ActorKind::Assistant,
        "visitor" => ActorKind::Visitor,
        "api" => ActorKind::Api,
        _ => ActorKind::System,
    }
}

impl From<TicketEvent> for TicketEventOut {
    fn from(e: TicketEvent) -> Self {
        TicketEventOut {
            id: e.id,
            kind: e.kind,
            actor: Actor {
                kind: actor_kind(&e.actor_type),
                id: e.actor_id,
                name: e.actor_name,
            },
            data: e.data,
            created_at: e.created_at,
        }
    }
}

/// A ticket with everything the detail page shows.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDetail {
    pub ticket: TicketOut,
    pub visitor: VisitorOut,
    pub messages: Vec<MessageOut>,
    pub events: Vec<TicketEventOut>,
}

/// The counts behind the filter buttons.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub struct TicketCounts {
    pub all: i64,
    /// Assigned to the caller (0 for API keys).
    pub mine: i64,
    pub open: i64,
    pub in_progress: i64,
    pub resolved: i64,
    pub closed: i64,
}

/// The order of the ticket list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TicketSort {
    #[default]
    CreatedDesc,
    CreatedAsc,
    UpdatedDesc,
}

impl TicketSort {
    pub fn tag(self) -> &'static str {
        match self {
            TicketSort::CreatedDesc => "created_desc",
            TicketSort::CreatedAsc => "created_asc",
            TicketSort::UpdatedDesc => "updated_desc",
        }
    }
    fn order(self) -> Order {
        match self {
            TicketSort::CreatedDesc => Order::CreatedDesc,
            TicketSort::CreatedAsc => Order::CreatedAsc,
            TicketSort::UpdatedDesc => Order::UpdatedDesc,
        }
    }
    fn key(self, t: &TicketOut) -> DateTime<Utc> {
        match self {
            TicketSort::CreatedDesc | TicketSort::CreatedAsc => t.created_at,
            TicketSort::UpdatedDesc => t.updated_at,
        }
    }
}

// ---------------------------------------------------------------- helpers

/// Parses the `{ticket}` path segment: a UUID or `TKT-10001`. Anything else is a ticket
/// that does not exist.
pub fn parse_key(text: &str) -> ApiResult<TicketKey> {
    if let Ok(id) = Uuid::try_parse(text) {
        return Ok(TicketKey::Id(id));
    }
    TicketNumber::parse(text)
        .map(|n| TicketKey::Number(n.value()))
        .map_err(|_| ApiError::not_found("ticket"))
}

pub async fn view(conn: &mut Conn, workspace_id: Uuid, id: Uuid) -> ApiResult<TicketOut> {
    Ok(store::ticket_row(conn, workspace_id, id).await?.into())
}

async fn record(
    conn: &mut Conn,
    ticket: &Ticket,
    kind: &str,
    actor: &Actor,
    data: serde_json::Value,
) -> ApiResult<()> {
    store::insert_event(
        conn,
        TicketEvent {
            id: Uuid::now_v7(),
            workspace_id: ticket.workspace_id,
            ticket_id: ticket.id,
            kind: kind.into(),
            actor_type: actor.kind.as_str().into(),
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

async fn lock(conn: &mut Conn, workspace_id: Uuid, key: TicketKey) -> ApiResult<Ticket> {
    store::lock_ticket(conn, workspace_id, key)
        .await?
        .ok_or_else(|| ApiError::not_found("ticket"))
}

fn check_version(ticket: &Ticket, expected: Option<i32>) -> ApiResult<()> {
    match expected {
        Some(v) if v != ticket.version => Err(ApiError::conflict(
            "version_conflict",
            format!(
                "{} was changed by someone else (you had version {v}, it is now version {}). Reload it and try again.",
                TicketNumber::new(ticket.number),
                ticket.version
            ),
        )),
        _ => Ok(()),
    }
}

/// The outcome of a change: the ticket as it is now, and the bus events to publish after
/// the commit (empty when nothing changed).
#[derive(Debug)]
pub struct Changed<T> {
    pub value: T,
    pub publish: Vec<BusEvent>,
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
}

pub const SUMMARY_MAX: usize = 500;
pub const DESCRIPTION_MAX: usize = 20_000;
pub const REPLY_MAX: usize = 4_000;

/// Refuses tickets on plans without them, and when the workspace switched them off.
pub fn ensure_tickets_available(ws: &Workspace) -> ApiResult<()> {
    if !ws.plan.allows_tickets() {
        return Err(plan_required());
    }
    if !ws.tickets_enabled {
        return Err(ApiError::conflict(
            "tickets_disabled",
            "Tickets are switched off for this workspace. Enable them on the Tickets page first.",
        ));
    }
    Ok(())
}

pub fn plan_required() -> ApiError {
    ApiError::plan_required(
        "Tickets are available on the Standard and Pro plans. Upgrade this workspace to use them.",
    )
}

/// Creates a ticket. Run it in a transaction: it takes the next number, writes the ticket,
/// its `created` event, the notification mail and the `ticket.created` webhooks together.
pub async fn create(
    conn: &mut Conn,
    config: &Config,
    ws: &Workspace,
    input: NewTicketInput,
    actor: &Actor,
) -> ApiResult<Changed<TicketOut>> {
    ensure_tickets_available(ws)?;
    let email = input.visitor_email.trim().to_string();
    if crate::domain::email::Email::parse(&email).is_err() {
        return Err(ApiError::validation(
            "visitor_email",
            "is not a valid email address",
        ));
    }
    let summary = input.summary.trim().to_string();
    if summary.is_empty() || summary.chars().count() > SUMMARY_MAX {
        return Err(ApiError::validation(
            "summary",
            format!("must be between 1 and {SUMMARY_MAX} characters"),
        ));
    }
    if input.description.chars().count() > DESCRIPTION_MAX {
        return Err(ApiError::validation(
            "description",
            format!("must be at most {DESCRIPTION_MAX} characters"),
        ));
    }

    let (visitor_id, conversation_id) = match input.conversation_id {
        Some(cid) => {
            // The row lock serialises concurrent creations on one conversation.
            let conversation = crate::db::conversations::lock_conversation(conn, ws.id, cid)
                .await
                .optional()?
                .ok_or_else(|| {
                    ApiError::validation(
                        "conversation_id",
                        "no such conversation in this workspace",
                    )
                })?;
            // One open ticket per conversation: more of the same goes into that ticket.
            if let Some((_, number, status)) =
                crate::db::conversations::latest_ticket(conn, ws.id, cid).await?
                && matches!(status, TicketStatus::Open | TicketStatus::InProgress)
            {
                return Err(ApiError::conflict(
                    "ticket_already_open",
                    format!(
                        "This conversation already has an open ticket, {}. Reply on it instead of opening another.",
                        TicketNumber::new(number)
                    ),
                ));
            }
            store::set_visitor_email_if_missing(conn, ws.id, conversation.visitor_id, &email)
                .await?;
            (conversation.visitor_id, conversation.id)
        }
        None => {
            let visitor = match store::find_visitor_by_email(conn, ws.id, &email).await? {
                Some(v) => v,
                None => {
                    crate::db::conversations::insert_visitor(
                        conn,
                        NewVisitor {
                            id: Uuid::now_v7(),
                            workspace_id: ws.id,
                            email: Some(email.clone()),
                            ..NewVisitor::default()
                        },
                    )
                    .await?
                }
            };
            let conversation =
                crate::db::conversations::insert_conversation(conn, ws.id, visitor.id).await?;
            (visitor.id, conversation.id)
        }
    };

    let number = store::next_number(conn, ws.id).await?;
    let ticket = store::insert_ticket(
        conn,
        NewTicket {
            id: Uuid::now_v7(),
            workspace_id: ws.id,
            number,
            summary,
            description: input.description,
            category: input.category,
            source: input.source,
            visitor_id,
            visitor_email: email,
            conversation_id,
        },
    )
    .await?;
    record(
        conn,
        &ticket,
        "created",
        actor,
        serde_json::json!({"source": input.source, "number": TicketNumber::new(number).to_string()}),
    )
    .await?;
    let out = view(conn, ws.id, ticket.id).await?;
    notify_created(conn, config, ws, &out).await?;
    Ok(Changed {
        publish: vec![BusEvent::ticket(events::TICKET_CREATED, ws.id, out.id)],
        value: out,
    })
}

/// The new-ticket mail to the workspace's notification address and the `ticket.created`
/// webhooks, in the caller's transaction. Also used for tickets the assistant creates.
pub async fn notify_created(
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
    webhooks::dispatch(
        conn,
        ws.id,
        webhooks::TICKET_CREATED,
        serde_json::json!({ "ticket": ticket }),
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------- read

/// What the list endpoint was asked for (already validated).
#[derive(Debug, Clone)]
pub struct ListRequest {
    pub status: Option<TicketStatus>,
    pub assignee: Option<AssigneeFilter>,
    pub q: Option<String>,
    pub sort: TicketSort,
    pub limit: i64,
    pub cursor: Option<Cursor>,
}

/// One page of the list and the cursor of the next (None on the last page).
pub async fn list(
    conn: &mut Conn,
    workspace_id: Uuid,
    req: ListRequest,
) -> ApiResult<(Vec<TicketOut>, Option<String>)> {
    let search = req
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(|q| match TicketNumber::parse_search(q) {
            Some(n) => Search::Number(n.value()),
            None => Search::Text(store::contains_pattern(q)),
        });
    let rows = store::list(
        conn,
        &ListQuery {
            workspace_id,
            status: req.status,
            assignee: req.assignee,
            search,
            order: req.sort.order(),
            after: req.cursor,
            fetch: req.limit + 1,
        },
    )
    .await?;
    let mut items: Vec<TicketOut> = rows.into_iter().map(TicketOut::from).collect();
    let next = if items.len() as i64 > req.limit {
        items.truncate(req.limit as usize);
        items
            .last()
            .map(|t| Cursor::new(req.sort.key(t), t.id).encode(req.sort.tag()))
    } else {
        None
    };
    Ok((items, next))
}

pub async fn counts(
    conn: &mut Conn,
    workspace_id: Uuid,
    me: Option<Uuid>,
) -> ApiResult<TicketCounts> {
    let c = store::counts(conn, workspace_id, me).await?;
    Ok(TicketCounts {
        all: c.all,
        mine: c.mine,
        open: c.open,
        in_progress: c.in_progress,
        resolved: c.resolved,
        closed: c.closed,
    })
}

pub async fn resolve(conn: &mut Conn, workspace_id: Uuid, key: TicketKey) -> ApiResult<Uuid> {
    store::ticket_id(conn, workspace_id, key)
        .await?
        .ok_or_else(|| ApiError::not_found("ticket"))
}

/// Ticket, visitor, the whole conversation in order, and the timeline.
pub async fn detail(
    conn: &mut Conn,
    workspace_id: Uuid,
    key: TicketKey,
) -> ApiResult<TicketDetail> {
    let id = resolve(conn, workspace_id, key).await?;
    let ticket = view(conn, workspace_id, id).await?;
    let (visitor_id, conversation_id) = {
        let row = store::ticket_row(conn, workspace_id, id).await?;
        (row.0.visitor_id, row.0.conversation_id)
    };
    let visitor = crate::db::conversations::visitor(conn, workspace_id, visitor_id)
        .await?
        .ok_or_else(|| ApiError::not_found("visitor"))?;
    let messages = store::messages_of(conn, workspace_id, conversation_id).await?;
    let events = store::events_of(conn, workspace_id, id).await?;
    Ok(TicketDetail {
        ticket,
        visitor: visitor.into(),
        messages: messages.into_iter().map(MessageOut::from).collect(),
        events: events.into_iter().map(TicketEventOut::from).collect(),
    })
}

pub async fn events_of(
    conn: &mut Conn,
    workspace_id: Uuid,
    key: TicketKey,
) -> ApiResult<Vec<TicketEventOut>> {
    let id = resolve(conn, workspace_id, key).await?;
    Ok(store::events_of(conn, workspace_id, id)
        .await?
        .into_iter()
        .map(TicketEventOut::from)
        .collect())
}

// ---------------------------------------------------------------- workflow

/// `resolved_at` / `closed_at` after moving to `to`.
pub fn timestamps_after(
    ticket_resolved_at: Option<DateTime<Utc>>,
    to: TicketStatus,
    now: DateTime<Utc>,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    match to {
        TicketStatus::Open | TicketStatus::InProgress => (None, None),
        TicketStatus::Resolved => (Some(now), None),
        TicketStatus::Closed => (ticket_resolved_at, Some(now)),
    }
}

async fn apply_move(
    conn: &mut Conn,
    ticket: &Ticket,
    to: TicketStatus,
    kind: &str,
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

/// Moves a ticket along the workflow (DESIGN.md 1.5). Same status: no change, no event.
pub async fn change_status(
    conn: &mut Conn,
    workspace_id: Uuid,
    key: TicketKey,
    to: TicketStatus,
    version: Option<i32>,
    actor: &Actor,
) -> ApiResult<Changed<TicketOut>> {
    let ticket = lock(conn, workspace_id, key).await?;
    check_version(&ticket, version)?;
    match workflow::transition(ticket.status, to) {
        Err(invalid) => Err(ApiError::conflict(
            "invalid_transition",
            invalid.to_string(),
        )),
        Ok(Transition::NoOp) => Ok(Changed {
            value: view(conn, workspace_id, ticket.id).await?,
            publish: vec![],
        }),
        Ok(Transition::Move { .. }) => {
            apply_move(conn, &ticket, to, "status_changed", actor).await?;
            let out = view(conn, workspace_id, ticket.id).await?;
            webhooks::dispatch(
                conn,
                workspace_id,
                webhooks::TICKET_UPDATED,
                serde_json::json!({"ticket": out, "changes": [{"field": "status", "from": ticket.status, "to": to}]}),
            )
            .await?;
            Ok(Changed {
                publish: vec![BusEvent::ticket(
                    events::TICKET_UPDATED,
                    workspace_id,
                    out.id,
                )],
                value: out,
            })
        }
    }
}

/// Assigns a ticket to a member (or nobody). Someone who is not a member: 422.
pub async fn assign(
    conn: &mut Conn,
    config: &Config,
    ws: &Workspace,
    key: TicketKey,
    assignee: Option<Uuid>,
    version: Option<i32>,
    actor: &Actor,
) -> ApiResult<Changed<TicketOut>> {
    let ticket = lock(conn, ws.id, key).await?;
    check_version(&ticket, version)?;
    let member = match assignee {
        Some(user_id) => Some(store::member(conn, ws.id, user_id).await?.ok_or_else(|| {
            ApiError::validation("assignee_id", "is not a member of this workspace")
        })?),
        None => None,
    };
    if ticket.assignee_id == assignee {
        return Ok(Changed {
            value: view(conn, ws.id, ticket.id).await?,
            publish: vec![],
        });
    }
    store::set_assignee(conn, &ticket, assignee, Utc::now()).await?;
    match &member {
        Some((id, name, _)) => {
            record(conn, &ticket, "assigned", actor, serde_json::json!({"assignee": {"id": id, "name": name}, "previous": ticket.assignee_id})).await?
        }
        None => record(conn, &ticket, "unassigned", actor, serde_json::json!({"previous": ticket.assignee_id})).await?,
    }
    let out = view(conn, ws.id, ticket.id).await?;
    if let Some((id, name, email)) = &member
        && actor.id != Some(*id)
    {
        let link = dashboard_link(config, ws.id, &out.number);
        mail::queue(
            conn,
            Some(ws.id),
            &mail::tickets::assigned(email, name, &ws.name, &out, actor, &link),
        )
        .await?;
    }
    webhooks::dispatch(
        conn,
        ws.id,
        webhooks::TICKET_UPDATED,
        serde_json::json!({"ticket": out, "changes": [{"field": "assignee", "from": ticket.assignee_id, "to": assignee}]}),
    )
    .await?;
    Ok(Changed {
        publish: vec![BusEvent::ticket(events::TICKET_UPDATED, ws.id, out.id)],
        value: out,
    })
}

/// What a reply produced.
#[derive(Debug)]
pub struct ReplyOutcome {
    pub message: MessageOut,
    pub ticket: TicketOut,
}

/// An agent's reply: stored in the ticket's conversation (the widget shows it, unread badge
/// +1), first response time, optionally open → in_progress (workspace setting), optionally
/// a copy by email to the visitor, `ticket.replied` and `conversation.message` webhooks.
pub async fn reply(
    conn: &mut Conn,
    ws: &Workspace,
    key: TicketKey,
    body: &str,
    email_visitor: bool,
    actor: &Actor,
) -> ApiResult<Changed<ReplyOutcome>> {
    let body = body.trim();
    if body.is_empty() || body.chars().count() > REPLY_MAX {
        return Err(ApiError::validation(
            "body",
            format!("must be between 1 and {REPLY_MAX} characters"),
        ));
    }
    let ticket = lock(conn, ws.id, key).await?;
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
    store::touch_conversation_for_agent_message(conn, ws.id, ticket.conversation_id, now).await?;
    store::mark_replied(conn, &ticket, now).await?;
    let mut changes = vec![];
    if ws.reply_sets_in_progress && ticket.status == TicketStatus::Open {
        apply_move(
            conn,
            &ticket,
            TicketStatus::InProgress,
            "status_changed",
            actor,
        )
        .await?;
        changes.push(serde_json::json!({"field": "status", "from": ticket.status, "to": TicketStatus::InProgress}));
    }
    record(
        conn,
        &ticket,
        "replied",
        actor,
        serde_json::json!({"message_id": message.id, "emailed": email_visitor}),
    )
    .await?;
    let out = view(conn, ws.id, ticket.id).await?;
    if email_visitor {
        let visitor = crate::db::conversations::visitor(conn, ws.id, ticket.visitor_id)
            .await?
            .ok_or_else(|| ApiError::not_found("visitor"))?;
        mail::queue(
            conn,
            Some(ws.id),
            &mail::tickets::reply_copy(
                &out.visitor_email,
                &ws.name,
                &author,
                &out,
                body,
                visitor.page_url.as_deref(),
            ),
        )
        .await?;
    }
    let message = MessageOut::from(message);
    webhooks::dispatch(
        conn,
        ws.id,
        webhooks::TICKET_REPLIED,
        serde_json::json!({"ticket": out, "message": message}),
    )
    .await?;
    webhooks::dispatch(
        conn,
        ws.id,
        webhooks::CONVERSATION_MESSAGE,
        serde_json::json!({"conversation_id": out.conversation_id, "message": message, "ticket_id": out.id}),
    )
    .await?;
    if !changes.is_empty() {
        webhooks::dispatch(
            conn,
            ws.id,
            webhooks::TICKET_UPDATED,
            serde_json::json!({"ticket": out, "changes": changes}),
        )
        .await?;
    }
    Ok(Changed {
        publish: vec![
            BusEvent::message(ws.id, out.conversation_id, message.id, Some(out.id)),
            BusEvent::ticket(events::TICKET_UPDATED, ws.id, out.id),
        ],
        value: ReplyOutcome {
            message,
            ticket: out,
        },
    })
}

/// A visitor wrote into a conversation: a resolved ticket of it is reopened (`reopened`
/// event, `ticket.updated` webhook). Returns the reopened ticket.
pub async fn on_visitor_message(
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
    apply_move(conn, &ticket, TicketStatus::Open, "reopened", &actor).await?;
    let out = view(conn, workspace_id, ticket.id).await?;
    webhooks::dispatch(
        conn,
        workspace_id,
        webhooks::TICKET_UPDATED,
        serde_json::json!({"ticket": out, "changes": [{"field": "status", "from": "resolved", "to": "open"}]}),
    )
    .await?;
    Ok(Some(Changed {
        publish: vec![BusEvent::ticket(
            events::TICKET_UPDATED,
            workspace_id,
            out.id,
        )],
        value: out,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_uuids_or_numbers() {
        let id = Uuid::now_v7();
        assert_eq!(parse_key(&id.to_string()).ok(), Some(TicketKey::Id(id)));
        assert_eq!(parse_key("tkt-10001").ok(), Some(TicketKey::Number(10001)));
        assert!(parse_key("10001").is_err());
        assert!(parse_key("nope").is_err());
    }

    #[test]
    fn timestamps_follow_the_status() {
        let now = Utc::now();
        let earlier = now - chrono::Duration::hours(1);
        assert_eq!(
            timestamps_after(None, TicketStatus::Resolved, now),
            (Some(now), None)
        );
        assert_eq!(
            timestamps_after(Some(earlier), TicketStatus::Closed, now),
            (Some(earlier), Some(now))
        );
        assert_eq!(
            timestamps_after(Some(earlier), TicketStatus::Open, now),
            (None, None)
        );
        assert_eq!(
            timestamps_after(Some(earlier), TicketStatus::InProgress, now),
            (None, None)
        );
    }
}
