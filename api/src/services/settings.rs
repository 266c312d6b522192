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
use crate::mail;
use crate::services::access::{access, admin};
use crate::services::workspaces::load as load_workspace;
use crate::state::AppState;
use crate::views::settings::{
    AiSettings, InstructionsIn, LintOut, TicketSettings, UpdateTicketSettings,
};

fn view(state: &AppState, ws: crate::db::models::Workspace) -> TicketSettings {
    let sender = mail::sender_of(&state.config.mail_from, &ws);
    TicketSettings::of(ws, sender, state.config.inbound_domain.is_some())
}

pub async fn tickets(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
) -> ApiResult<TicketSettings> {
    let (mut conn, access) = access(state, principal, ws).await?;
    Ok(view(
        state,
        load_workspace(&mut conn, access.workspace_id).await?,
    ))
}

/// `Some("")` clears, `None` keeps `current`; anything else is checked by `check`.
fn changed(
    given: Option<&str>,
    current: Option<String>,
    check: impl Fn(&str) -> ApiResult<String>,
) -> ApiResult<Option<String>> {
    match given.map(str::trim) {
        None => Ok(current),
        Some("") => Ok(None),
        Some(v) => check(v).map(Some),
    }
}

fn check_sender_name(name: &str) -> ApiResult<String> {
    if name.chars().count() > 80 {
        return Err(ApiError::validation(
            "sender_name",
            "must be at most 80 characters",
        ));
    }
    if name.chars().any(|c| c.is_control()) {
        return Err(ApiError::validation(
            "sender_name",
            "must be one line of text",
        ));
    }
    Ok(name.to_string())
}

fn check_sender_address(address: &str) -> ApiResult<String> {
    Email::parse(address)
        .map(|e| e.to_string())
        .map_err(|e| ApiError::validation("sender_address", e.to_string()))
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
    let sender_name = changed(
        body.sender_name.as_deref(),
        ws.mail_sender_name.clone(),
        check_sender_name,
    )?;
    let sender_address = changed(
        body.sender_address.as_deref(),
        ws.mail_sender_address.clone(),
        check_sender_address,
    )?;
    let email_replies = match body.email_replies {
        Some(true) if !ws.email_replies => {
            if !ws.plan.allows_email_replies() {
                return Err(ApiError::plan_required(
                    "Replies by email that come back into the ticket need the Pro plan; on other plans the visitor answers in the chat.",
                ));
            }
            if state.config.inbound_domain.is_none() {
                return Err(ApiError::validation(
                    "email_replies",
                    "this server accepts no mail: its operator has to set INBOUND_DOMAIN (see docs/email.md)",
                ));
            }
            true
        }
        Some(on) => on,
        None => ws.email_replies,
    };
    let ws = workspaces::set_ticket_settings(
        &mut conn,
        ws.id,
        workspaces::TicketSettingsRow {
            enabled: body.enabled,
            notification_email: email.or(ws.notification_email).as_deref(),
            reply_sets_in_progress: body
                .reply_sets_in_progress
                .unwrap_or(ws.reply_sets_in_progress),
            mail_sender_name: sender_name.as_deref(),
            mail_sender_address: sender_address.as_deref(),
            email_replies,
            acknowledge_tickets: body.acknowledge_tickets.unwrap_or(ws.acknowledge_tickets),
        },
    )
    .await?;
    crate::services::audit::record(
        &mut conn,
        ws.id,
        &access.actor,
        "ticket_settings.updated",
        None,
        serde_json::json!({"enabled": ws.tickets_enabled, "email_replies": ws.email_replies}),
    )
    .await?;
    Ok(view(state, ws))
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
