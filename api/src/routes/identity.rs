//! The workspace's identity secret, for verified identity in the widget (owners, admins).

use actix_web::{HttpResponse, delete, post, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::domain::access::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::services::identity as service;
use crate::state::AppState;
use crate::views::identity::IdentitySecretOut;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(rotate_identity_secret)
        .service(delete_identity_secret);
}

/// Make a new identity secret (shown once in the answer) and turn verified identity on;
/// an earlier secret stops verifying at once. The host's server signs each user id with it
/// (`hash` = hex HMAC-SHA256(`user_id`)) for `Handoff('identify', …)`.
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "workspaces", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path)),
    responses((status = 201, body = IdentitySecretOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/identity-secret")]
async fn rotate_identity_secret(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let out = service::rotate(&state, &principal, path.into_inner()).await?;
    Ok(HttpResponse::Created().json(out))
}

/// Remove the identity secret: verified identity is off, and `identify` claims are ignored
/// (visitors already verified stay so).
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "workspaces", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/api/v1/workspaces/{ws}/identity-secret")]
async fn delete_identity_secret(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    service::remove(&state, &principal, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
