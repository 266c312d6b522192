//! The Tickets page setup (enable with a notification email on Standard and Pro; change or
//! disable later; whether a reply moves an open ticket to In Progress) and the AI
//! Instructions with their lint. Members read; owners and admins change.

use uuid::Uuid;
use validator::Validate;

use crate::db::workspaces;
use crate::domain::access::Principal;
use crate::domain::email::Email;
use crate::domain::lint;
use crate::domain::tickets::TicketsUnavailable;
use crate::error::{ApiError, ApiResult};
use crate::services::access::{access, admin};
use crate::services::workspaces::load as load_workspace;
use crate::state::AppState;
use crate::views::settings::{
    AiSettings, InstructionsIn, LintOut, TicketSettings, UpdateTicketSettings,
};

pub async fn tickets(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
) -> ApiResult<TicketSettings> {
    let (mut conn, access) = access(state, principal, ws).await?;
    Ok(load_workspace(&mut conn, access.workspace_id).await?.into())
}

/// Enabling on Free: 402 `plan_required`; a bad email: 422. Disabling keeps existing
/// tickets workable.
pub async fn update_tickets(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    body: UpdateTicketSettings,
) -> ApiResult<TicketSettings> {
    let (mut conn, access) = admin(state, principal, ws).await?;
    let ws = load_workspace(&mut conn, access.workspace_id).await?;
    let email = match body
        .notification_email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        Some(raw) => Some(
            Email::parse(raw)
                .map_err(|_| {
                    ApiError::validation("notification_email", "is not a valid email address")
                })?
                .to_string(),
        ),
        None => None,
    };
    if body.enabled {
        if !ws.plan.allows_tickets() {
            return Err(TicketsUnavailable::PlanRequired.into());
        }
        if email.is_none() {
            return Err(ApiError::validation(
                "notification_email",
                "is required to enable tickets: new tickets are announced there",
            ));
        }
    }
    let ws = workspaces::set_ticket_settings(
        &mut conn,
        ws.id,
        body.enabled,
        email.or(ws.notification_email).as_deref(),
        body.reply_sets_in_progress
            .unwrap_or(ws.reply_sets_in_progress),
    )
    .await?;
    Ok(ws.into())
}

pub async fn ai(state: &AppState, principal: &Principal, ws: Uuid) -> ApiResult<AiSettings> {
    let (mut conn, access) = access(state, principal, ws).await?;
    let ws = load_workspace(&mut conn, access.workspace_id).await?;
    let usage = usage(state, &mut conn, ws.id).await?;
    Ok(AiSettings {
        warnings: lint::lint(&ws.ai_instructions),
        instructions: ws.ai_instructions,
        usage,
    })
}

async fn usage(
    state: &AppState,
    conn: &mut crate::db::Conn,
    ws: Uuid,
) -> ApiResult<crate::views::settings::AiUsage> {
    crate::services::ai_budget::status(
        conn,
        &state.config,
        state.assistant.provider(),
        state.assistant.metered(),
        ws,
    )
    .await
}

/// Saves the AI Instructions; the answer carries the lint warnings.
pub async fn update_ai(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    body: &InstructionsIn,
) -> ApiResult<AiSettings> {
    body.validate()?;
    let (mut conn, access) = admin(state, principal, ws).await?;
    let saved =
        workspaces::set_ai_instructions(&mut conn, access.workspace_id, body.instructions.trim())
            .await?;
    let usage = usage(state, &mut conn, access.workspace_id).await?;
    Ok(AiSettings {
        warnings: lint::lint(&saved),
        instructions: saved,
        usage,
    })
}

/// Lints instructions without saving them (live feedback while typing).
pub async fn lint(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    body: &InstructionsIn,
) -> ApiResult<LintOut> {
    body.validate()?;
    let _member = access(state, principal, ws).await?;
    Ok(LintOut {
        warnings: lint::lint(&body.instructions),
    })
}
