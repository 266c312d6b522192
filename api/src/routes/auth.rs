//! Accounts: register, login, refresh (rotating, with reuse detection), logout, me.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::app::AppState;
use crate::auth::{AuthUser, password, tokens};
use crate::db::enums::Role;
use crate::db::models::{NewRefreshToken, NewUser, RefreshToken, User};
use crate::db::schema::{memberships, refresh_tokens, users, workspaces};
use crate::db::{self, Conn};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::ratelimit;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(register)
        .service(login)
        .service(refresh)
        .service(logout)
        .service(me);
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct RegisterRequest {
    #[validate(email(message = "must be a valid email address"), length(max = 254))]
    pub email: String,
    #[validate(length(min = 8, max = 128, message = "must be between 8 and 128 characters"))]
    pub password: String,
    #[validate(length(min = 1, max = 100, message = "must be between 1 and 100 characters"))]
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserOut {
    pub id: Uuid,
    pub email: String,
    pub name: String,
}

impl From<&User> for UserOut {
    fn from(u: &User) -> Self {
        UserOut {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuthResponse {
    pub user: UserOut,
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeWorkspace {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub workspaces: Vec<MeWorkspace>,
}

/// Creates an account (used by the `create-user` command).
pub async fn create_user(
    conn: &mut Conn,
    email: &str,
    name: &str,
    password: &str,
) -> ApiResult<Uuid> {
    let req = RegisterRequest {
        email: email.trim().to_lowercase(),
        password: password.to_string(),
        name: name.trim().to_string(),
    };
    req.validate()?;
    let hash = password::hash(req.password.clone()).await?;
    let id: Option<Uuid> = diesel::insert_into(users::table)
        .values(NewUser {
            id: Uuid::new_v4(),
            email: &req.email,
            name: &req.name,
            password_hash: &hash,
        })
        .on_conflict_do_nothing()
        .returning(users::id)
        .get_result(conn)
        .await
        .optional()?;
    id.ok_or_else(|| {
        ApiError::conflict("email_taken", "An account with this email already exists.")
    })
}

/// Issues a refresh token in `family` (a new family at login) and returns the secret.
async fn issue_refresh(
    conn: &mut Conn,
    state: &AppState,
    user_id: Uuid,
    family: Uuid,
) -> ApiResult<String> {
    let secret = tokens::random_secret("hr_");
    let hash = tokens::sha256_hex(&secret);
    diesel::insert_into(refresh_tokens::table)
        .values(NewRefreshToken {
            id: Uuid::new_v4(),
            user_id,
            family_id: family,
            token_hash: &hash,
            expires_at: Utc::now()
                + chrono::Duration::from_std(state.config.refresh_ttl)
                    .map_err(ApiError::internal)?,
        })
        .execute(conn)
        .await?;
    Ok(secret)
}

async fn session(conn: &mut Conn, state: &AppState, user: &User) -> ApiResult<AuthResponse> {
    let refresh_token = issue_refresh(conn, state, user.id, Uuid::new_v4()).await?;
    Ok(AuthResponse {
        user: user.into(),
        access_token: tokens::issue_access(&state.config, user.id)?,
        refresh_token,
        expires_in: state.config.access_ttl.as_secs(),
    })
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
    body.validate()?;
    let ip = ratelimit::client_ip(&req, &state.config)
        .map(|i| i.to_string())
        .unwrap_or_default();
    state
        .limiter
        .check(&format!("register:ip:{ip}"), 20, 3600)
        .await?;
    let email = body.email.trim().to_lowercase();
    let hash = password::hash(body.password.clone()).await?;
    let mut conn = db::conn(&state.pool).await?;
    let user: Option<User> = diesel::insert_into(users::table)
        .values(NewUser {
            id: Uuid::new_v4(),
            email: &email,
            name: body.name.trim(),
            password_hash: &hash,
        })
        .on_conflict_do_nothing()
        .returning(User::as_returning())
        .get_result(&mut conn)
        .await
        .optional()?;
    let user = user.ok_or_else(|| {
        ApiError::conflict("email_taken", "An account with this email already exists.")
    })?;
    let resp = session(&mut conn, &state, &user).await?;
    Ok(HttpResponse::Created().json(resp))
}

/// Log in with email and password.
#[utoipa::path(tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = AuthResponse),
    (status = 401, body = ErrorBody),
    (status = 429, description = "Too many attempts; see Retry-After", body = ErrorBody)))]
#[post("/api/v1/auth/login")]
async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> ApiResult<web::Json<AuthResponse>> {
    let email = body.email.trim().to_lowercase();
    let ip = ratelimit::client_ip(&req, &state.config)
        .map(|i| i.to_string())
        .unwrap_or_default();
    state
        .limiter
        .check(&format!("login:ip:{ip}"), 30, 300)
        .await?;
    state
        .limiter
        .check(&format!("login:email:{email}"), 10, 300)
        .await?;
    let mut conn = db::conn(&state.pool).await?;
    let user: Option<User> = users::table
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("lower(email) = ")
                .bind::<diesel::sql_types::Text, _>(&email),
        )
        .select(User::as_select())
        .first(&mut conn)
        .await
        .optional()?;
    let stored = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::DUMMY_HASH.into());
    let ok = password::verify(body.password.clone(), stored).await?;
    match user {
        Some(user) if ok => Ok(web::Json(session(&mut conn, &state, &user).await?)),
        _ => Err(ApiError::unauthorized_msg(
            "The email or password is incorrect.",
        )),
    }
}

/// Exchange a refresh token for a new pair. The old refresh token dies; presenting it
/// again revokes its whole family (a stolen token is useless once either party uses it).
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses((status = 200, body = TokenPair), (status = 401, body = ErrorBody)))]
#[post("/api/v1/auth/refresh")]
async fn refresh(
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> ApiResult<web::Json<TokenPair>> {
    let hash = tokens::sha256_hex(body.refresh_token.trim());
    let mut conn = db::conn(&state.pool).await?;
    let st = state.clone();
    let outcome = conn
        .transaction::<_, ApiError, _>(async move |conn| {
                let row: Option<RefreshToken> = refresh_tokens::table
                    .filter(refresh_tokens::token_hash.eq(&hash))
                    .select(RefreshToken::as_select())
                    .for_update()
                    .first(conn)
                    .await
                    .optional()?;
                let Some(row) = row else { return Ok(Err("The refresh token is invalid.")) };
                if row.used_at.is_some() || row.revoked_at.is_some() {
                    diesel::update(refresh_tokens::table.filter(refresh_tokens::family_id.eq(row.family_id)))
                        .filter(refresh_tokens::revoked_at.is_null())
                        .set(refresh_tokens::revoked_at.eq(Utc::now()))
                        .execute(conn)
                        .await?;
                    tracing::warn!(user = %row.user_id, family = %row.family_id, "refresh token reuse: family revoked");
                    return Ok(Err("The refresh token was already used; please log in again."));
                }
                if row.expires_at < Utc::now() {
                    return Ok(Err("The refresh token has expired; please log in again."));
                }
                diesel::update(refresh_tokens::table.find(row.id))
                    .set(refresh_tokens::used_at.eq(Utc::now()))
                    .execute(conn)
                    .await?;
                let refresh_token = issue_refresh(conn, &st, row.user_id, row.family_id).await?;
                Ok(Ok(TokenPair {
                    access_token: tokens::issue_access(&st.config, row.user_id)?,
                    refresh_token,
                    expires_in: st.config.access_ttl.as_secs(),
                }))
        })
        .await?;
    // The family revocation above must commit even though the request fails.
    outcome.map(web::Json).map_err(ApiError::unauthorized_msg)
}

/// Log out: revokes the refresh token's family.
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses((status = 204)))]
#[post("/api/v1/auth/logout")]
async fn logout(
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let hash = tokens::sha256_hex(body.refresh_token.trim());
    let mut conn = db::conn(&state.pool).await?;
    let family: Option<Uuid> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(&hash))
        .select(refresh_tokens::family_id)
        .first(&mut conn)
        .await
        .optional()?;
    if let Some(family) = family {
        diesel::update(refresh_tokens::table.filter(refresh_tokens::family_id.eq(family)))
            .filter(refresh_tokens::revoked_at.is_null())
            .set(refresh_tokens::revoked_at.eq(Utc::now()))
            .execute(&mut conn)
            .await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// The current user and their workspaces.
#[utoipa::path(tag = "auth", security(("bearer" = [])), responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
#[get("/api/v1/me")]
async fn me(state: web::Data<AppState>, user: AuthUser) -> ApiResult<web::Json<Me>> {
    let mut conn = db::conn(&state.pool).await?;
    let u: User = users::table
        .find(user.user_id)
        .select(User::as_select())
        .first(&mut conn)
        .await
        .optional()?
        .ok_or_else(|| ApiError::unauthorized_msg("The account no longer exists."))?;
    let workspaces = memberships::table
        .inner_join(workspaces::table)
        .filter(memberships::user_id.eq(user.user_id))
        .order(workspaces::created_at.asc())
        .select((workspaces::id, workspaces::name, memberships::role))
        .load::<(Uuid, String, Role)>(&mut conn)
        .await?
        .into_iter()
        .map(|(id, name, role)| MeWorkspace { id, name, role })
        .collect();
    Ok(web::Json(Me {
        id: u.id,
        email: u.email,
        name: u.name,
        workspaces,
    }))
}
