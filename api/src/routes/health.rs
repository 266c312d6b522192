//! Operations endpoints: liveness, readiness, metrics.

use actix_web::{HttpResponse, get, web};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::{ApiResult, ErrorBody};
use crate::services::ops;
use crate::state::AppState;
use crate::views::ops::Health;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(healthz).service(readyz).service(metrics);
}

/// The process is alive.
#[utoipa::path(tag = "operations", responses((status = 200, body = Health)))]
#[get("/healthz")]
async fn healthz() -> web::Json<Health> {
    web::Json(Health {
        status: "ok",
        warnings: vec![],
    })
}

/// The database is reachable (503 otherwise); `warnings` name what runs degraded.
#[utoipa::path(tag = "operations", responses((status = 200, body = Health), (status = 503, body = ErrorBody)))]
#[get("/readyz")]
async fn readyz(state: web::Data<AppState>) -> ApiResult<web::Json<Health>> {
    ops::ready(&state).await?;
    Ok(web::Json(Health {
        status: "ready",
        warnings: state.embeddings_warning.iter().cloned().collect(),
    }))
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Prometheus text", content_type = "text/plain")))]
#[get("/metrics")]
async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(ops::metrics_text(&state).await)
}
