//! Workspaces: create (the creator becomes owner), read, update name/plan/widget settings.

use actix_web::{HttpResponse, get, patch, post, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::domain::access::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::http::extract::AuthUser;
use crate::services::workspaces as service;
use crate::state::AppState;
use crate::views::workspaces::{CreateWorkspace, MailStatus, UpdateWorkspace, WorkspaceOut};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_workspace)
        .service(get_workspace)
        .service(update_workspace)
        .service(mail_status);
}

/// Create a workspace on the Free plan; the caller becomes its owner. Paid plans are set by
/// the instance operator: a `plan` other than `free` is 403 `plan_set_by_operator`.
#[utoipa::path(tag = "workspaces", security(("bearer" = [])), request_body = CreateWorkspace,
    responses((status = 201, body = WorkspaceOut), (status = 401, body = ErrorBody),
        (status = 403, description = "A paid plan was asked for (`plan_set_by_operator`)", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[post("/api/v1/workspaces")]
async fn create_workspace(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<CreateWorkspace>,
) -> ApiResult<HttpResponse> {
    let ws = service::create(&state, user.user_id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(ws))
}

/// Read a workspace.
#[utoipa::path(tag = "workspaces", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path)),
    responses((status = 200, body = WorkspaceOut), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}")]
async fn get_workspace(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<WorkspaceOut>> {
    Ok(web::Json(
        service::get(&state, &principal, path.into_inner()).await?,
    ))
}

/// Update name, allowed origins, widget colour or greeting (owners and admins). `plan` may
/// only repeat the current plan; changing it is 403 `plan_set_by_operator`.
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "workspaces", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path)), request_body = UpdateWorkspace,
    responses((status = 200, body = WorkspaceOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[patch("/api/v1/workspaces/{ws}")]
async fn update_workspace(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    body: web::Json<UpdateWorkspace>,
) -> ApiResult<web::Json<WorkspaceOut>> {
    Ok(web::Json(
        service::update(&state, &principal, path.into_inner(), body.into_inner()).await?,
    ))
}

/// The workspace's outgoing mail: queued, waiting for the hourly quota, sent this hour
/// (owners and admins).
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "workspaces", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path)),
    responses((status = 200, body = MailStatus), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/mail-status")]
async fn mail_status(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<MailStatus>> {
    Ok(web::Json(
        service::mail_status(&state, &principal, path.into_inner()).await?,
    ))
}
