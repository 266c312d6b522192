//! Workspace tags (owners and admins manage them, every member applies them) and the
//! ticket edit (`PATCH /tickets/{ticket}`: summary, category, priority, tags). Each
//! handler parses the path and body and calls `services::tags` / `services::ticket_edit`.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::domain::access::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::services::tickets::parse_key;
use crate::services::{tags as service, ticket_edit};
use crate::state::AppState;
use crate::views::tags::{TagIn, TagList, TagOut, TagPatch, TicketPatch};
use crate::views::tickets::TicketOut;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_tags)
        .service(create_tag)
        .service(update_tag)
        .service(delete_tag)
        .service(edit_ticket);
}

/// The workspace's tags, by name.
#[utoipa::path(tag = "tickets", security(("bearer" = []), ("api_key" = ["tickets:read"])), params(("ws" = Uuid, Path)),
    responses((status = 200, body = TagList), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/tags")]
async fn list_tags(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<TagList>> {
    Ok(web::Json(TagList {
        items: service::list(&state, &principal, path.into_inner()).await?,
    }))
}

/// Create a tag (owners and admins). Name taken: 409 `tag_exists`; more than 200: 409 `tag_limit`.
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "tickets", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path)), request_body = TagIn,
    responses((status = 201, body = TagOut), (status = 403, description = "Only owners and admins manage tags", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/tags")]
async fn create_tag(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    body: web::Json<TagIn>,
) -> ApiResult<HttpResponse> {
    let tag = service::create(&state, &principal, path.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(tag))
}

/// Rename or recolour a tag (owners and admins); tickets show the change at once.
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "tickets", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)), request_body = TagPatch,
    responses((status = 200, body = TagOut), (status = 403, description = "Only owners and admins manage tags", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[patch("/api/v1/workspaces/{ws}/tags/{id}")]
async fn update_tag(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<TagPatch>,
) -> ApiResult<web::Json<TagOut>> {
    let (ws, id) = path.into_inner();
    Ok(web::Json(
        service::update(&state, &principal, ws, id, body.into_inner()).await?,
    ))
}

/// Delete a tag (owners and admins); it is taken off every ticket.
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "tickets", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 204), (status = 403, description = "Only owners and admins manage tags", body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/api/v1/workspaces/{ws}/tags/{id}")]
async fn delete_tag(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (ws, id) = path.into_inner();
    service::delete(&state, &principal, ws, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Edit a ticket's summary, category, priority and tags (`tags` is the whole set) in one
/// change. Pass the `version` you saw: a stale one is 409 `version_conflict`. Each changed
/// field is a timeline entry and a `changes` entry of the `ticket.updated` webhook.
#[utoipa::path(tag = "tickets", security(("bearer" = []), ("api_key" = ["tickets:write"])),
    params(("ws" = Uuid, Path), ("ticket" = String, Path, description = "UUID or TKT-10001")), request_body = TicketPatch,
    responses((status = 200, body = TicketOut), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[patch("/api/v1/workspaces/{ws}/tickets/{ticket}")]
async fn edit_ticket(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, String)>,
    body: web::Json<TicketPatch>,
) -> ApiResult<web::Json<TicketOut>> {
    let (ws, ticket) = path.into_inner();
    let key = parse_key(&ticket)?;
    Ok(web::Json(
        ticket_edit::edit(&state, &principal, ws, key, body.into_inner()).await?,
    ))
}
