//! Team: members and their roles, invitations by email, API keys.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::app::AppState;
use crate::auth::{self, Access, AuthUser, Principal, tokens};
use crate::db::enums::Role;
use crate::db::models::{ApiKey, Invitation, Membership, NewApiKey, NewInvitation};
use crate::db::schema::{api_keys, invitations, memberships, users, workspaces};
use crate::db::{self, Conn};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::mail::{self, Email};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_members)
        .service(update_member)
        .service(remove_member)
        .service(create_invitation)
        .service(list_invitations)
        .service(accept_invitation)
        .service(list_api_keys)
        .service(create_api_key)
        .service(revoke_api_key);
}

const INVITATION_TTL_DAYS: i64 = 7;

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberOut {
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberList {
    pub items: Vec<MemberOut>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateMember {
    pub role: Role,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct CreateInvitation {
    #[validate(email(message = "must be a valid email address"))]
    pub email: String,
    pub role: Role,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationOut {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationList {
    pub items: Vec<InvitationOut>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AcceptInvitation {
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipOut {
    pub workspace_id: Uuid,
    pub user_id: Uuid,
    pub role: Role,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct CreateApiKey {
    #[validate(length(min = 1, max = 100, message = "must be between 1 and 100 characters"))]
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyOut {
    pub id: Uuid,
    pub name: String,
    /// The first characters of the key, to recognise it.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiKey> for ApiKeyOut {
    fn from(k: ApiKey) -> Self {
        ApiKeyOut {
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            created_at: k.created_at,
            last_used_at: k.last_used_at,
            revoked_at: k.revoked_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKey {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    /// The secret key. Shown once: only its hash is stored.
    pub key: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyList {
    pub items: Vec<ApiKeyOut>,
}

async fn members(conn: &mut Conn, ws: Uuid) -> ApiResult<Vec<MemberOut>> {
    Ok(memberships::table
        .inner_join(users::table)
        .filter(memberships::workspace_id.eq(ws))
        .order((memberships::created_at.asc(), users::id.asc()))
        .select((users::id, users::email, users::name, memberships::role))
        .load::<(Uuid, String, String, Role)>(conn)
        .await?
        .into_iter()
        .map(|(user_id, email, name, role)| MemberOut {
            user_id,
            email,
            name,
            role,
        })
        .collect())
}

/// Locks the workspace's memberships and counts owners, so two concurrent demotions can't
/// leave a workspace without an owner.
async fn owner_count_locked(conn: &mut Conn, ws: Uuid) -> ApiResult<usize> {
    let roles: Vec<Role> = memberships::table
        .filter(memberships::workspace_id.eq(ws))
        .select(memberships::role)
        .for_update()
        .load(conn)
        .await?;
    Ok(roles.into_iter().filter(|r| *r == Role::Owner).count())
}

/// Checks that `access` may give or take `role` (only owners manage owners).
fn check_role_change(access: &Access, from: Option<Role>, to: Option<Role>) -> ApiResult<()> {
    if (from == Some(Role::Owner) || to == Some(Role::Owner)) && access.role != Role::Owner {
        return Err(ApiError::forbidden(
            "Only owners can grant or change the owner role.",
        ));
    }
    Ok(())
}

/// List the workspace's members.
#[utoipa::path(tag = "team", security(("bearer" = [])), params(("ws" = Uuid, Path)),
    responses((status = 200, body = MemberList), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/members")]
async fn list_members(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<MemberList>> {
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, path.into_inner()).await?;
    Ok(web::Json(MemberList {
        items: members(&mut conn, access.workspace_id).await?,
    }))
}

/// Change a member's role (owners and admins; the last owner cannot be demoted).
#[utoipa::path(tag = "team", security(("bearer" = [])), params(("ws" = Uuid, Path), ("user_id" = Uuid, Path)), request_body = UpdateMember,
    responses((status = 200, body = MemberOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[patch("/api/v1/workspaces/{ws}/members/{user_id}")]
async fn update_member(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<UpdateMember>,
) -> ApiResult<web::Json<MemberOut>> {
    let (ws, member) = path.into_inner();
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, ws).await?;
    access.require_admin_user()?;
    let new_role = body.role;
    let out = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let owners = owner_count_locked(conn, ws).await?;
            let current: Membership = memberships::table
                .find((ws, member))
                .select(Membership::as_select())
                .first(conn)
                .await
                .optional()?
                .ok_or_else(|| ApiError::not_found("member"))?;
            check_role_change(&access, Some(current.role), Some(new_role))?;
            if current.role == Role::Owner && new_role != Role::Owner && owners <= 1 {
                return Err(ApiError::conflict(
                    "last_owner",
                    "A workspace needs at least one owner: make someone else owner first.",
                ));
            }
            diesel::update(memberships::table.find((ws, member)))
                .set(memberships::role.eq(new_role))
                .execute(conn)
                .await?;
            members(conn, ws)
                .await?
                .into_iter()
                .find(|m| m.user_id == member)
                .ok_or_else(|| ApiError::not_found("member"))
        })
        .await?;
    Ok(web::Json(out))
}

/// Remove a member (owners and admins, or members leaving; never the last owner).
#[utoipa::path(tag = "team", security(("bearer" = [])), params(("ws" = Uuid, Path), ("user_id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[delete("/api/v1/workspaces/{ws}/members/{user_id}")]
async fn remove_member(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (ws, member) = path.into_inner();
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, ws).await?;
    if access.user_id != Some(member) {
        access.require_admin_user()?;
    }
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let owners = owner_count_locked(conn, ws).await?;
        let current: Membership = memberships::table
            .find((ws, member))
            .select(Membership::as_select())
            .first(conn)
            .await
            .optional()?
            .ok_or_else(|| ApiError::not_found("member"))?;
        if access.user_id != Some(member) {
            check_role_change(&access, Some(current.role), None)?;
        }
        if current.role == Role::Owner && owners <= 1 {
            return Err(ApiError::conflict(
                "last_owner",
                "The last owner cannot be removed.",
            ));
        }
        diesel::delete(memberships::table.find((ws, member)))
            .execute(conn)
            .await?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Invite someone by email (owners and admins). The token goes by email only.
#[utoipa::path(tag = "team", security(("bearer" = [])), params(("ws" = Uuid, Path)), request_body = CreateInvitation,
    responses((status = 201, body = InvitationOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/invitations")]
async fn create_invitation(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    body: web::Json<CreateInvitation>,
) -> ApiResult<HttpResponse> {
    body.validate()?;
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, path.into_inner()).await?;
    let inviter = access.require_admin_user()?;
    check_role_change(&access, None, Some(body.role))?;
    let email = body.email.trim().to_lowercase();
    let role = body.role;
    let token = tokens::random_secret("hi_");
    let hash = tokens::sha256_hex(&token);
    let public_url = state.config.public_url.clone();
    let ws = access.workspace_id;
    let inv = conn
        .transaction::<_, ApiError, _>(async move |conn| {
                let (ws_name, inviter_name): (String, String) = workspaces::table
                    .find(ws)
                    .inner_join(memberships::table.inner_join(users::table))
                    .filter(users::id.eq(inviter))
                    .select((workspaces::name, users::name))
                    .first(conn)
                    .await?;
                let inv: Invitation = diesel::insert_into(invitations::table)
                    .values(NewInvitation {
                        id: Uuid::new_v4(),
                        workspace_id: ws,
                        email: &email,
                        role,
                        token_hash: &hash,
                        invited_by: Some(inviter),
                        expires_at: Utc::now() + chrono::Duration::days(INVITATION_TTL_DAYS),
                    })
                    .returning(Invitation::as_returning())
                    .get_result(conn)
                    .await?;
                let link = format!("{public_url}/invitations/accept?token={token}");
                let text = format!(
                    "{inviter_name} invited you to join {ws_name} on Handoff as {role}.\n\nAccept the invitation: {link}\n\nThe link expires in {INVITATION_TTL_DAYS} days. If you don't have an account yet, sign up with this email address first."
                );
                let html = mail::html_layout(
                    &format!("Join {ws_name} on Handoff"),
                    &format!(
                        "<p>{} invited you to join <strong>{}</strong> as {}.</p><p><a href=\"{}\">Accept the invitation</a></p><p style=\"color:#6b7280\">The link expires in {} days.</p>",
                        mail::html_escape(&inviter_name), mail::html_escape(&ws_name), role, mail::html_escape(&link), INVITATION_TTL_DAYS
                    ),
                );
                mail::queue(conn, Some(ws), &Email { to: email.clone(), subject: format!("You're invited to {ws_name} on Handoff"), text, html: Some(html) }).await?;
                Ok(inv)
        })
        .await?;
    Ok(HttpResponse::Created().json(InvitationOut {
        id: inv.id,
        email: inv.email,
        role: inv.role,
        expires_at: inv.expires_at,
    }))
}

/// Pending invitations (owners and admins).
#[utoipa::path(tag = "team", security(("bearer" = [])), params(("ws" = Uuid, Path)),
    responses((status = 200, body = InvitationList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/invitations")]
async fn list_invitations(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<InvitationList>> {
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, path.into_inner()).await?;
    access.require_admin_user()?;
    let items = invitations::table
        .filter(invitations::workspace_id.eq(access.workspace_id))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::expires_at.gt(Utc::now()))
        .order(invitations::created_at.desc())
        .limit(200)
        .select(Invitation::as_select())
        .load(&mut conn)
        .await?
        .into_iter()
        .map(|i| InvitationOut {
            id: i.id,
            email: i.email,
            role: i.role,
            expires_at: i.expires_at,
        })
        .collect();
    Ok(web::Json(InvitationList { items }))
}

/// Accept an invitation as the logged-in user (whose email must match it).
#[utoipa::path(tag = "team", security(("bearer" = [])), request_body = AcceptInvitation,
    responses((status = 200, body = MembershipOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/invitations/accept")]
async fn accept_invitation(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<AcceptInvitation>,
) -> ApiResult<web::Json<MembershipOut>> {
    let hash = tokens::sha256_hex(body.token.trim());
    let mut conn = db::conn(&state.pool).await?;
    let out = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let inv: Invitation = invitations::table
                .filter(invitations::token_hash.eq(&hash))
                .select(Invitation::as_select())
                .for_update()
                .first(conn)
                .await
                .optional()?
                .ok_or_else(|| ApiError::not_found("invitation"))?;
            if inv.accepted_at.is_some() {
                return Err(ApiError::conflict(
                    "invitation_used",
                    "This invitation has already been accepted.",
                ));
            }
            if inv.expires_at < Utc::now() {
                return Err(ApiError::validation(
                    "token",
                    "the invitation has expired; ask for a new one",
                ));
            }
            let email: String = users::table
                .find(user.user_id)
                .select(users::email)
                .first(conn)
                .await?;
            if !email.eq_ignore_ascii_case(&inv.email) {
                return Err(ApiError::forbidden(
                    "This invitation was sent to another email address.",
                ));
            }
            let inserted = diesel::insert_into(memberships::table)
                .values(Membership {
                    workspace_id: inv.workspace_id,
                    user_id: user.user_id,
                    role: inv.role,
                    created_at: Utc::now(),
                })
                .on_conflict_do_nothing()
                .execute(conn)
                .await?;
            if inserted == 0 {
                return Err(ApiError::conflict(
                    "already_member",
                    "You are already a member of this workspace.",
                ));
            }
            diesel::update(invitations::table.find(inv.id))
                .set(invitations::accepted_at.eq(Utc::now()))
                .execute(conn)
                .await?;
            Ok(MembershipOut {
                workspace_id: inv.workspace_id,
                user_id: user.user_id,
                role: inv.role,
            })
        })
        .await?;
    Ok(web::Json(out))
}

/// List API keys (owners and admins; secrets are never shown again).
#[utoipa::path(tag = "api-keys", security(("bearer" = [])), params(("ws" = Uuid, Path)),
    responses((status = 200, body = ApiKeyList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/api-keys")]
async fn list_api_keys(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<ApiKeyList>> {
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, path.into_inner()).await?;
    access.require_admin_user()?;
    let items = api_keys::table
        .filter(api_keys::workspace_id.eq(access.workspace_id))
        .order((api_keys::created_at.desc(), api_keys::id.desc()))
        .limit(500)
        .select(ApiKey::as_select())
        .load(&mut conn)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(web::Json(ApiKeyList { items }))
}

/// Create an API key for third-party integrations. The key is shown once.
#[utoipa::path(tag = "api-keys", security(("bearer" = [])), params(("ws" = Uuid, Path)), request_body = CreateApiKey,
    responses((status = 201, body = CreatedApiKey), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/api-keys")]
async fn create_api_key(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    body: web::Json<CreateApiKey>,
) -> ApiResult<HttpResponse> {
    body.validate()?;
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, path.into_inner()).await?;
    let creator = access.require_admin_user()?;
    let key = tokens::random_secret("hk_");
    let prefix: String = key.chars().take(11).collect();
    let row: ApiKey = diesel::insert_into(api_keys::table)
        .values(NewApiKey {
            id: Uuid::new_v4(),
            workspace_id: access.workspace_id,
            name: body.name.trim(),
            prefix: &prefix,
            key_hash: &tokens::sha256_hex(&key),
            created_by: Some(creator),
        })
        .returning(ApiKey::as_returning())
        .get_result(&mut conn)
        .await?;
    Ok(HttpResponse::Created().json(CreatedApiKey {
        id: row.id,
        name: row.name,
        prefix: row.prefix,
        key,
        created_at: row.created_at,
    }))
}

/// Revoke an API key; it stops working at once.
#[utoipa::path(tag = "api-keys", security(("bearer" = [])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/api/v1/workspaces/{ws}/api-keys/{id}")]
async fn revoke_api_key(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (ws, id) = path.into_inner();
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, ws).await?;
    access.require_admin_user()?;
    let n = diesel::update(
        api_keys::table
            .filter(api_keys::workspace_id.eq(ws))
            .filter(api_keys::id.eq(id)),
    )
    .filter(api_keys::revoked_at.is_null())
    .set(api_keys::revoked_at.eq(Some(Utc::now())))
    .execute(&mut conn)
    .await?;
    if n == 0 {
        // Already revoked is fine; unknown (or another workspace's) is 404.
        let exists: i64 = api_keys::table
            .filter(api_keys::workspace_id.eq(ws))
            .filter(api_keys::id.eq(id))
            .count()
            .get_result(&mut conn)
            .await?;
        if exists == 0 {
            return Err(ApiError::not_found("API key"));
        }
    }
    Ok(HttpResponse::NoContent().finish())
}
