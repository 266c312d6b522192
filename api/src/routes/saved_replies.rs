//! Saved replies: canned answers agents insert into a reply by typing `/shortcut` (owners
//! and admins write them, every member reads them). Each handler parses the path, query
//! and body and calls `services::saved_replies`.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::domain::access::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::services::saved_replies as service;
use crate::state::AppState;
use crate::views::saved_replies::{
    SavedReplyIn, SavedReplyList, SavedReplyOut, SavedReplyPatch, SavedReplyQuery,
};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_saved_replies)
        .service(create_saved_reply)
        .service(get_saved_reply)
        .service(update_saved_reply)
        .service(delete_saved_reply);
}

/// The workspace's saved replies by shortcut, keyset-paginated; `q` keeps those whose
/// shortcut or title contains it.
#[utoipa::path(tag = "saved-replies", security(("bearer" = []), ("api_key" = ["tickets:read"])), params(("ws" = Uuid, Path), SavedReplyQuery),
    responses((status = 200, body = SavedReplyList), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/saved-replies")]
async fn list_saved_replies(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    q: web::Query<SavedReplyQuery>,
) -> ApiResult<web::Json<SavedReplyList>> {
    Ok(web::Json(
        service::list(&state, &principal, path.into_inner(), &q).await?,
    ))
}

/// Create a saved reply (owners and admins). Shortcut taken: 409 `shortcut_taken`; more
/// than 1,000 in the workspace: 409 `saved_reply_limit`.
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "saved-replies", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path)), request_body = SavedReplyIn,
    responses((status = 201, body = SavedReplyOut), (status = 403, description = "Only owners and admins manage saved replies", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/saved-replies")]
async fn create_saved_reply(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    body: web::Json<SavedReplyIn>,
) -> ApiResult<HttpResponse> {
    let reply = service::create(&state, &principal, path.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(reply))
}

/// Read a saved reply.
#[utoipa::path(tag = "saved-replies", security(("bearer" = []), ("api_key" = ["tickets:read"])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 200, body = SavedReplyOut), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/saved-replies/{id}")]
async fn get_saved_reply(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<web::Json<SavedReplyOut>> {
    let (ws, id) = path.into_inner();
    Ok(web::Json(service::get(&state, &principal, ws, id).await?))
}

/// Change a saved reply's title, shortcut and/or body (owners and admins). Pass the
/// `version` you saw: a stale one is 409 `version_conflict`.
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "saved-replies", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)), request_body = SavedReplyPatch,
    responses((status = 200, body = SavedReplyOut), (status = 403, description = "Only owners and admins manage saved replies", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[patch("/api/v1/workspaces/{ws}/saved-replies/{id}")]
async fn update_saved_reply(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<SavedReplyPatch>,
) -> ApiResult<web::Json<SavedReplyOut>> {
    let (ws, id) = path.into_inner();
    Ok(web::Json(
        service::update(&state, &principal, ws, id, body.into_inner()).await?,
    ))
}

/// Delete a saved reply (owners and admins).
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "saved-replies", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 204), (status = 403, description = "Only owners and admins manage saved replies", body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/api/v1/workspaces/{ws}/saved-replies/{id}")]
async fn delete_saved_reply(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (ws, id) = path.into_inner();
    service::delete(&state, &principal, ws, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
