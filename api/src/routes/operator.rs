//! The instance operator's API (users flagged with `handoff operator grant`).

use actix_web::{put, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::error::{ApiResult, ErrorBody};
use crate::http::extract::AuthUser;
use crate::services::operator as service;
use crate::state::AppState;
use crate::views::workspaces::{SetPlan, WorkspaceOut};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(set_plan);
}

/// Set a workspace's plan (instance operators only; workspace owners can't choose plans).
#[utoipa::path(extensions(("x-handoff-role" = json!("operator"))), tag = "operator", security(("bearer" = [])), params(("ws" = Uuid, Path)), request_body = SetPlan,
    responses((status = 200, body = WorkspaceOut), (status = 401, body = ErrorBody),
        (status = 403, description = "Not an instance operator (`operator_only`)", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[put("/api/v1/operator/workspaces/{ws}/plan")]
async fn set_plan(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    body: web::Json<SetPlan>,
) -> ApiResult<web::Json<WorkspaceOut>> {
    Ok(web::Json(
        service::set_plan(&state, user.user_id, path.into_inner(), body.plan).await?,
    ))
}
