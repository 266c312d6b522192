//! One error type for the whole API: a stable snake_case code per case, its status in one
//! `match`, and a JSON body `{"error": {"code", "message", "fields"?}}`. Unexpected errors are
//! logged with their cause and answered as a bare 500.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::FieldError;
use crate::domain::access::Denied;
use crate::domain::origins::OriginNotAllowed;
use crate::domain::scopes::KeyRefused;
use crate::domain::team::RoleChangeRefused;
use crate::domain::tickets::{TicketAlreadyOpen, TicketsUnavailable, VersionConflict};
use crate::domain::workflow::InvalidTransition;

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `not_found`, `validation_failed`.
    pub code: String,
    /// A human sentence that can be shown to users.
    pub message: String,
    /// Field errors (422 only): field name → problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, Vec<String>>>,
}

/// Every way a request can fail. A real `std::error::Error`: `Internal` keeps its cause
/// chain (logged, never sent), and `?` converts it into `anyhow::Error` and back without
/// flattening anything into a string.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    #[error("plan required: {0}")]
    PlanRequired(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 403 `missing_scope`: an API key lacks these scopes (space-separated), which the
    /// answer also names in `WWW-Authenticate` (RFC 6750 §3.1, `insufficient_scope`).
    #[error("missing scope: {scopes}")]
    MissingScope { scopes: String, message: String },
    /// 403 with its own code (e.g. `origin_not_allowed`).
    #[error("{code}: {message}")]
    ForbiddenCode { code: &'static str, message: String },
    #[error("not found: {0}")]
    NotFound(String),
    #[error("{code}: {message}")]
    Conflict { code: &'static str, message: String },
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("validation failed: {0:?}")]
    Validation(BTreeMap<String, Vec<String>>),
    #[error("rate limited (retry after {retry_after_secs} s)")]
    RateLimited { retry_after_secs: u64 },
    /// 429 `too_many_streams`: an event-stream cap is reached (see `events::slots`).
    #[error("too many streams: {0}")]
    TooManyStreams(String),
    #[error("service unavailable")]
    Unavailable,
    /// Any other status with its own code (inbound mail: 404 `unknown_reply_address`, 410
    /// `reply_address_expired`, 413, 415).
    #[error("{code}: {message}")]
    Refused {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn bad_request(msg: impl Into<String>) -> Self {
        Self::BadRequest(msg.into())
    }
    pub fn unauthorized() -> Self {
        Self::Unauthorized("Authentication is required.".into())
    }
    pub fn unauthorized_msg(msg: impl Into<String>) -> Self {
        Self::Unauthorized(msg.into())
    }
    pub fn forbidden(msg: impl Into<String>) -> Self {
        Self::Forbidden(msg.into())
    }
    pub fn forbidden_code(code: &'static str, msg: impl Into<String>) -> Self {
        Self::ForbiddenCode {
            code,
            message: msg.into(),
        }
    }
    /// `what` names the resource: "ticket" → "Ticket not found."
    pub fn not_found(what: &str) -> Self {
        let mut s = what.to_string();
        if let Some(first) = s.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        Self::NotFound(format!("{s} not found."))
    }
    pub fn conflict(code: &'static str, msg: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: msg.into(),
        }
    }
    pub fn plan_required(msg: impl Into<String>) -> Self {
        Self::PlanRequired(msg.into())
    }
    pub fn validation(field: &str, problem: impl Into<String>) -> Self {
        let mut fields = BTreeMap::new();
        fields.insert(field.to_string(), vec![problem.into()]);
        Self::Validation(fields)
    }
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self::RateLimited {
            retry_after_secs: retry_after_secs.max(1),
        }
    }
    pub fn unavailable() -> Self {
        Self::Unavailable
    }
    pub fn refused(status: StatusCode, code: &'static str, msg: impl Into<String>) -> Self {
        Self::Refused {
            status,
            code,
            message: msg.into(),
        }
    }
    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(err.into())
    }

    pub fn code(&self) -> &str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::Unauthorized(_) => "unauthorized",
            Self::PlanRequired(_) => "plan_required",
            Self::Forbidden(_) => "forbidden",
            Self::ForbiddenCode { code, .. } => code,
            Self::MissingScope { .. } => "missing_scope",
            Self::NotFound(_) => "not_found",
            Self::Conflict { code, .. } => code,
            Self::PayloadTooLarge => "payload_too_large",
            Self::Validation(_) => "validation_failed",
            Self::RateLimited { .. } => "rate_limited",
            Self::TooManyStreams(_) => "too_many_streams",
            Self::Unavailable => "service_unavailable",
            Self::Refused { code, .. } => code,
            Self::Internal(_) => "internal_error",
        }
    }

    fn message(&self) -> String {
        match self {
            Self::BadRequest(m)
            | Self::Unauthorized(m)
            | Self::PlanRequired(m)
            | Self::Forbidden(m)
            | Self::NotFound(m)
            | Self::TooManyStreams(m) => m.clone(),
            Self::Conflict { message, .. }
            | Self::ForbiddenCode { message, .. }
            | Self::MissingScope { message, .. }
            | Self::Refused { message, .. } => message.clone(),
            Self::PayloadTooLarge => "The request body is too large (1 MiB at most).".into(),
            Self::Validation(fields) => {
                let names: Vec<&str> = fields.keys().map(String::as_str).collect();
                format!("Some fields are invalid: {}.", names.join(", "))
            }
            Self::RateLimited { retry_after_secs } => format!(
                "Too many requests. Please try again in {retry_after_secs} second{}.",
                if *retry_after_secs == 1 { "" } else { "s" }
            ),
            Self::Unavailable => {
                "The service is temporarily unavailable. Please try again shortly.".into()
            }
            Self::Internal(_) => "Something went wrong on our side.".into(),
        }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code().to_string(),
                message: self.message(),
                fields: match self {
                    Self::Validation(f) => Some(f.clone()),
                    _ => None,
                },
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::PlanRequired(_) => StatusCode::PAYMENT_REQUIRED,
            Self::Forbidden(_) | Self::ForbiddenCode { .. } | Self::MissingScope { .. } => {
                StatusCode::FORBIDDEN
            }
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::RateLimited { .. } | Self::TooManyStreams(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Refused { status, .. } => *status,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(e) = self {
            tracing::error!(error = ?e, "unexpected error");
        }
        let mut resp = HttpResponse::build(self.status_code());
        match self {
            Self::RateLimited { retry_after_secs } => {
                resp.insert_header(("Retry-After", retry_after_secs.to_string()));
            }
            // Overload (pool wait, hashing slots, the database away) passes in about a
            // second: well-behaved clients wait that long before trying again.
            Self::Unavailable => {
                resp.insert_header(("Retry-After", "1"));
            }
            Self::MissingScope { scopes, .. } => {
                resp.insert_header((
                    "WWW-Authenticate",
                    format!(r#"Bearer error="insufficient_scope", scope="{scopes}""#),
                ));
            }
            // Streams end when their clients go; a few seconds is a fair first wait.
            Self::TooManyStreams(_) => {
                resp.insert_header(("Retry-After", "5"));
            }
            _ => {}
        }
        resp.json(self.body())
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ApiError::validation(e.field, e.problem)
    }
}

impl From<Denied> for ApiError {
    fn from(e: Denied) -> Self {
        ApiError::forbidden(e.to_string())
    }
}

impl From<KeyRefused> for ApiError {
    fn from(e: KeyRefused) -> Self {
        match &e {
            KeyRefused::MissingScope(missing) => ApiError::MissingScope {
                scopes: missing.to_string(),
                message: e.to_string(),
            },
            KeyRefused::UserSession | KeyRefused::Undeclared => ApiError::forbidden(e.to_string()),
        }
    }
}

impl From<TicketsUnavailable> for ApiError {
    fn from(e: TicketsUnavailable) -> Self {
        match e {
            TicketsUnavailable::PlanRequired => ApiError::plan_required(e.to_string()),
            TicketsUnavailable::Disabled => ApiError::conflict("tickets_disabled", e.to_string()),
        }
    }
}

impl From<TicketAlreadyOpen> for ApiError {
    fn from(e: TicketAlreadyOpen) -> Self {
        ApiError::conflict("ticket_already_open", e.to_string())
    }
}

impl From<crate::domain::live::AlreadyTakenOver> for ApiError {
    fn from(e: crate::domain::live::AlreadyTakenOver) -> Self {
        ApiError::conflict("already_taken_over", e.to_string())
    }
}

impl From<VersionConflict> for ApiError {
    fn from(e: VersionConflict) -> Self {
        ApiError::conflict("version_conflict", e.to_string())
    }
}

impl From<crate::domain::saved_replies::ReplyChanged> for ApiError {
    fn from(e: crate::domain::saved_replies::ReplyChanged) -> Self {
        ApiError::conflict("version_conflict", e.to_string())
    }
}

impl From<crate::domain::merge::MergeRefused> for ApiError {
    fn from(e: crate::domain::merge::MergeRefused) -> Self {
        use crate::domain::merge::MergeRefused;
        match e {
            MergeRefused::SourceMerged { .. } => ApiError::conflict(e.code(), e.to_string()),
            _ => ApiError::refused(StatusCode::UNPROCESSABLE_ENTITY, e.code(), e.to_string()),
        }
    }
}

impl From<crate::domain::merge::TicketMerged> for ApiError {
    fn from(e: crate::domain::merge::TicketMerged) -> Self {
        ApiError::conflict("ticket_merged", e.to_string())
    }
}

impl From<InvalidTransition> for ApiError {
    fn from(e: InvalidTransition) -> Self {
        ApiError::conflict("invalid_transition", e.to_string())
    }
}

impl From<RoleChangeRefused> for ApiError {
    fn from(e: RoleChangeRefused) -> Self {
        match e {
            RoleChangeRefused::OwnerOnly => ApiError::forbidden(e.to_string()),
            RoleChangeRefused::LastOwnerDemoted | RoleChangeRefused::LastOwnerRemoved => {
                ApiError::conflict("last_owner", e.to_string())
            }
        }
    }
}

impl From<OriginNotAllowed> for ApiError {
    fn from(e: OriginNotAllowed) -> Self {
        ApiError::forbidden_code("origin_not_allowed", e.to_string())
    }
}

/// Postgres's messages for "the server is shutting down, restarting or not ready"
/// (SQLSTATE class 57P: admin_shutdown, crash_shutdown, cannot_connect_now), which diesel
/// reports without their code.
fn server_unavailable(message: &str) -> bool {
    const GOING: &[&str] = &[
        "terminating connection due to administrator command",
        "terminating connection because of crash of another server process",
        "the database system is shutting down",
        "the database system is starting up",
        "the database system is in recovery mode",
        "the database system is not yet accepting connections",
        "connection closed",
    ];
    GOING.iter().any(|m| message.contains(m))
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            // A lookup that may miss says so (`.optional()`, then a 404 naming what is
            // missing); a row that should exist and doesn't is a bug, not the caller's.
            Error::NotFound => ApiError::Internal(
                anyhow::Error::from(e).context("a row the request relies on is missing"),
            ),
            Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            ) => ApiError::Unavailable,
            // The server is going away or not back yet (a restart, a failover): the
            // request may be retried, it is not the caller's fault nor a bug.
            Error::DatabaseError(DatabaseErrorKind::Unknown, ref info)
                if server_unavailable(info.message()) =>
            {
                tracing::warn!(error = info.message(), "database unavailable");
                ApiError::Unavailable
            }
            // A connection that died inside a transaction leaves it in an unknown state.
            Error::BrokenTransactionManager => ApiError::Unavailable,
            Error::RollbackErrorOnCommit { commit_error, .. } => ApiError::from(*commit_error),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                tracing::info!(constraint = ?info.constraint_name(), "unique violation");
                ApiError::conflict(
                    "already_exists",
                    "A record with these details already exists.",
                )
            }
            other => ApiError::Internal(other.into()),
        }
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for ApiError {
    fn from(e: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        tracing::warn!(error = %e, "database pool unavailable");
        ApiError::Unavailable
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut fields = BTreeMap::new();
        collect_validation(&errors, "", &mut fields);
        ApiError::Validation(fields)
    }
}

fn collect_validation(
    errors: &validator::ValidationErrors,
    prefix: &str,
    out: &mut BTreeMap<String, Vec<String>>,
) {
    use validator::ValidationErrorsKind;
    for (field, kind) in errors.errors() {
        let name = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                let msgs = out.entry(name).or_default();
                for e in list {
                    msgs.push(
                        e.message
                            .as_ref()
                            .map(|m| m.to_string())
                            .unwrap_or_else(|| describe_code(&e.code, &e.params)),
                    );
                }
            }
            ValidationErrorsKind::Struct(inner) => collect_validation(inner, &name, out),
            ValidationErrorsKind::List(map) => {
                for (i, inner) in map {
                    collect_validation(inner, &format!("{name}[{i}]"), out);
                }
            }
        }
    }
}

fn describe_code(
    code: &str,
    params: &std::collections::HashMap<std::borrow::Cow<'static, str>, serde_json::Value>,
) -> String {
    match code {
        "email" => "must be a valid email address".into(),
        "url" => "must be a valid URL".into(),
        "length" => match (params.get("min"), params.get("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max} characters"),
            (Some(min), None) => format!("must be at least {min} characters"),
            (None, Some(max)) => format!("must be at most {max} characters"),
            _ => "has an invalid length".into(),
        },
        "range" => "is out of range".into(),
        other => format!("is invalid ({other})"),
    }
}

/// Errors from actix's extractors (bad JSON, bad query, oversize body) in our JSON shape.
pub fn json_config() -> actix_web::web::JsonConfig {
    actix_web::web::JsonConfig::default()
        .limit(1024 * 1024)
        .error_handler(|err, _req| {
            use actix_web::error::JsonPayloadError;
            let api = match &err {
                JsonPayloadError::OverflowKnownLength { .. }
                | JsonPayloadError::Overflow { .. } => ApiError::PayloadTooLarge,
                JsonPayloadError::ContentType => {
                    ApiError::bad_request("Expected a JSON body (Content-Type: application/json).")
                }
                JsonPayloadError::Deserialize(e) if e.is_data() => {
                    ApiError::bad_request(format!("The JSON body does not match: {e}"))
                }
                other => ApiError::bad_request(format!("Malformed JSON body: {other}")),
            };
            actix_web::error::InternalError::from_response(err, api.error_response()).into()
        })
}

pub fn query_config() -> actix_web::web::QueryConfig {
    actix_web::web::QueryConfig::default().error_handler(|err, _req| {
        let api = ApiError::Validation({
            let mut m = BTreeMap::new();
            m.insert("query".to_string(), vec![err.to_string()]);
            m
        });
        actix_web::error::InternalError::from_response(err, api.error_response()).into()
    })
}

pub fn path_config() -> actix_web::web::PathConfig {
    actix_web::web::PathConfig::default().error_handler(|err, _req| {
        // A malformed id in the path can't name anything that exists.
        let api = ApiError::NotFound("Not found.".into());
        actix_web::error::InternalError::from_response(err, api.error_response()).into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scopes::Scopes;

    #[test]
    fn a_database_going_away_is_503_not_500() {
        use diesel::result::{DatabaseErrorKind, Error};
        let db = |kind, msg: &str| Error::DatabaseError(kind, Box::new(msg.to_string()));
        for e in [
            db(
                DatabaseErrorKind::Unknown,
                "terminating connection due to administrator command",
            ),
            db(
                DatabaseErrorKind::Unknown,
                "FATAL: the database system is shutting down",
            ),
            db(DatabaseErrorKind::ClosedConnection, "closed"),
            db(DatabaseErrorKind::UnableToSendCommand, "send"),
            Error::BrokenTransactionManager,
            Error::RollbackErrorOnCommit {
                rollback_error: Box::new(Error::BrokenTransactionManager),
                commit_error: Box::new(db(
                    DatabaseErrorKind::Unknown,
                    "terminating connection due to administrator command",
                )),
            },
        ] {
            let api = ApiError::from(e);
            assert_eq!(api.status_code().as_u16(), 503, "{api:?}");
        }
        // Anything else stays a bug.
        let other = ApiError::from(db(DatabaseErrorKind::Unknown, "syntax error"));
        assert_eq!(other.status_code().as_u16(), 500);
    }

    #[test]
    fn statuses_and_codes_are_pinned() {
        let cases: Vec<(ApiError, u16, &str)> = vec![
            (ApiError::bad_request("x"), 400, "bad_request"),
            (ApiError::unauthorized(), 401, "unauthorized"),
            (ApiError::plan_required("x"), 402, "plan_required"),
            (ApiError::forbidden("x"), 403, "forbidden"),
            (
                ApiError::forbidden_code("origin_not_allowed", "x"),
                403,
                "origin_not_allowed",
            ),
            (
                ApiError::from(KeyRefused::MissingScope(Scopes::all())),
                403,
                "missing_scope",
            ),
            (ApiError::not_found("ticket"), 404, "not_found"),
            (
                ApiError::conflict("version_conflict", "x"),
                409,
                "version_conflict",
            ),
            (ApiError::PayloadTooLarge, 413, "payload_too_large"),
            (
                ApiError::validation("email", "bad"),
                422,
                "validation_failed",
            ),
            (ApiError::rate_limited(3), 429, "rate_limited"),
            (
                ApiError::TooManyStreams("x".into()),
                429,
                "too_many_streams",
            ),
            (ApiError::unavailable(), 503, "service_unavailable"),
            (
                ApiError::from(crate::domain::merge::MergeRefused::DifferentVisitor {
                    number: crate::domain::ticket_number::TicketNumber::new(10001),
                    into: crate::domain::ticket_number::TicketNumber::new(10002),
                }),
                422,
                "different_visitor",
            ),
            (
                ApiError::from(crate::domain::merge::MergeRefused::SourceMerged {
                    number: crate::domain::ticket_number::TicketNumber::new(10001),
                    into: crate::domain::ticket_number::TicketNumber::new(10002),
                }),
                409,
                "ticket_merged",
            ),
            (
                ApiError::internal(anyhow::anyhow!("secret cause")),
                500,
                "internal_error",
            ),
        ];
        for (err, status, code) in cases {
            assert_eq!(err.status_code().as_u16(), status, "{code}");
            assert_eq!(err.code(), code);
        }
    }

    #[test]
    fn a_missing_scope_is_named_in_the_body_and_the_challenge() -> anyhow::Result<()> {
        use crate::domain::scopes::Scope;
        let err = ApiError::from(KeyRefused::MissingScope(
            [Scope::TicketsWrite].into_iter().collect(),
        ));
        let v = serde_json::to_value(err.body())?;
        assert_eq!(v["error"]["code"], "missing_scope");
        let msg = v["error"]["message"].as_str().unwrap_or_default();
        assert!(msg.contains("`tickets:write`"), "{msg}");
        let resp = err.error_response();
        assert_eq!(
            resp.headers()
                .get("WWW-Authenticate")
                .and_then(|v| v.to_str().ok()),
            Some(r#"Bearer error="insufficient_scope", scope="tickets:write""#)
        );
        Ok(())
    }

    #[test]
    fn internal_error_body_hides_the_cause() -> anyhow::Result<()> {
        let err = ApiError::internal(anyhow::anyhow!("password=hunter2 at db"));
        let body = serde_json::to_string(&err.body())?;
        assert!(!body.contains("hunter2"));
        assert!(body.contains("internal_error"));
        Ok(())
    }

    #[test]
    fn fields_only_on_validation() -> anyhow::Result<()> {
        let v = serde_json::to_value(ApiError::validation("email", "must be valid").body())?;
        assert_eq!(v["error"]["fields"]["email"][0], "must be valid");
        let n = serde_json::to_value(ApiError::not_found("ticket").body())?;
        assert!(n["error"].get("fields").is_none());
        assert_eq!(n["error"]["message"], "Ticket not found.");
        Ok(())
    }

    #[test]
    fn overload_and_rate_limits_say_when_to_try_again() {
        let busy = ApiError::unavailable().error_response();
        assert_eq!(
            busy.headers().get("Retry-After").map(|v| v.as_bytes()),
            Some(&b"1"[..])
        );
        let limited = ApiError::rate_limited(7).error_response();
        assert_eq!(
            limited.headers().get("Retry-After").map(|v| v.as_bytes()),
            Some(&b"7"[..])
        );
        let other = ApiError::not_found("ticket").error_response();
        assert!(other.headers().get("Retry-After").is_none());
    }
}
