//! Accounts: register, login, refresh (rotating, with reuse detection), logout, me.

use actix_web::{HttpRequest, HttpResponse, ResponseError, get, post, web};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::http::client_ip::ip_key;
use crate::http::extract::AuthUser;
use crate::http::session_cookie;
use crate::services::accounts as service;
use crate::state::AppState;
use crate::views::accounts::{
    AuthResponse, ChangePassword, LoginRequest, Me, RefreshRequest, RegisterRequest, TokenPair,
    VerifyEmailRequest,
};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(register)
        .service(login)
        .service(refresh)
        .service(logout)
        .service(logout_everywhere)
        .service(change_password)
        .service(verify_email)
        .service(resend_verification)
        .service(me);
}

/// Create an account.
#[utoipa::path(tag = "auth", request_body = RegisterRequest, responses(
    (status = 201, body = AuthResponse),
    (status = 409, description = "Email already registered", body = ErrorBody),
    (status = 422, body = ErrorBody)))]
#[post("/api/v1/auth/register")]
async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<RegisterRequest>,
) -> ApiResult<HttpResponse> {
    let session = service::register(&state, &ip_key(&req, &state.config), &body).await?;
    Ok(HttpResponse::Created()
        .cookie(session_cookie::set(&state.config, &session.refresh_token))
        .json(session))
}

/// Log in with email and password. The refresh token comes in the body and, for the
/// dashboard, in the `handoff_refresh` cookie (HttpOnly, SameSite=Strict, Path=/api/v1/auth).
#[utoipa::path(tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = AuthResponse, headers(("Set-Cookie" = String, description = "`handoff_refresh`: the refresh token, HttpOnly"))),
    (status = 401, body = ErrorBody),
    (status = 429, description = "Too many attempts; see Retry-After", body = ErrorBody)))]
#[post("/api/v1/auth/login")]
async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let session = service::login(&state, &ip_key(&req, &state.config), &body).await?;
    Ok(HttpResponse::Ok()
        .cookie(session_cookie::set(&state.config, &session.refresh_token))
        .json(session))
}

/// The refresh token of a refresh or logout: the body's, else the cookie's (then the
/// request must come from this server's own origin: `session_cookie::check_origin`).
enum Presented {
    Body(String),
    Cookie(String),
}

fn presented(
    req: &HttpRequest,
    state: &AppState,
    body: &RefreshRequest,
) -> ApiResult<Option<Presented>> {
    if let Some(t) = body
        .refresh_token
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        return Ok(Some(Presented::Body(t.to_string())));
    }
    let Some(token) = session_cookie::token(req) else {
        return Ok(None);
    };
    session_cookie::check_origin(req, &state.config)?;
    Ok(Some(Presented::Cookie(token)))
}

/// `err`'s answer, with the refresh cookie removed.
fn clearing_cookie(state: &AppState, err: ApiError) -> HttpResponse {
    let mut resp = err.error_response();
    let _ = resp.add_cookie(&session_cookie::clear(&state.config));
    resp
}

/// Exchange a refresh token for a new pair. The old refresh token dies; presenting it
/// again revokes its whole family (a stolen token is useless once either party uses it).
/// API clients send `{"refresh_token"}` and get the new one in the body; the dashboard
/// sends `{}` with its `handoff_refresh` cookie (from its own origin only: `Origin` is
/// checked) and gets the new one in the cookie.
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses(
    (status = 200, body = TokenPair, headers(("Set-Cookie" = String, description = "Cookie mode: the rotated `handoff_refresh`"))),
    (status = 401, body = ErrorBody),
    (status = 403, description = "Cookie mode from another origin (`origin_refused`)", body = ErrorBody)))]
#[post("/api/v1/auth/refresh")]
async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    match presented(&req, &state, &body)? {
        Some(Presented::Body(token)) => {
            Ok(HttpResponse::Ok().json(service::refresh(&state, &token).await?))
        }
        Some(Presented::Cookie(token)) => match service::refresh(&state, &token).await {
            Ok(mut pair) => {
                let rotated = pair.refresh_token.take().unwrap_or_default();
                Ok(HttpResponse::Ok()
                    .cookie(session_cookie::set(&state.config, &rotated))
                    .json(pair))
            }
            Err(e) => Ok(clearing_cookie(&state, e)),
        },
        None => Err(ApiError::unauthorized_msg(
            "No refresh token (in the body or the session cookie); log in.",
        )),
    }
}

/// Log out: revokes the refresh token's family (the body's, else the cookie's) and
/// removes the cookie.
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses(
    (status = 204, headers(("Set-Cookie" = String, description = "Removes `handoff_refresh`"))),
    (status = 403, description = "Cookie mode from another origin (`origin_refused`)", body = ErrorBody)))]
#[post("/api/v1/auth/logout")]
async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    match presented(&req, &state, &body)? {
        Some(Presented::Body(token) | Presented::Cookie(token)) => {
            service::logout(&state, &token).await?
        }
        None => {}
    }
    Ok(HttpResponse::NoContent()
        .cookie(session_cookie::clear(&state.config))
        .finish())
}

/// Log out every session of the current user (this one included): refresh tokens die and
/// live event streams close.
#[utoipa::path(tag = "auth", security(("bearer" = [])), responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[post("/api/v1/auth/logout-all")]
async fn logout_everywhere(state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    service::logout_everywhere(&state, user.user_id).await?;
    Ok(HttpResponse::NoContent()
        .cookie(session_cookie::clear(&state.config))
        .finish())
}

/// Change the password (proving the current one): every other session is logged out.
#[utoipa::path(tag = "auth", security(("bearer" = [])), request_body = ChangePassword, responses(
    (status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    (status = 422, description = "Wrong current password, or the new one is invalid", body = ErrorBody)))]
#[post("/api/v1/auth/password")]
async fn change_password(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<ChangePassword>,
) -> ApiResult<HttpResponse> {
    service::change_password(&state, user.user_id, user.session_id, &body).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Confirm an email address with the token from the mail sent at sign-up. Returns the
/// user, now verified.
#[utoipa::path(tag = "auth", request_body = VerifyEmailRequest, responses(
    (status = 200, body = Me),
    (status = 422, description = "Invalid or expired token", body = ErrorBody)))]
#[post("/api/v1/auth/verify-email")]
async fn verify_email(
    state: web::Data<AppState>,
    body: web::Json<VerifyEmailRequest>,
) -> ApiResult<web::Json<Me>> {
    Ok(web::Json(service::verify_email(&state, &body).await?))
}

/// Send a new verification mail to the current user (5 an hour).
#[utoipa::path(tag = "auth", security(("bearer" = [])), responses(
    (status = 202, description = "A new mail is on its way"),
    (status = 401, body = ErrorBody),
    (status = 403, description = "An API key: this needs a user session", body = ErrorBody),
    (status = 409, description = "Already verified (`already_verified`)", body = ErrorBody),
    (status = 429, body = ErrorBody)))]
#[post("/api/v1/auth/verify-email/resend")]
async fn resend_verification(
    state: web::Data<AppState>,
    user: AuthUser,
) -> ApiResult<HttpResponse> {
    service::resend_verification(&state, user.user_id).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// The current user and their workspaces.
#[utoipa::path(tag = "auth", security(("bearer" = [])), responses((status = 200, body = Me), (status = 401, body = ErrorBody),
    (status = 403, description = "An API key: this needs a user session", body = ErrorBody)))]
#[get("/api/v1/me")]
async fn me(state: web::Data<AppState>, user: AuthUser) -> ApiResult<web::Json<Me>> {
    Ok(web::Json(service::me(&state, user.user_id).await?))
}
