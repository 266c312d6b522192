//! Tickets for the dashboard and API keys: list (filters, sort, keyset cursor), counts,
//! create, detail, workflow, assignment, replies, timeline. Handlers parse, call
//! `domain::tickets` in a transaction, publish the bus events after the commit, answer.

use actix_web::{HttpResponse, get, post, web};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::{self, Access, Principal};
use crate::db::enums::{TicketCategory, TicketSource, TicketStatus};
use crate::db::tickets::{self as store, AssigneeFilter};
use crate::db::{self};
use crate::domain::cursor::Cursor;
use crate::domain::tickets::{
    self as service, Changed, ListRequest, NewTicketInput, TicketCounts, TicketDetail,
    TicketEventOut, TicketOut, TicketSort,
};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::events::BusEvent;
use crate::routes::widget::MessageOut;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_tickets)
        .service(ticket_counts)
        .service(create_ticket)
        .service(get_ticket)
        .service(change_ticket_status)
        .service(assign_ticket)
        .service(assign_ticket_to_me)
        .service(reply_to_ticket)
        .service(ticket_events);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketList {
    pub items: Vec<TicketOut>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketEventList {
    pub items: Vec<TicketEventOut>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct TicketListQuery {
    /// open, in_progress, resolved or closed
    pub status: Option<String>,
    /// `me`, `none` or a member's user id
    pub assignee: Option<String>,
    /// A ticket number (`TKT-10001` or `10001`) or text found in visitor email and summary
    pub q: Option<String>,
    /// created_desc (default), created_asc or updated_desc
    pub sort: Option<String>,
    /// 1..100, default 25
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateTicket {
    pub visitor_email: String,
    pub summary: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Attach the ticket to an existing conversation (its visitor becomes the ticket's).
    #[serde(default)]
    pub conversation_id: Option<Uuid>,
    #[serde(default)]
    pub category: Option<TicketCategory>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangeStatus {
    pub status: TicketStatus,
    /// The version you saw; a stale one is answered 409 `version_conflict`.
    #[serde(default)]
    pub version: Option<i32>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignTicket {
    /// A member's user id, or null to unassign.
    #[serde(default)]
    pub assignee_id: Option<Uuid>,
    #[serde(default)]
    pub version: Option<i32>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct VersionOnly {
    #[serde(default)]
    pub version: Option<i32>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReplyIn {
    pub body: String,
    /// Also send the reply to the visitor's email address.
    #[serde(default)]
    pub email_visitor: bool,
}

fn parse_list(q: &TicketListQuery, access: &Access) -> ApiResult<ListRequest> {
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
    let sort = match nonempty(&q.sort).as_deref() {
        None | Some("created_desc") => TicketSort::CreatedDesc,
        Some("created_asc") => TicketSort::CreatedAsc,
        Some("updated_desc") => TicketSort::UpdatedDesc,
        Some(_) => {
            return Err(ApiError::validation(
                "sort",
                "must be one of created_desc, created_asc, updated_desc",
            ));
        }
    };
    let limit = q.limit.unwrap_or(25);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::validation("limit", "must be between 1 and 100"));
    }
    let cursor = match nonempty(&q.cursor) {
        Some(raw) => Some(
            Cursor::decode(&raw, sort.tag())
                .map_err(|e| ApiError::validation("cursor", e.to_string()))?,
        ),
        None => None,
    };
    let q_text = nonempty(&q.q);
    if q_text.as_ref().is_some_and(|t| t.chars().count() > 200) {
        return Err(ApiError::validation("q", "must be at most 200 characters"));
    }
    Ok(ListRequest {
        status,
        assignee,
        q: q_text,
        sort,
        limit,
        cursor,
    })
}

async fn publish(state: &AppState, events: Vec<BusEvent>) {
    for ev in events {
        state.events.publish(ev).await;
    }
}

/// List tickets: filters, sort and keyset pagination (page 1,000 costs what page 1 costs).
#[utoipa::path(tag = "tickets", security(("bearer" = [])), params(("ws" = Uuid, Path), TicketListQuery),
    responses((status = 200, body = TicketList), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/tickets")]
async fn list_tickets(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    q: web::Query<TicketListQuery>,
) -> ApiResult<web::Json<TicketList>> {
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, path.into_inner()).await?;
    let req = parse_list(&q, &access)?;
    let (items, next_cursor) = service::list(&mut conn, access.workspace_id, req).await?;
    Ok(web::Json(TicketList { items, next_cursor }))
}

/// The counts behind the filter buttons (All, My Tickets, Open, In Progress, Resolved, Closed).
#[utoipa::path(tag = "tickets", security(("bearer" = [])), params(("ws" = Uuid, Path)),
    responses((status = 200, body = TicketCounts), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/tickets/counts")]
async fn ticket_counts(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<TicketCounts>> {
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, path.into_inner()).await?;
    Ok(web::Json(
        service::counts(&mut conn, access.workspace_id, access.user_id).await?,
    ))
}

/// Create a ticket (source `api` for API keys, `dashboard` for users). An unknown visitor
/// email creates the visitor, and a conversation is opened so that replies have a place to go.
#[utoipa::path(tag = "tickets", security(("bearer" = [])), params(("ws" = Uuid, Path)), request_body = CreateTicket,
    responses((status = 201, body = TicketOut), (status = 402, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/tickets")]
async fn create_ticket(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    body: web::Json<CreateTicket>,
) -> ApiResult<HttpResponse> {
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, path.into_inner()).await?;
    let body = body.into_inner();
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
    };
    let config = state.config.clone();
    let Changed {
        value,
        publish: events,
    } = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let ws = crate::db::workspaces::by_id(conn, access.workspace_id).await?;
            service::create(conn, &config, &ws, input, &access.actor).await
        })
        .await?;
    drop(conn); // Give the connection back before announcing the change.
    publish(&state, events).await;
    Ok(HttpResponse::Created().json(value))
}

/// A ticket by UUID or number (`TKT-10001`): the ticket, its visitor, the whole
/// conversation in order and the timeline.
#[utoipa::path(tag = "tickets", security(("bearer" = [])),
    params(("ws" = Uuid, Path), ("ticket" = String, Path, description = "UUID or TKT-10001")),
    responses((status = 200, body = TicketDetail), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/tickets/{ticket}")]
async fn get_ticket(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, String)>,
) -> ApiResult<web::Json<TicketDetail>> {
    let (ws, ticket) = path.into_inner();
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, ws).await?;
    let key = service::parse_key(&ticket)?;
    Ok(web::Json(
        service::detail(&mut conn, access.workspace_id, key).await?,
    ))
}

/// Move a ticket along the workflow. Invalid move: 409 `invalid_transition` naming the
/// allowed moves; stale `version`: 409 `version_conflict`; same status: no change.
#[utoipa::path(tag = "tickets", security(("bearer" = [])),
    params(("ws" = Uuid, Path), ("ticket" = String, Path, description = "UUID or TKT-10001")), request_body = ChangeStatus,
    responses((status = 200, body = TicketOut), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/tickets/{ticket}/status")]
async fn change_ticket_status(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, String)>,
    body: web::Json<ChangeStatus>,
) -> ApiResult<web::Json<TicketOut>> {
    let (ws, ticket) = path.into_inner();
    let key = service::parse_key(&ticket)?;
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, ws).await?;
    let body = body.into_inner();
    let Changed {
        value,
        publish: events,
    } = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            service::change_status(
                conn,
                access.workspace_id,
                key,
                body.status,
                body.version,
                &access.actor,
            )
            .await
        })
        .await?;
    drop(conn); // Give the connection back before announcing the change.
    publish(&state, events).await;
    Ok(web::Json(value))
}

async fn assign_to(
    state: &AppState,
    access: Access,
    key: store::TicketKey,
    assignee: Option<Uuid>,
    version: Option<i32>,
) -> ApiResult<TicketOut> {
    let mut conn = db::conn(&state.pool).await?;
    let config = state.config.clone();
    let Changed {
        value,
        publish: events,
    } = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let ws = crate::db::workspaces::by_id(conn, access.workspace_id).await?;
            service::assign(conn, &config, &ws, key, assignee, version, &access.actor).await
        })
        .await?;
    drop(conn); // Give the connection back before announcing the change.
    publish(state, events).await;
    Ok(value)
}

/// Assign a ticket to a member of the workspace, or unassign it with null. Not a member: 422.
#[utoipa::path(tag = "tickets", security(("bearer" = [])),
    params(("ws" = Uuid, Path), ("ticket" = String, Path, description = "UUID or TKT-10001")), request_body = AssignTicket,
    responses((status = 200, body = TicketOut), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/tickets/{ticket}/assign")]
async fn assign_ticket(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, String)>,
    body: web::Json<AssignTicket>,
) -> ApiResult<web::Json<TicketOut>> {
    let (ws, ticket) = path.into_inner();
    let key = service::parse_key(&ticket)?;
    let access = {
        let mut conn = db::conn(&state.pool).await?;
        auth::access(&mut conn, &principal, ws).await?
    };
    let body = body.into_inner();
    Ok(web::Json(
        assign_to(&state, access, key, body.assignee_id, body.version).await?,
    ))
}

/// Assign a ticket to the caller ("Assign to me"). Needs a user session.
#[utoipa::path(tag = "tickets", security(("bearer" = [])),
    params(("ws" = Uuid, Path), ("ticket" = String, Path, description = "UUID or TKT-10001")), request_body = VersionOnly,
    responses((status = 200, body = TicketOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/tickets/{ticket}/assign-to-me")]
async fn assign_ticket_to_me(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, String)>,
    body: Option<web::Json<VersionOnly>>,
) -> ApiResult<web::Json<TicketOut>> {
    let (ws, ticket) = path.into_inner();
    let key = service::parse_key(&ticket)?;
    let access = {
        let mut conn = db::conn(&state.pool).await?;
        auth::access(&mut conn, &principal, ws).await?
    };
    let me = access
        .user_id
        .ok_or_else(|| ApiError::forbidden("Assign to me needs a user session, not an API key."))?;
    let version = body.and_then(|b| b.into_inner().version);
    Ok(web::Json(
        assign_to(&state, access, key, Some(me), version).await?,
    ))
}

/// Reply to the visitor: stored in the ticket's conversation (the widget shows it), and
/// with `email_visitor: true` also emailed to the visitor.
#[utoipa::path(tag = "tickets", security(("bearer" = [])),
    params(("ws" = Uuid, Path), ("ticket" = String, Path, description = "UUID or TKT-10001")), request_body = ReplyIn,
    responses((status = 201, body = MessageOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/tickets/{ticket}/replies")]
async fn reply_to_ticket(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, String)>,
    body: web::Json<ReplyIn>,
) -> ApiResult<HttpResponse> {
    let (ws, ticket) = path.into_inner();
    let key = service::parse_key(&ticket)?;
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, ws).await?;
    let body = body.into_inner();
    let Changed {
        value,
        publish: events,
    } = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let ws = crate::db::workspaces::by_id(conn, access.workspace_id).await?;
            service::reply(
                conn,
                &ws,
                key,
                &body.body,
                body.email_visitor,
                &access.actor,
            )
            .await
        })
        .await?;
    drop(conn); // Give the connection back before announcing the change.
    publish(&state, events).await;
    Ok(HttpResponse::Created().json(value.message))
}

/// The ticket's timeline, oldest first.
#[utoipa::path(tag = "tickets", security(("bearer" = [])),
    params(("ws" = Uuid, Path), ("ticket" = String, Path, description = "UUID or TKT-10001")),
    responses((status = 200, body = TicketEventList), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/tickets/{ticket}/events")]
async fn ticket_events(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, String)>,
) -> ApiResult<web::Json<TicketEventList>> {
    let (ws, ticket) = path.into_inner();
    let key = service::parse_key(&ticket)?;
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, ws).await?;
    Ok(web::Json(TicketEventList {
        items: service::events_of(&mut conn, access.workspace_id, key).await?,
    }))
}
