//! Security headers on every response: the dashboard's Content-Security-Policy (scripts only
//! from our origin, never framed) unless the handler set its own (the widget frame sets the
//! workspace's `frame-ancestors`), and HSTS when the server is reached over https.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;

use crate::state::AppState;

/// The dashboard's policy. Styles allow inline `style` attributes (React sets some); no
/// inline or third-party script can run, and no other site can frame it (clickjacking).
pub const DASHBOARD_CSP: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
    connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
    frame-ancestors 'none'";
/// Swagger UI (`/docs`) runs inline scripts of its own: it only gets the framing rule.
pub const DOCS_CSP: &str = "frame-ancestors 'none'";
pub const HSTS: &str = "max-age=31536000";

pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let https = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.config.public_url.starts_with("https://"));
    let docs = req.path().starts_with("/docs");
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let csp = if docs { DOCS_CSP } else { DASHBOARD_CSP };
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp),
        );
    }
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    Ok(res)
}
