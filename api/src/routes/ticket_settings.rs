//! The Tickets page setup: enable tickets with a notification email (Standard and Pro
//! only), change or disable later, and whether a reply moves an open ticket to In Progress.
//! Members read it; owners and admins change it.

use actix_web::{get, put, web};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::{self, Principal};
use crate::db;
use crate::db::models::Workspace;
use crate::db::schema::workspaces;
use crate::domain::email::Email;
use crate::domain::lint::{self, Warning};
use crate::domain::tickets::plan_required;
use crate::error::{ApiError, ApiResult, ErrorBody};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get_ticket_settings)
        .service(put_ticket_settings);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketSettings {
    pub enabled: bool,
    pub notification_email: Option<String>,
    /// Whether an agent's reply moves an open ticket to in_progress.
    pub reply_sets_in_progress: bool,
    /// Sentences of the AI Instructions that send visitors elsewhere for help, which stops
    /// the AI from creating tickets.
    pub instruction_warnings: Vec<Warning>,
}

impl From<Workspace> for TicketSettings {
    fn from(ws: Workspace) -> Self {
        TicketSettings {
            instruction_warnings: lint::lint(&ws.ai_instructions),
            enabled: ws.tickets_enabled,
            notification_email: ws.notification_email,
            reply_sets_in_progress: ws.reply_sets_in_progress,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateTicketSettings {
    pub enabled: bool,
    /// Required to enable; where new-ticket notifications go.
    #[serde(default)]
    pub notification_email: Option<String>,
    /// Unchanged when absent.
    #[serde(default)]
    pub reply_sets_in_progress: Option<bool>,
}

/// The ticket settings and the AI Instructions warnings.
#[utoipa::path(tag = "tickets", security(("bearer" = [])), params(("ws" = Uuid, Path)),
    responses((status = 200, body = TicketSettings), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/ticket-settings")]
async fn get_ticket_settings(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<TicketSettings>> {
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, path.into_inner()).await?;
    Ok(web::Json(
        crate::db::workspaces::by_id(&mut conn, access.workspace_id)
            .await?
            .into(),
    ))
}

/// Enable or disable tickets, change the notification email (owners and admins). Enabling
/// on Free: 402 `plan_required`; a bad email: 422. Disabling keeps existing tickets workable.
#[utoipa::path(tag = "tickets", security(("bearer" = [])), params(("ws" = Uuid, Path)), request_body = UpdateTicketSettings,
    responses((status = 200, body = TicketSettings), (status = 402, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[put("/api/v1/workspaces/{ws}/ticket-settings")]
async fn put_ticket_settings(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    body: web::Json<UpdateTicketSettings>,
) -> ApiResult<web::Json<TicketSettings>> {
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, path.into_inner()).await?;
    access.require_admin()?;
    let ws = crate::db::workspaces::by_id(&mut conn, access.workspace_id).await?;
    let body = body.into_inner();
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
            return Err(plan_required());
        }
        if email.is_none() {
            return Err(ApiError::validation(
                "notification_email",
                "is required to enable tickets: new tickets are announced there",
            ));
        }
    }
    let ws: Workspace = diesel::update(workspaces::table.find(ws.id))
        .set((
            workspaces::tickets_enabled.eq(body.enabled),
            workspaces::notification_email.eq(email.or(ws.notification_email)),
            workspaces::reply_sets_in_progress.eq(body
                .reply_sets_in_progress
                .unwrap_or(ws.reply_sets_in_progress)),
        ))
        .returning(Workspace::as_returning())
        .get_result(&mut conn)
        .await?;
    Ok(web::Json(ws.into()))
}
