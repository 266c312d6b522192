//! AI Instructions (the workspace's own system-prompt text) and their lint, which warns
//! when the text sends visitors elsewhere for help instead of letting the AI open tickets.

use actix_web::{get, post, put, web};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::app::AppState;
use crate::auth::{self, Principal};
use crate::db;
use crate::db::schema::workspaces;
use crate::domain::lint::{self, Warning};
use crate::error::{ApiResult, ErrorBody};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get_ai_settings)
        .service(put_ai_settings)
        .service(lint_instructions);
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct InstructionsIn {
    #[validate(length(max = 20000, message = "must be at most 20000 characters"))]
    pub instructions: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AiSettings {
    pub instructions: String,
    /// Sentences that send visitors elsewhere for help (see the lint endpoint).
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LintOut {
    pub warnings: Vec<Warning>,
}

/// The workspace's AI Instructions, with lint warnings.
#[utoipa::path(tag = "ai-settings", security(("bearer" = [])), params(("ws" = Uuid, Path)),
    responses((status = 200, body = AiSettings), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/ai-settings")]
async fn get_ai_settings(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<AiSettings>> {
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, path.into_inner()).await?;
    let ws = crate::db::workspaces::by_id(&mut conn, access.workspace_id).await?;
    Ok(web::Json(AiSettings {
        warnings: lint::lint(&ws.ai_instructions),
        instructions: ws.ai_instructions,
    }))
}

/// Save the AI Instructions (owners and admins); the answer carries the lint warnings.
#[utoipa::path(tag = "ai-settings", security(("bearer" = [])), params(("ws" = Uuid, Path)), request_body = InstructionsIn,
    responses((status = 200, body = AiSettings), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[put("/api/v1/workspaces/{ws}/ai-settings")]
async fn put_ai_settings(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    body: web::Json<InstructionsIn>,
) -> ApiResult<web::Json<AiSettings>> {
    body.validate()?;
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, path.into_inner()).await?;
    access.require_admin()?;
    let text = body.into_inner().instructions.trim().to_string();
    let saved: String = diesel::update(workspaces::table.find(access.workspace_id))
        .set(workspaces::ai_instructions.eq(&text))
        .returning(workspaces::ai_instructions)
        .get_result(&mut conn)
        .await?;
    Ok(web::Json(AiSettings {
        warnings: lint::lint(&saved),
        instructions: saved,
    }))
}

/// Lint instructions without saving them (for live feedback while typing).
#[utoipa::path(tag = "ai-settings", security(("bearer" = [])), params(("ws" = Uuid, Path)), request_body = InstructionsIn,
    responses((status = 200, body = LintOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/ai-settings/lint")]
async fn lint_instructions(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    body: web::Json<InstructionsIn>,
) -> ApiResult<web::Json<LintOut>> {
    body.validate()?;
    let mut conn = db::conn(&state.pool).await?;
    auth::access(&mut conn, &principal, path.into_inner()).await?;
    Ok(web::Json(LintOut {
        warnings: lint::lint(&body.instructions),
    }))
}
