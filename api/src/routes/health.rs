//! Operations endpoints: liveness, readiness, metrics.

use actix_web::{HttpResponse, get, web};
use diesel_async::RunQueryDsl;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::app::AppState;
use crate::db;
use crate::error::{ApiResult, ErrorBody};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(healthz).service(readyz).service(metrics);
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// The process is alive.
#[utoipa::path(tag = "operations", responses((status = 200, body = Health)))]
#[get("/healthz")]
async fn healthz() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// The database is reachable (503 otherwise).
#[utoipa::path(tag = "operations", responses((status = 200, body = Health), (status = 503, body = ErrorBody)))]
#[get("/readyz")]
async fn readyz(state: web::Data<AppState>) -> ApiResult<web::Json<Health>> {
    let mut conn = db::conn(&state.pool).await?;
    diesel::sql_query("SELECT 1")
        .execute(&mut conn)
        .await
        .map_err(|_| crate::error::ApiError::unavailable())?;
    Ok(web::Json(Health { status: "ready" }))
}

#[derive(diesel::QueryableByName)]
struct Depth {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pending: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    failed: i64,
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Prometheus text", content_type = "text/plain")))]
#[get("/metrics")]
async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let status = state.pool.status();
    let m = &state.metrics;
    m.db_pool
        .with_label_values(&["size"])
        .set(status.size as i64);
    m.db_pool
        .with_label_values(&["available"])
        .set(status.available as i64);
    m.db_pool
        .with_label_values(&["max"])
        .set(status.max_size as i64);
    m.db_pool
        .with_label_values(&["waiting"])
        .set(status.waiting as i64);
    if let Ok(mut conn) = db::conn(&state.pool).await {
        let depth = diesel::sql_query(
            "SELECT count(*) FILTER (WHERE done_at IS NULL AND failed_at IS NULL) AS pending,
                    count(*) FILTER (WHERE failed_at IS NOT NULL) AS failed
             FROM outbox_jobs WHERE done_at IS NULL",
        )
        .get_result::<Depth>(&mut conn)
        .await;
        if let Ok(d) = depth {
            m.outbox_depth
                .with_label_values(&["pending"])
                .set(d.pending);
            m.outbox_depth.with_label_values(&["failed"]).set(d.failed);
        }
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(m.render())
}
