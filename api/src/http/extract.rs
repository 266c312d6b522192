//! Who is calling: dashboard users (JWT), workspace API keys (`hk_…`) and widget visitors
//! (visitor tokens), read from `Authorization: Bearer …` only: no credential is ever taken
//! from a URL (event streams use single-use tickets, `services::streams`).

use std::future::{Future, Ready};
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use uuid::Uuid;

use crate::auth::tokens;
use crate::domain::access::Principal;
use crate::error::{ApiError, ApiResult};
use crate::http::scopes;
use crate::services::accounts;
use crate::services::streams::Caller;
use crate::services::widget::VisitorId;
use crate::state::AppState;

/// The bearer token from `Authorization`.
pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    let h = req.headers().get(actix_web::http::header::AUTHORIZATION)?;
    let v = h.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() {
        return Some(token.trim().to_string());
    }
    None
}

/// The `?ticket=` of an event stream URL.
pub fn stream_ticket(req: &HttpRequest) -> Option<String> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "ticket")
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
}

fn state(req: &HttpRequest) -> ApiResult<web::Data<AppState>> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("AppState missing")))
}

/// An extractor answered from the request alone: the state and the bearer token.
fn from_token<T>(
    req: &HttpRequest,
    f: impl FnOnce(&AppState, String) -> ApiResult<T>,
) -> Ready<ApiResult<T>> {
    std::future::ready(state(req).and_then(|st| {
        let token = bearer_token(req).ok_or_else(ApiError::unauthorized)?;
        f(&st, token)
    }))
}

/// A dashboard user authenticated by a JWT access token.
#[derive(Debug, Clone, Copy)]
pub struct AuthUser {
    pub user_id: Uuid,
    /// The session the token was issued in (tokens from before sessions had ids: none).
    pub session_id: Option<Uuid>,
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = ApiResult<Self>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let st = state(&req)?;
            let token = bearer_token(&req).ok_or_else(ApiError::unauthorized)?;
            if token.starts_with("hk_") {
                // A revoked or unknown key is no credential (401); a live one is the wrong
                // kind here (403).
                accounts::authenticate_api_key(&st, &token).await?;
                return Err(ApiError::forbidden(
                    "This endpoint needs a user session, not an API key.",
                ));
            }
            let claims = tokens::verify_access(&st.config, &token)?;
            Ok(AuthUser {
                user_id: claims.sub,
                session_id: claims.sid,
            })
        })
    }
}

/// A user session or a workspace API key, with the session and the token's expiry. A key
/// must have the scopes the operation declares (`http::scopes`): 403 `missing_scope`
/// otherwise, before the handler runs.
impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = ApiResult<Self>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let st = state(&req)?;
            let token = bearer_token(&req).ok_or_else(ApiError::unauthorized)?;
            if token.starts_with("hk_") {
                let principal = accounts::authenticate_api_key(&st, &token).await?;
                if let Principal::ApiKey { scopes, .. } = &principal {
                    scopes::check_key(&req, *scopes)?;
                }
                return Ok(Caller {
                    principal,
                    session_id: None,
                    expires_at: None,
                });
            }
            let claims = tokens::verify_access(&st.config, &token)?;
            Ok(Caller {
                principal: Principal::User {
                    user_id: claims.sub,
                },
                session_id: claims.sid,
                expires_at: chrono::DateTime::from_timestamp(claims.exp, 0),
            })
        })
    }
}

/// A user session or a workspace API key: the `Caller` without its session details.
impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = ApiResult<Self>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let caller = Caller::from_request(req, payload);
        Box::pin(async move { Ok(caller.await?.principal) })
    }
}

/// A widget visitor authenticated by its visitor token.
impl FromRequest for VisitorId {
    type Error = ApiError;
    type Future = Ready<ApiResult<Self>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        from_token(req, |st, token| {
            let claims = tokens::verify_visitor(&st.config, &token)?;
            Ok(VisitorId {
                visitor_id: claims.sub,
                workspace_id: claims.ws,
                expires_at: claims.exp,
            })
        })
    }
}
