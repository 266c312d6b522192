//! Workspaces: create (the creator becomes owner), read, change name and widget settings.
//! Plans are the instance operator's (`services::operator`): a caller can't choose a paid
//! plan here.

use chrono::Utc;
use diesel_async::AsyncConnection;
use uuid::Uuid;
use validator::Validate;

use crate::auth::tokens;
use crate::db::models::{Membership, NewWorkspace, Workspace, WorkspaceChanges};
use crate::db::{self, Conn, mail_quota, members, outbox, workspaces};
use crate::domain::access::Principal;
use crate::domain::enums::{Plan, Role};
use crate::domain::origins;
use crate::error::{ApiError, ApiResult};
use crate::mail;
use crate::services::access::{access, admin};
use crate::services::audit;
use crate::state::AppState;
use crate::views::workspaces::{CreateWorkspace, MailStatus, UpdateWorkspace, WorkspaceOut};

/// Widget keys are `wk_` and 24 more characters of a random secret.
const WIDGET_KEY_CHARS: usize = 27;

/// The workspace; 404 when it does not exist.
pub async fn load(conn: &mut Conn, id: Uuid) -> ApiResult<Workspace> {
    workspaces::by_id(conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found("workspace"))
}

/// 403 `plan_set_by_operator`: only the instance operator changes plans.
pub fn plan_set_by_operator() -> ApiError {
    ApiError::forbidden_code(
        "plan_set_by_operator",
        "Plans are set by the operator of this Handoff instance; ask them to change this workspace's plan.",
    )
}

/// Creates a workspace on the Free plan (a paid `plan` is 403 `plan_set_by_operator`).
pub async fn create(
    state: &AppState,
    user_id: Uuid,
    body: CreateWorkspace,
) -> ApiResult<WorkspaceOut> {
    body.validate()?;
    if body.plan.is_some_and(|p| p != Plan::Free) {
        return Err(plan_set_by_operator());
    }
    let mut conn = db::conn(&state.pool).await?;
    let key: String = tokens::random_secret("wk_")
        .chars()
        .take(WIDGET_KEY_CHARS)
        .collect();
    let ws = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let new = NewWorkspace {
                id: Uuid::new_v4(),
                name: body.name.trim(),
                plan: Plan::Free,
                widget_key: &key,
            };
            create_owned(conn, new, user_id).await
        })
        .await?;
    Ok(ws.into())
}

/// Inserts a workspace with `owner` as its owner, in the caller's transaction.
pub async fn create_owned(
    conn: &mut Conn,
    ws: NewWorkspace<'_>,
    owner: Uuid,
) -> ApiResult<Workspace> {
    let ws = workspaces::insert(conn, ws).await?;
    members::insert(
        conn,
        Membership {
            workspace_id: ws.id,
            user_id: owner,
            role: Role::Owner,
            created_at: Utc::now(),
        },
    )
    .await?;
    Ok(ws)
}

pub async fn get(state: &AppState, principal: &Principal, ws: Uuid) -> ApiResult<WorkspaceOut> {
    let (mut conn, access) = access(state, principal, ws).await?;
    Ok(load(&mut conn, access.workspace_id).await?.into())
}

fn is_hex_color(c: &str) -> bool {
    let hex = c.strip_prefix('#').unwrap_or("");
    (hex.len() == 6 || hex.len() == 3) && hex.chars().all(|ch| ch.is_ascii_hexdigit())
}

/// Name, allowed origins, widget colour, greeting or default language (owners and admins). `plan` may only
/// repeat the current plan (clients that send the whole object back); another one is 403
/// `plan_set_by_operator`.
pub async fn update(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    body: UpdateWorkspace,
) -> ApiResult<WorkspaceOut> {
    body.validate()?;
    let (mut conn, access) = admin(state, principal, ws).await?;
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
    if let Some(plan) = body.plan
        && load(&mut conn, access.workspace_id).await?.plan != plan
    {
        return Err(plan_set_by_operator());
    }
    let changes = WorkspaceChanges {
        name: body.name.map(|n| n.trim().to_string()),
        plan: None,
        allowed_origins,
        widget_color: body.widget_color.map(|c| c.to_lowercase()),
        greeting: body.greeting,
        default_language: body.default_language.map(|l| l.code().to_string()),
    };
    let ws = if changes.is_empty() {
        load(&mut conn, access.workspace_id).await?
    } else {
        let fields: Vec<&str> = [
            ("name", changes.name.is_some()),
            ("allowed_origins", changes.allowed_origins.is_some()),
            ("widget_color", changes.widget_color.is_some()),
            ("greeting", changes.greeting.is_some()),
            ("default_language", changes.default_language.is_some()),
        ]
        .into_iter()
        .filter_map(|(f, set)| set.then_some(f))
        .collect();
        let actor = access.actor.clone();
        let id = access.workspace_id;
        conn.transaction::<_, ApiError, _>(async |c| {
            let ws = workspaces::update(c, id, &changes)
                .await?
                .ok_or_else(|| ApiError::not_found("workspace"))?;
            audit::record(
                c,
                id,
                &actor,
                "workspace.updated",
                None,
                serde_json::json!({"fields": fields}),
            )
            .await?;
            Ok(ws)
        })
        .await?
    };
    Ok(ws.into())
}

/// Mail counted at most by the mail status.
const MAIL_STATUS_CAP: i64 = 1000;

/// The workspace's outgoing mail (owners and admins).
pub async fn mail_status(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
) -> ApiResult<MailStatus> {
    let (mut conn, access) = admin(state, principal, ws).await?;
    let ws = access.workspace_id;
    let q = outbox::mail_status(&mut conn, ws, MAIL_STATUS_CAP).await?;
    let (window, _) = mail::quota::window(Utc::now());
    let sent = mail_quota::used(&mut conn, &mail::quota::workspace_scope(ws), window).await?;
    Ok(MailStatus {
        queued: q.queued,
        waiting_for_quota: q.waiting,
        next_send_at: q.next_at,
        sent_this_hour: i64::from(sent),
        quota_per_hour: state.config.mail_quota_workspace_per_hour,
        recipient_quota_per_hour: state.config.mail_quota_recipient_per_hour,
    })
}
