//! The instance operator's powers: workspace plans. Operators are users flagged with
//! `handoff operator grant <email>`; plans change through `handoff workspace plan` or the
//! operator API, never through the workspace endpoints (a workspace owner choosing a paid
//! plan would be a billing bypass and lifts the mail limits of the free plan).

use uuid::Uuid;

use crate::db::models::{Workspace, WorkspaceChanges};
use crate::db::{self, Conn, users, workspaces};
use crate::domain::enums::Plan;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::views::workspaces::WorkspaceOut;

fn operator_only() -> ApiError {
    ApiError::forbidden_code(
        "operator_only",
        "Only an operator of this Handoff instance may do this.",
    )
}

/// Sets a workspace's plan (no access check: the CLI and `set_plan` check).
pub async fn set_plan_unchecked(conn: &mut Conn, ws: Uuid, plan: Plan) -> ApiResult<Workspace> {
    let changes = WorkspaceChanges {
        plan: Some(plan),
        ..WorkspaceChanges::default()
    };
    let ws = workspaces::update(conn, ws, &changes)
        .await?
        .ok_or_else(|| ApiError::not_found("workspace"))?;
    // The instance operator's action, in the workspace's log.
    crate::services::audit::record(
        conn,
        ws.id,
        &crate::domain::actor::Actor::system(),
        "plan.changed",
        None,
        serde_json::json!({"plan": plan}),
    )
    .await?;
    Ok(ws)
}

/// Sets a workspace's plan as `user_id`, who must be an operator (403 otherwise).
pub async fn set_plan(
    state: &AppState,
    user_id: Uuid,
    ws: Uuid,
    plan: Plan,
) -> ApiResult<WorkspaceOut> {
    let mut conn = db::conn(&state.pool).await?;
    let user = users::by_id(&mut conn, user_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized_msg("The account no longer exists."))?;
    if !user.is_operator {
        return Err(operator_only());
    }
    let ws = set_plan_unchecked(&mut conn, ws, plan).await?;
    tracing::info!(operator = %user_id, workspace = %ws.id, plan = %plan, "plan set by an operator");
    Ok(ws.into())
}

/// Grants (`on`) or revokes the operator flag; 404 when no account has this email.
pub async fn set_operator(conn: &mut Conn, email: &str, on: bool) -> ApiResult<Uuid> {
    users::set_operator(conn, &email.trim().to_lowercase(), on)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))
}
