//! Tickets for the dashboard and API keys: list (filters, sort, keyset cursor), counts,
//! create, detail, workflow, assignment, replies, timeline. Each handler parses the path
//! and body and calls `services::tickets`.

use actix_web::{HttpResponse, get, post, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::domain::access::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::services::tickets::{self as service, parse_key};
use crate::state::AppState;
use crate::views::merge::{BulkIn, BulkOut, MergeIn, MergeOut};
use crate::views::messages::MessageOut;
use crate::views::tickets::{
    AssignTicket, ChangeStatus, CreateTicket, ReplyIn, TicketCounts, TicketDetail, TicketEventList,
    TicketList, TicketListQuery, TicketOut, VersionOnly,
};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_tickets)
        .service(ticket_counts)
        .service(create_ticket)
        .service(get_ticket)
        .service(change_ticket_status)
        .service(assign_ticket)
        .service(assign_ticket_to_me)
        .service(reply_to_ticket)
        .service(ticket_events)
        .service(merge_ticket)
        .service(bulk_change_tickets);
}

/// List tickets: filters, sort and keyset pagination (page 1,000 costs what page 1 costs).
#[utoipa::path(tag = "tickets", security(("bearer" = []), ("api_key" = ["tickets:read"])), params(("ws" = Uuid, Path), TicketListQuery),
    responses((status = 200, body = TicketList), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/tickets")]
async fn list_tickets(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    q: web::Query<TicketListQuery>,
) -> ApiResult<web::Json<TicketList>> {
    Ok(web::Json(
        service::list(&state, &principal, path.into_inner(), &q).await?,
    ))
}

/// The counts behind the filter buttons (All, My Tickets, Open, In Progress, Resolved, Closed).
#[utoipa::path(tag = "tickets", security(("bearer" = []), ("api_key" = ["tickets:read"])), params(("ws" = Uuid, Path)),
    responses((status = 200, body = TicketCounts), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/tickets/counts")]
async fn ticket_counts(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<TicketCounts>> {
    Ok(web::Json(
        service::counts(&state, &principal, path.into_inner()).await?,
    ))
}

/// Create a ticket (source `api` for API keys, `dashboard` for users). An unknown visitor
/// email creates the visitor, and a conversation is opened so that replies have a place to go.
#[utoipa::path(tag = "tickets", security(("bearer" = []), ("api_key" = ["tickets:write"])), params(("ws" = Uuid, Path)), request_body = CreateTicket,
    responses((status = 201, body = TicketOut), (status = 402, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/tickets")]
async fn create_ticket(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    body: web::Json<CreateTicket>,
) -> ApiResult<HttpResponse> {
    let ticket = service::create(&state, &principal, path.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(ticket))
}

/// A ticket by UUID or number (`TKT-10001`): the ticket, its visitor, the whole
/// conversation in order and the timeline.
#[utoipa::path(tag = "tickets", security(("bearer" = []), ("api_key" = ["tickets:read"])),
    params(("ws" = Uuid, Path), ("ticket" = String, Path, description = "UUID or TKT-10001")),
    responses((status = 200, body = TicketDetail), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/tickets/{ticket}")]
async fn get_ticket(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, String)>,
) -> ApiResult<web::Json<TicketDetail>> {
    let (ws, ticket) = path.into_inner();
    Ok(web::Json(
        service::detail(&state, &principal, ws, parse_key(&ticket)?).await?,
    ))
}

/// Move a ticket along the workflow. Invalid move: 409 `invalid_transition` naming the
/// allowed moves; stale `version`: 409 `version_conflict`; same status: no change.
#[utoipa::path(tag = "tickets", security(("bearer" = []), ("api_key" = ["tickets:write"])),
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
    let key = parse_key(&ticket)?;
    Ok(web::Json(
        service::change_status(&state, &principal, ws, key, body.into_inner()).await?,
    ))
}

/// Assign a ticket to a member of the workspace, or unassign it with null. Not a member: 422.
#[utoipa::path(tag = "tickets", security(("bearer" = []), ("api_key" = ["tickets:write"])),
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
    let key = parse_key(&ticket)?;
    Ok(web::Json(
        service::assign(&state, &principal, ws, key, body.into_inner()).await?,
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
    let key = parse_key(&ticket)?;
    let version = body.and_then(|b| b.into_inner().version);
    Ok(web::Json(
        service::assign_to_me(&state, &principal, ws, key, version).await?,
    ))
}

/// Reply to the visitor: stored in the ticket's conversation (the widget shows it), and
/// with `email_visitor: true` also emailed to the visitor.
#[utoipa::path(tag = "tickets", security(("bearer" = []), ("api_key" = ["tickets:write"])),
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
    let key = parse_key(&ticket)?;
    let message = service::reply(&state, &principal, ws, key, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(message))
}

/// The ticket's timeline, oldest first.
#[utoipa::path(tag = "tickets", security(("bearer" = []), ("api_key" = ["tickets:read"])),
    params(("ws" = Uuid, Path), ("ticket" = String, Path, description = "UUID or TKT-10001")),
    responses((status = 200, body = TicketEventList), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/tickets/{ticket}/events")]
async fn ticket_events(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, String)>,
) -> ApiResult<web::Json<TicketEventList>> {
    let (ws, ticket) = path.into_inner();
    let key = parse_key(&ticket)?;
    Ok(web::Json(TicketEventList {
        items: service::events_of(&state, &principal, ws, key).await?,
    }))
}

/// Merge this ticket into another (`into`: UUID or number) of the same visitor. Its
/// conversation and notes move into the surviving ticket's (the visitor's widget follows),
/// its tags are added there, and it is closed with `merged_into`; its number still
/// resolves. Into itself, into a closed or merged ticket, a closed source, or another
/// visitor's ticket: 422 (`merge_into_itself`, `target_closed`, `target_merged`,
/// `ticket_closed`, `different_visitor`); already merged: 409 `ticket_merged`; stale
/// `version` (the merged ticket's): 409 `version_conflict`; another workspace's: 404.
#[utoipa::path(tag = "tickets", security(("bearer" = []), ("api_key" = ["tickets:write"])),
    params(("ws" = Uuid, Path), ("ticket" = String, Path, description = "UUID or TKT-10001: the ticket to merge")), request_body = MergeIn,
    responses((status = 200, body = MergeOut), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/tickets/{ticket}/merge")]
async fn merge_ticket(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, String)>,
    body: web::Json<MergeIn>,
) -> ApiResult<web::Json<MergeOut>> {
    let (ws, ticket) = path.into_inner();
    let key = parse_key(&ticket)?;
    Ok(web::Json(
        crate::services::merge::merge(&state, &principal, ws, key, body.into_inner()).await?,
    ))
}

/// Change status, assignee (`null`: unassign), priority or tags of 1 to 100 tickets in one
/// request. Each ticket goes through the single-ticket rules; the ones a rule refuses
/// (e.g. `invalid_transition`, `ticket_merged`, `not_found`) are listed in `refused` and
/// the others change. A bad request as a whole (no ticket, more than 100, no change, an
/// assignee who is not a member, an unknown tag) is 422 and changes nothing.
#[utoipa::path(tag = "tickets", security(("bearer" = []), ("api_key" = ["tickets:write"])),
    params(("ws" = Uuid, Path)), request_body = BulkIn,
    responses((status = 200, body = BulkOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/tickets/bulk")]
async fn bulk_change_tickets(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    body: web::Json<BulkIn>,
) -> ApiResult<web::Json<BulkOut>> {
    Ok(web::Json(
        crate::services::bulk::bulk(&state, &principal, path.into_inner(), body.into_inner())
            .await?,
    ))
}
