//! Workspaces: create (the creator becomes owner), read, update name/plan/widget settings.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::app::AppState;
use crate::auth::{self, AuthUser, Principal, tokens};
use crate::db::enums::{Plan, Role};
use crate::db::models::{Membership, NewWorkspace, Workspace, WorkspaceChanges};
use crate::db::schema::{memberships, workspaces};
use crate::db::{self, Conn};
use crate::domain::origins;
use crate::error::{ApiError, ApiResult, ErrorBody};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_workspace)
        .service(get_workspace)
        .service(update_workspace);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceOut {
    pub id: Uuid,
    pub name: String,
    pub plan: Plan,
    /// Public key that identifies the workspace's widget on customer sites.
    pub widget_key: String,
    /// Origins allowed to embed the widget (empty: any).
    pub allowed_origins: Vec<String>,
    pub widget_color: String,
    pub greeting: String,
    pub created_at: DateTime<Utc>,
}

impl From<Workspace> for WorkspaceOut {
    fn from(w: Workspace) -> Self {
        WorkspaceOut {
            id: w.id,
            name: w.name,
            plan: w.plan,
            widget_key: w.widget_key,
            allowed_origins: w.allowed_origins,
            widget_color: w.widget_color,
            greeting: w.greeting,
            created_at: w.created_at,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct CreateWorkspace {
    #[validate(length(min = 1, max = 100, message = "must be between 1 and 100 characters"))]
    pub name: String,
    pub plan: Option<Plan>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct UpdateWorkspace {
    #[validate(length(min = 1, max = 100, message = "must be between 1 and 100 characters"))]
    pub name: Option<String>,
    pub plan: Option<Plan>,
    #[validate(length(max = 50, message = "at most 50 origins"))]
    pub allowed_origins: Option<Vec<String>>,
    pub widget_color: Option<String>,
    #[validate(length(min = 1, max = 500, message = "must be between 1 and 500 characters"))]
    pub greeting: Option<String>,
}

pub async fn load(conn: &mut Conn, id: Uuid) -> ApiResult<Workspace> {
    crate::db::workspaces::by_id(conn, id)
        .await
        .optional()?
        .ok_or_else(|| ApiError::not_found("workspace"))
}

/// Create a workspace; the caller becomes its owner.
#[utoipa::path(tag = "workspaces", security(("bearer" = [])), request_body = CreateWorkspace,
    responses((status = 201, body = WorkspaceOut), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/workspaces")]
async fn create_workspace(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<CreateWorkspace>,
) -> ApiResult<HttpResponse> {
    body.validate()?;
    let mut conn = db::conn(&state.pool).await?;
    let body = body.into_inner();
    let ws = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let key = tokens::random_secret("wk_");
            let ws: Workspace = diesel::insert_into(workspaces::table)
                .values(NewWorkspace {
                    id: Uuid::new_v4(),
                    name: body.name.trim(),
                    plan: body.plan.unwrap_or(Plan::Free),
                    widget_key: &key.chars().take(27).collect::<String>(),
                })
                .returning(Workspace::as_returning())
                .get_result(conn)
                .await?;
            diesel::insert_into(memberships::table)
                .values(Membership {
                    workspace_id: ws.id,
                    user_id: user.user_id,
                    role: Role::Owner,
                    created_at: Utc::now(),
                })
                .execute(conn)
                .await?;
            Ok(ws)
        })
        .await?;
    Ok(HttpResponse::Created().json(WorkspaceOut::from(ws)))
}

/// Read a workspace.
#[utoipa::path(tag = "workspaces", security(("bearer" = [])), params(("ws" = Uuid, Path)),
    responses((status = 200, body = WorkspaceOut), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}")]
async fn get_workspace(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<WorkspaceOut>> {
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, path.into_inner()).await?;
    Ok(web::Json(
        load(&mut conn, access.workspace_id).await?.into(),
    ))
}

/// Update name, plan, allowed origins, widget colour or greeting (owners and admins).
#[utoipa::path(tag = "workspaces", security(("bearer" = [])), params(("ws" = Uuid, Path)), request_body = UpdateWorkspace,
    responses((status = 200, body = WorkspaceOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[patch("/api/v1/workspaces/{ws}")]
async fn update_workspace(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    body: web::Json<UpdateWorkspace>,
) -> ApiResult<web::Json<WorkspaceOut>> {
    body.validate()?;
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, path.into_inner()).await?;
    access.require_admin()?;
    let body = body.into_inner();
    let allowed_origins = body
        .allowed_origins
        .map(|list| origins::normalize_all(&list))
        .transpose()
        .map_err(|bad| {
            ApiError::validation(
                "allowed_origins",
                format!("`{bad}` is not an origin like https://shop.example.com"),
            )
        })?;
    if let Some(c) = &body.widget_color
        && !is_hex_color(c)
    {
        return Err(ApiError::validation(
            "widget_color",
            "must be a hex colour like #4f46e5",
        ));
    }
    let changes = WorkspaceChanges {
        name: body.name.map(|n| n.trim().to_string()),
        plan: body.plan,
        allowed_origins,
        widget_color: body.widget_color.map(|c| c.to_lowercase()),
        greeting: body.greeting,
    };
    let ws = if changes.name.is_none()
        && changes.plan.is_none()
        && changes.allowed_origins.is_none()
        && changes.widget_color.is_none()
        && changes.greeting.is_none()
    {
        load(&mut conn, access.workspace_id).await?
    } else {
        diesel::update(workspaces::table.find(access.workspace_id))
            .set(&changes)
            .returning(Workspace::as_returning())
            .get_result(&mut conn)
            .await?
    };
    Ok(web::Json(ws.into()))
}

fn is_hex_color(c: &str) -> bool {
    let hex = c.strip_prefix('#').unwrap_or("");
    (hex.len() == 6 || hex.len() == 3) && hex.chars().all(|ch| ch.is_ascii_hexdigit())
}
