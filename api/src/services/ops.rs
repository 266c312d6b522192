//! Operations: readiness and the metrics snapshot.

use crate::db::{self, outbox};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The database answers (503 otherwise).
pub async fn ready(state: &AppState) -> ApiResult<()> {
    let mut conn = db::conn(&state.pool).await?;
    db::ping(&mut conn)
        .await
        .map_err(|_| ApiError::unavailable())
}

/// The Prometheus text, with the pool and outbox gauges read now.
pub async fn metrics_text(state: &AppState) -> String {
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
    if let Ok(mut conn) = db::conn(&state.pool).await
        && let Ok(d) = outbox::depth(&mut conn).await
    {
        m.outbox_depth
            .with_label_values(&["pending"])
            .set(d.pending);
        m.outbox_depth.with_label_values(&["failed"]).set(d.failed);
    }
    m.render()
}
