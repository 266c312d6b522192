//! Who is calling: dashboard users (JWT), workspace API keys (`hk_…`) and widget visitors
//! (visitor tokens); and what they may do in a workspace.

pub mod password;
pub mod tokens;

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::app::AppState;
use crate::db::enums::Role;
use crate::db::schema::{api_keys, memberships, users};
use crate::db::{self, Conn};
use crate::domain::Actor;
use crate::error::{ApiError, ApiResult};

/// The bearer token from `Authorization`, or `?token=` (EventSource cannot set headers).
pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    if let Some(h) = req.headers().get(actix_web::http::header::AUTHORIZATION) {
        let v = h.to_str().ok()?;
        let (scheme, token) = v.split_once(' ')?;
        if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() {
            return Some(token.trim().to_string());
        }
        return None;
    }
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
}

fn state(req: &HttpRequest) -> ApiResult<web::Data<AppState>> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("AppState missing")))
}

/// A dashboard user authenticated by a JWT access token.
#[derive(Debug, Clone, Copy)]
pub struct AuthUser {
    pub user_id: Uuid,
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready((|| {
            let st = state(req)?;
            let token = bearer_token(req).ok_or_else(ApiError::unauthorized)?;
            if token.starts_with("hk_") {
                return Err(ApiError::forbidden(
                    "This endpoint needs a user session, not an API key.",
                ));
            }
            let claims = tokens::verify_access(&st.config, &token)?;
            Ok(AuthUser {
                user_id: claims.sub,
            })
        })())
    }
}

/// How stale an API key's `last_used_at` may get before a request refreshes it.
const LAST_USED_EVERY_SECS: i64 = 60;

/// A user session or a workspace API key.
#[derive(Debug, Clone)]
pub enum Principal {
    User {
        user_id: Uuid,
    },
    ApiKey {
        key_id: Uuid,
        workspace_id: Uuid,
        name: String,
    },
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let st = state(&req)?;
            let token = bearer_token(&req).ok_or_else(ApiError::unauthorized)?;
            if token.starts_with("hk_") {
                let mut conn = db::conn(&st.pool).await?;
                let hash = tokens::sha256_hex(&token);
                // A read on every call; last_used_at is written at most once a minute, so a
                // busy integration doesn't turn every request into a row update.
                let key: Option<(Uuid, Uuid, String, Option<DateTime<Utc>>)> = api_keys::table
                    .filter(api_keys::key_hash.eq(&hash))
                    .filter(api_keys::revoked_at.is_null())
                    .select((
                        api_keys::id,
                        api_keys::workspace_id,
                        api_keys::name,
                        api_keys::last_used_at,
                    ))
                    .first(&mut conn)
                    .await
                    .optional()?;
                let (key_id, workspace_id, name, last_used) = key.ok_or_else(|| {
                    ApiError::unauthorized_msg("The API key is invalid or revoked.")
                })?;
                let now = Utc::now();
                if last_used
                    .is_none_or(|t| now - t > chrono::Duration::seconds(LAST_USED_EVERY_SECS))
                {
                    diesel::update(api_keys::table.find(key_id))
                        .set(api_keys::last_used_at.eq(now))
                        .execute(&mut conn)
                        .await?;
                }
                return Ok(Principal::ApiKey {
                    key_id,
                    workspace_id,
                    name,
                });
            }
            let claims = tokens::verify_access(&st.config, &token)?;
            Ok(Principal::User {
                user_id: claims.sub,
            })
        })
    }
}

/// A widget visitor authenticated by its visitor token.
#[derive(Debug, Clone, Copy)]
pub struct VisitorAuth {
    pub visitor_id: Uuid,
    pub workspace_id: Uuid,
}

impl FromRequest for VisitorAuth {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready((|| {
            let st = state(req)?;
            let token = bearer_token(req).ok_or_else(ApiError::unauthorized)?;
            let claims = tokens::verify_visitor(&st.config, &token)?;
            Ok(VisitorAuth {
                visitor_id: claims.sub,
                workspace_id: claims.ws,
            })
        })())
    }
}

/// What a principal may do in one workspace.
#[derive(Debug, Clone)]
pub struct Access {
    pub workspace_id: Uuid,
    pub role: Role,
    /// The user, for user sessions; `None` for API keys.
    pub user_id: Option<Uuid>,
    pub actor: Actor,
}

impl Access {
    /// Owners and admins (and API keys) manage settings.
    pub fn require_admin(&self) -> ApiResult<()> {
        if self.role.can_manage() {
            Ok(())
        } else {
            Err(ApiError::forbidden("Only owners and admins can do this."))
        }
    }

    /// Members and API keys are managed by owners and admins in person, never by an API key.
    pub fn require_admin_user(&self) -> ApiResult<Uuid> {
        self.require_admin()?;
        self.user_id
            .ok_or_else(|| ApiError::forbidden("API keys cannot manage members or API keys."))
    }

    pub fn is_api_key(&self) -> bool {
        self.user_id.is_none()
    }
}

/// Resolves a principal's access to a workspace. Not a member, or a key of another
/// workspace: 404, so that other tenants' ids reveal nothing.
pub async fn access(
    conn: &mut Conn,
    principal: &Principal,
    workspace_id: Uuid,
) -> ApiResult<Access> {
    match principal {
        Principal::ApiKey {
            key_id,
            workspace_id: key_ws,
            name,
        } => {
            if *key_ws != workspace_id {
                return Err(ApiError::not_found("workspace"));
            }
            Ok(Access {
                workspace_id,
                role: Role::Admin,
                user_id: None,
                actor: Actor::api_key(*key_id, name.clone()),
            })
        }
        Principal::User { user_id } => {
            let row: Option<(Role, String)> = memberships::table
                .inner_join(users::table)
                .filter(memberships::workspace_id.eq(workspace_id))
                .filter(memberships::user_id.eq(user_id))
                .select((memberships::role, users::name))
                .first(conn)
                .await
                .optional()?;
            let (role, name) = row.ok_or_else(|| ApiError::not_found("workspace"))?;
            Ok(Access {
                workspace_id,
                role,
                user_id: Some(*user_id),
                actor: Actor::user(*user_id, name),
            })
        }
    }
}
