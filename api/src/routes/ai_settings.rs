//! AI Instructions (the workspace's own system-prompt text) and their lint, which warns
//! when the text sends visitors elsewhere for help instead of letting the AI open tickets.

use actix_web::{get, post, put, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::domain::access::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::services::settings as service;
use crate::state::AppState;
use crate::views::settings::{AiSettings, InstructionsIn, LintOut};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get_ai_settings)
        .service(put_ai_settings)
        .service(lint_instructions);
}

/// The workspace's AI Instructions, with lint warnings.
#[utoipa::path(tag = "ai-settings", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path)),
    responses((status = 200, body = AiSettings), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/ai-settings")]
async fn get_ai_settings(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<AiSettings>> {
    Ok(web::Json(
        service::ai(&state, &principal, path.into_inner()).await?,
    ))
}

/// Save the AI Instructions (owners and admins); the answer carries the lint warnings.
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "ai-settings", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path)), request_body = InstructionsIn,
    responses((status = 200, body = AiSettings), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[put("/api/v1/workspaces/{ws}/ai-settings")]
async fn put_ai_settings(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    body: web::Json<InstructionsIn>,
) -> ApiResult<web::Json<AiSettings>> {
    Ok(web::Json(
        service::update_ai(&state, &principal, path.into_inner(), &body).await?,
    ))
}

/// Lint instructions without saving them (for live feedback while typing).
#[utoipa::path(tag = "ai-settings", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path)), request_body = InstructionsIn,
    responses((status = 200, body = LintOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/ai-settings/lint")]
async fn lint_instructions(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    body: web::Json<InstructionsIn>,
) -> ApiResult<web::Json<LintOut>> {
    Ok(web::Json(
        service::lint(&state, &principal, path.into_inner(), &body).await?,
    ))
}
