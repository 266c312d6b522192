//! Request metrics middleware (the registry is `crate::metrics`).
//!
//! Every label comes from a fixed set, so no request can add series: the method is one of
//! the standard methods or `other` (HTTP allows extension methods of any length), the route
//! is the matched route pattern or `unmatched` (never the raw path), and the status is a
//! number below 1000.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;

use crate::metrics::Metrics;

/// Route label of a request that matched no route.
pub const UNMATCHED: &str = "unmatched";

/// The method label: a standard method's name, or `other`.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Middleware: counts and times every request by its route pattern and method label.
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let method = method_label(req.method());
    let start = Instant::now();
    let res = next.call(req).await?;
    if let Some(m) = metrics {
        let route = res
            .request()
            .match_pattern()
            .unwrap_or_else(|| UNMATCHED.into());
        let status = res.status().as_u16().to_string();
        m.http_requests
            .with_label_values(&[&route, method, &status])
            .inc();
        m.http_latency
            .with_label_values(&[&route, method])
            .observe(start.elapsed().as_secs_f64());
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_methods_share_one_label() -> anyhow::Result<()> {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::OPTIONS), "OPTIONS");
        assert_eq!(
            method_label(&Method::from_bytes(b"AAAAAAAAAAAAAAAA")?),
            "other"
        );
        assert_eq!(method_label(&Method::from_bytes(b"PROPFIND")?), "other");
        Ok(())
    }
}
