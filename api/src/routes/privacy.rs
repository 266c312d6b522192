//! Privacy: a visitor's data exported or erased, the retention policy, the audit log
//! (owners and admins). Each handler parses the path and body and calls
//! `services::privacy` or `services::audit`.

use actix_web::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION};
use actix_web::{HttpResponse, get, post, put, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::domain::access::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::services::{audit, privacy as service};
use crate::state::AppState;
use crate::views::privacy::{AuditLog, AuditQuery, PrivacySettings, VisitorErasure, VisitorExport};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(export_visitor)
        .service(erase_visitor)
        .service(get_privacy)
        .service(put_privacy)
        .service(audit_log);
}

/// Everything stored about a visitor, as a JSON download (`visitor-<id>.json`): their
/// record, conversations with every message, and tickets with timeline and internal notes.
/// Owners and admins; recorded in the audit log.
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "privacy", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path), ("visitor" = Uuid, Path)),
    responses((status = 200, body = VisitorExport, description = "Sent with `Content-Disposition: attachment`"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/visitors/{visitor}/export")]
async fn export_visitor(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (ws, visitor) = path.into_inner();
    let export = service::export(&state, &principal, ws, visitor).await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"visitor-{visitor}.json\""),
        ))
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(export))
}

/// Erase a visitor: their messages, files, email, name, device, page and identity data are
/// deleted; their tickets stay as anonymous shells for reports. Cannot be undone. Owners
/// and admins; recorded in the audit log (the visitor's id and the counts).
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "privacy", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path), ("visitor" = Uuid, Path)),
    responses((status = 200, body = VisitorErasure), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/visitors/{visitor}/erase")]
async fn erase_visitor(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<web::Json<VisitorErasure>> {
    let (ws, visitor) = path.into_inner();
    Ok(web::Json(
        service::erase(&state, &principal, ws, visitor).await?,
    ))
}

/// The retention policy (owners and admins).
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "privacy", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path)),
    responses((status = 200, body = PrivacySettings), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/privacy")]
async fn get_privacy(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<PrivacySettings>> {
    Ok(web::Json(
        service::settings(&state, &principal, path.into_inner()).await?,
    ))
}

/// Set the retention policy: conversations without a ticket deleted, closed tickets
/// anonymised, after N days (1 to 3650; `null` keeps forever). The worker applies it.
/// Owners and admins; recorded in the audit log.
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "privacy", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path)), request_body = PrivacySettings,
    responses((status = 200, body = PrivacySettings), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[put("/api/v1/workspaces/{ws}/privacy")]
async fn put_privacy(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    body: web::Json<PrivacySettings>,
) -> ApiResult<web::Json<PrivacySettings>> {
    Ok(web::Json(
        service::update_settings(&state, &principal, path.into_inner(), body.into_inner()).await?,
    ))
}

/// The audit log, newest first, keyset-paginated: settings, plan, members, API keys,
/// webhooks, identity secrets, exports and erasures (owners and admins).
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "privacy", security(("bearer" = []), ("api_key" = ["admin"])), params(("ws" = Uuid, Path), AuditQuery),
    responses((status = 200, body = AuditLog), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/audit-log")]
async fn audit_log(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    q: web::Query<AuditQuery>,
) -> ApiResult<web::Json<AuditLog>> {
    Ok(web::Json(
        audit::list(&state, &principal, path.into_inner(), &q).await?,
    ))
}
