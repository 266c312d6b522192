//! Request metrics middleware (the registry is `crate::metrics`).

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;

use crate::metrics::Metrics;

/// Middleware: counts and times every request by its route pattern (never the raw path,
/// which would explode label cardinality).
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let method = req.method().to_string();
    let start = Instant::now();
    let res = next.call(req).await?;
    if let Some(m) = metrics {
        let route = res
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".into());
        let status = res.status().as_u16().to_string();
        m.http_requests
            .with_label_values(&[&route, &method, &status])
            .inc();
        m.http_latency
            .with_label_values(&[&route, &method])
            .observe(start.elapsed().as_secs_f64());
    }
    Ok(res)
}
