//! One gate for text Postgres can't store: a NUL character (`\u0000` in a JSON string,
//! `%00` in the query string or path) is refused with 422 before any handler runs, instead
//! of failing the query as a 500 with an error-level log line.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;

use crate::error::ApiError;

/// The largest JSON body (as `error::json_config`).
const BODY_LIMIT: usize = 1024 * 1024;

fn nul_refused(where_: &str) -> ApiError {
    ApiError::validation(
        where_,
        "contains a NUL character (\\u0000), which text fields can't hold",
    )
}

/// Whether JSON text carries the escape `\u0000` (an escaping backslash: preceded by an
/// even number of backslashes).
pub fn json_has_nul(body: &[u8]) -> bool {
    let needle = b"u0000";
    let mut i = 0;
    while i < body.len() {
        if body[i] == b'\\' {
            // A backslash escape: look at what it escapes, then skip both.
            if body.get(i + 1..i + 1 + needle.len()) == Some(needle.as_slice()) {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

fn is_json(req: &ServiceRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.to_ascii_lowercase().contains("json"))
}

pub async fn reject_nul(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.query_string().contains("%00") {
        return Err(nul_refused("query").into());
    }
    if req.uri().path().contains("%00") {
        return Err(nul_refused("path").into());
    }
    if is_json(&req) {
        let body = req
            .extract::<web::Bytes>()
            .await
            .map_err(|_| ApiError::PayloadTooLarge)?;
        if json_has_nul(&body) {
            return Err(nul_refused("body").into());
        }
        req.set_payload(actix_web::dev::Payload::from(body));
    }
    next.call(req).await
}

/// The payload limit the body read above obeys (set as app data).
pub fn payload_config() -> web::PayloadConfig {
    web::PayloadConfig::new(BODY_LIMIT + 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_escaped_nul_only() {
        assert!(json_has_nul(br#"{"body":"hi\u0000"}"#));
        assert!(json_has_nul(br#"{"a":"\\\u0000"}"#));
        assert!(!json_has_nul(br#"{"body":"a \\u0000 is text here"}"#));
        assert!(!json_has_nul(br#"{"body":"\u00e9"}"#));
        assert!(!json_has_nul(b"{}"));
    }
}
