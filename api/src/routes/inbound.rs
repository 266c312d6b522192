//! Inbound mail over HTTP, for mail providers that forward it (SendGrid Inbound Parse,
//! Mailgun routes, Postmark, an MTA's pipe): the raw RFC 5322 message as the body
//! (`Content-Type: message/rfc822`), authenticated by `INBOUND_WEBHOOK_SECRET` as a
//! bearer token or as the password of HTTP Basic auth (providers that can only put
//! credentials in the URL). The same delivery as the SMTP listener's
//! (`services::inbound::deliver`).

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, post, web};
use sha2::{Digest, Sha256};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::http::body::read_limited;
use crate::services::inbound::{self as service, Outcome, Via};
use crate::state::AppState;
use crate::views::inbound::{InboundOut, InboundQuery};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(inbound_email);
}

/// Constant-time equality of two secrets (their SHA-256, so lengths leak nothing either).
fn same_secret(given: &str, expected: &str) -> bool {
    let (a, b) = (
        Sha256::digest(given.as_bytes()),
        Sha256::digest(expected.as_bytes()),
    );
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// The secret the request presents: `Bearer <secret>`, or `Basic` with it as password.
fn presented(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get("authorization")?.to_str().ok()?.trim();
    let (scheme, rest) = value.split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(rest.trim().to_string());
    }
    if scheme.eq_ignore_ascii_case("basic") {
        use base64::Engine;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(rest.trim())
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        return text
            .split_once(':')
            .map(|(_, password)| password.to_string());
    }
    None
}

fn authorize(req: &HttpRequest, state: &AppState) -> ApiResult<()> {
    let Some(secret) = state.config.inbound_webhook_secret.as_deref() else {
        return Err(ApiError::unauthorized_msg(
            "Inbound mail over HTTP is off on this server (INBOUND_WEBHOOK_SECRET is not set).",
        ));
    };
    match presented(req) {
        Some(given) if same_secret(&given, secret) => Ok(()),
        _ => Err(ApiError::unauthorized_msg(
            "Present INBOUND_WEBHOOK_SECRET as a bearer token or as the Basic auth password.",
        )),
    }
}

/// Deliver an inbound mail (a visitor's reply to ticket mail) to its ticket. The body is
/// the raw message; the reply address (`reply+<token>@INBOUND_DOMAIN`) is the `recipient`
/// parameter or found in its recipient headers. Each Message-ID lands once per workspace.
/// An unknown or forged reply address is 404 `unknown_reply_address`; one this server
/// issued that no longer works (expired, ticket closed, replies by email off) is 410
/// `reply_address_expired`, and its sender is mailed a bounce with the reason.
#[utoipa::path(tag = "inbound", security(("inbound_secret" = [])), params(InboundQuery),
    request_body(content = String, content_type = "message/rfc822",
        description = "The raw RFC 5322 message, as received (at most INBOUND_MAX_BYTES)"),
    responses((status = 200, body = InboundOut),
        (status = 401, body = ErrorBody, description = "No or a wrong INBOUND_WEBHOOK_SECRET, or none configured (`unauthorized`)"),
        (status = 404, body = ErrorBody, description = "No reply address of this server among the recipients, or a forged one (`unknown_reply_address`)"),
        (status = 410, body = ErrorBody, description = "The reply address expired, its ticket is closed, or replies by email are off (`reply_address_expired`)"),
        (status = 413, body = ErrorBody, description = "The message is over INBOUND_MAX_BYTES (`payload_too_large`)"),
        (status = 415, body = ErrorBody, description = "The body is not `message/rfc822` (`unsupported_media_type`)"),
        (status = 422, body = ErrorBody, description = "Not a message (`unparseable_message`), or no text once the quoted history is removed (`empty_reply`)")))]
#[post("/api/v1/inbound/email")]
async fn inbound_email(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<InboundQuery>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    authorize(&req, &state)?;
    let content_type = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if content_type.as_deref() != Some("message/rfc822") {
        return Err(ApiError::refused(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the raw message with Content-Type: message/rfc822.",
        ));
    }
    let limit = state.config.inbound_max_bytes;
    let too_large = || {
        ApiError::refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("The message is over {limit} bytes (INBOUND_MAX_BYTES)."),
        )
    };
    let raw = read_limited(&req, payload, limit, too_large).await?;
    let recipient = query
        .recipient
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let outcome = service::deliver(&state, Via::Http, recipient, &raw)
        .await?
        .map_err(service::Refusal::into_api_error)?;
    let number = |n| crate::domain::ticket_number::TicketNumber::new(n).to_string();
    let out = match outcome {
        Outcome::Appended {
            ticket_id,
            number: n,
            message_id,
            reopened,
        } => InboundOut {
            result: "appended".into(),
            ticket_id,
            ticket_number: number(n),
            message_id: Some(message_id),
            reopened,
        },
        Outcome::Duplicate {
            ticket_id,
            number: n,
            message_id,
        } => InboundOut {
            result: "duplicate".into(),
            ticket_id,
            ticket_number: number(n),
            message_id,
            reopened: false,
        },
        Outcome::AutoReply {
            ticket_id,
            number: n,
        } => InboundOut {
            result: "auto_reply".into(),
            ticket_id,
            ticket_number: number(n),
            message_id: None,
            reopened: false,
        },
    };
    Ok(HttpResponse::Ok().json(out))
}
