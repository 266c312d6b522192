//! Team: members and their roles, invitations by email, API keys.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::domain::access::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::http::extract::AuthUser;
use crate::services::team as service;
use crate::state::AppState;
use crate::views::team::{
    AcceptInvitation, ApiKeyList, CreateApiKey, CreateInvitation, CreatedApiKey, InvitationList,
    InvitationOut, MemberList, MemberOut, MembershipOut, UpdateMember,
};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_members)
        .service(update_member)
        .service(remove_member)
        .service(create_invitation)
        .service(list_invitations)
        .service(revoke_invitation)
        .service(accept_invitation)
        .service(list_api_keys)
        .service(create_api_key)
        .service(revoke_api_key);
}

/// List the workspace's members.
#[utoipa::path(tag = "team", security(("bearer" = []), ("api_key" = ["tickets:read"])), params(("ws" = Uuid, Path)),
    responses((status = 200, body = MemberList), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/members")]
async fn list_members(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<MemberList>> {
    Ok(web::Json(
        service::members(&state, &principal, path.into_inner()).await?,
    ))
}

/// Change a member's role (owners and admins; the last owner cannot be demoted).
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "team", security(("bearer" = [])), params(("ws" = Uuid, Path), ("user_id" = Uuid, Path)), request_body = UpdateMember,
    responses((status = 200, body = MemberOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[patch("/api/v1/workspaces/{ws}/members/{user_id}")]
async fn update_member(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<UpdateMember>,
) -> ApiResult<web::Json<MemberOut>> {
    let (ws, member) = path.into_inner();
    Ok(web::Json(
        service::update_member(&state, &principal, ws, member, body.role).await?,
    ))
}

/// Remove a member (owners and admins, or members leaving; never the last owner).
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "team", security(("bearer" = [])), params(("ws" = Uuid, Path), ("user_id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[delete("/api/v1/workspaces/{ws}/members/{user_id}")]
async fn remove_member(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (ws, member) = path.into_inner();
    service::remove_member(&state, &principal, ws, member).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Invite someone by email (owners and admins). The token goes by email only.
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "team", security(("bearer" = [])), params(("ws" = Uuid, Path)), request_body = CreateInvitation,
    responses((status = 201, body = InvitationOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/invitations")]
async fn create_invitation(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    body: web::Json<CreateInvitation>,
) -> ApiResult<HttpResponse> {
    let invitation = service::invite(&state, &principal, path.into_inner(), &body).await?;
    Ok(HttpResponse::Created().json(invitation))
}

/// Pending invitations (owners and admins).
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "team", security(("bearer" = [])), params(("ws" = Uuid, Path)),
    responses((status = 200, body = InvitationList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/invitations")]
async fn list_invitations(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<InvitationList>> {
    Ok(web::Json(
        service::invitations(&state, &principal, path.into_inner()).await?,
    ))
}

/// Revoke a pending invitation (owners and admins): its link stops working.
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "team", security(("bearer" = [])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/api/v1/workspaces/{ws}/invitations/{id}")]
async fn revoke_invitation(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (ws, id) = path.into_inner();
    service::revoke_invitation(&state, &principal, ws, id).await?;
    Ok(HttpResponse::NoContent().finish())
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
    Ok(web::Json(
        service::accept_invitation(&state, user.user_id, &body.token).await?,
    ))
}

/// List API keys (owners and admins; secrets are never shown again).
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "api-keys", security(("bearer" = [])), params(("ws" = Uuid, Path)),
    responses((status = 200, body = ApiKeyList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/api-keys")]
async fn list_api_keys(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<ApiKeyList>> {
    Ok(web::Json(
        service::api_keys(&state, &principal, path.into_inner()).await?,
    ))
}

/// Create an API key for third-party integrations. The key is shown once.
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "api-keys", security(("bearer" = [])), params(("ws" = Uuid, Path)), request_body = CreateApiKey,
    responses((status = 201, body = CreatedApiKey), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/api-keys")]
async fn create_api_key(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    body: web::Json<CreateApiKey>,
) -> ApiResult<HttpResponse> {
    let key = service::create_api_key(&state, &principal, path.into_inner(), &body).await?;
    Ok(HttpResponse::Created().json(key))
}

/// Revoke an API key; it stops working at once.
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "api-keys", security(("bearer" = [])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/api/v1/workspaces/{ws}/api-keys/{id}")]
async fn revoke_api_key(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (ws, id) = path.into_inner();
    service::revoke_api_key(&state, &principal, ws, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
