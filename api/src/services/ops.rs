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
    for (label, value) in [
        ("size", status.size),
        ("available", status.available),
        ("max", status.max_size),
        ("waiting", status.waiting),
    ] {
        m.db_pool
            .with_label_values(&[label])
            .set(i64::try_from(value).unwrap_or(i64::MAX));
    }
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
