//! Accounts: register, login, refresh (rotating, with reuse detection), logout, the
//! current user, the CLI's `create-user`, and API-key authentication.

use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use uuid::Uuid;
use validator::Validate;

use crate::auth::{password, tokens};
use crate::config::Signup;
use crate::db::models::{NewRefreshToken, NewUser, User};
use crate::db::{self, Conn, api_keys, invitations, members, refresh_tokens, users, verifications};
use crate::domain::access::Principal;
use crate::domain::scopes::Scopes;
use crate::error::{ApiError, ApiResult};
use crate::events::BusEvent;
use crate::mail::{self, Template};
use crate::ratelimit;
use crate::state::AppState;
use crate::views::accounts::{
    AuthResponse, ChangePassword, LoginRequest, Me, MeWorkspace, RegisterRequest, TokenPair,
    VerifyEmailRequest,
};

/// How stale an API key's `last_used_at` may get before a request refreshes it.
const LAST_USED_EVERY_SECS: i64 = 60;

/// Longest email address an account can have (RFC 5321).
const EMAIL_MAX: usize = 254;
/// Longest password an account can have (`RegisterRequest`).
const PASSWORD_MAX: usize = 128;

fn email_taken() -> ApiError {
    ApiError::conflict("email_taken", "An account with this email already exists.")
}

/// Inserts an account (the request already validated); 409 when the email is taken.
/// `verified`: when the email counts as confirmed (`None`: not yet).
async fn insert_user(
    conn: &mut Conn,
    req: &RegisterRequest,
    verified: Option<chrono::DateTime<Utc>>,
) -> ApiResult<User> {
    let email = req.email.trim().to_lowercase();
    let hash = password::hash(req.password.clone()).await?;
    users::insert(
        conn,
        NewUser {
            id: Uuid::new_v4(),
            email: &email,
            name: req.name.trim(),
            password_hash: &hash,
            email_verified_at: verified,
        },
    )
    .await?
    .ok_or_else(email_taken)
}

/// Creates an account (the `create-user` command). The operator vouches for the address,
/// so it counts as verified.
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
    Ok(insert_user(conn, &req, Some(Utc::now())).await?.id)
}

fn duration(d: std::time::Duration) -> ApiResult<chrono::Duration> {
    chrono::Duration::from_std(d).map_err(ApiError::internal)
}

/// Issues a refresh token in `family`, which ends at `family_ends` whatever the rotations
/// (a new family at login); returns its id and the secret.
async fn issue_refresh(
    conn: &mut Conn,
    state: &AppState,
    user_id: Uuid,
    family: Uuid,
    family_ends: DateTime<Utc>,
) -> ApiResult<(Uuid, String)> {
    let secret = tokens::random_secret("hr_");
    let hash = tokens::sha256_hex(&secret);
    let id = Uuid::new_v4();
    let idle_end = Utc::now() + duration(state.config.refresh_ttl)?;
    refresh_tokens::insert(
        conn,
        NewRefreshToken {
            id,
            user_id,
            family_id: family,
            token_hash: &hash,
            expires_at: idle_end.min(family_ends),
            family_expires_at: family_ends,
        },
    )
    .await?;
    Ok((id, secret))
}

async fn session(conn: &mut Conn, state: &AppState, user: &User) -> ApiResult<AuthResponse> {
    let family = Uuid::new_v4();
    let ends = Utc::now() + duration(state.config.session_max)?;
    let (_, refresh_token) = issue_refresh(conn, state, user.id, family, ends).await?;
    Ok(AuthResponse {
        user: user.into(),
        access_token: tokens::issue_access(&state.config, user.id, Some(family))?,
        refresh_token,
        expires_in: state.config.access_ttl.as_secs(),
    })
}

/// Whether `SIGNUP` lets this (lower-cased) email register: 403 `signup_closed` or
/// `signup_invite_only` otherwise.
async fn check_signup(conn: &mut Conn, state: &AppState, email: &str) -> ApiResult<()> {
    match state.config.signup {
        Signup::Open => Ok(()),
        Signup::Closed => Err(ApiError::forbidden_code(
            "signup_closed",
            "Sign-up is closed on this Handoff instance; ask its operator for an account.",
        )),
        Signup::Invite => {
            if invitations::pending_for_email(conn, email, Utc::now()).await? {
                Ok(())
            } else {
                Err(ApiError::forbidden_code(
                    "signup_invite_only",
                    "Sign-up on this Handoff instance needs an invitation to this email address.",
                ))
            }
        }
    }
}

/// Creates an account and its first session (as `SIGNUP` allows).
pub async fn register(
    state: &AppState,
    ip: &str,
    body: &RegisterRequest,
) -> ApiResult<AuthResponse> {
    body.validate()?;
    state
        .limiter
        .check(&[ratelimit::REGISTRATIONS_PER_IP.on(ip)])
        .await?;
    let mut conn = db::conn(&state.pool).await?;
    check_signup(&mut conn, state, &body.email.trim().to_lowercase()).await?;
    // The hash runs before the transaction: no connection waits on it inside one.
    let user = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let user = insert_user(conn, body, None).await?;
            verifications::upsert(conn, user.id, None, None).await?;
            mail::queue_template(conn, None, &Template::VerifyEmail { user_id: user.id }).await?;
            Ok(user)
        })
        .await?;
    session(&mut conn, state, &user).await
}

/// Confirms an email address with the token from the verification mail.
pub async fn verify_email(state: &AppState, body: &VerifyEmailRequest) -> ApiResult<Me> {
    let hash = tokens::sha256_hex(body.token.trim());
    let mut conn = db::conn(&state.pool).await?;
    let user_id = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let user_id = verifications::user_by_hash(conn, &hash, Utc::now())
                .await?
                .ok_or_else(|| {
                    ApiError::validation(
                        "token",
                        "the link is invalid or has expired; ask for a new one",
                    )
                })?;
            users::mark_verified(conn, user_id, Utc::now()).await?;
            verifications::delete(conn, user_id).await?;
            Ok(user_id)
        })
        .await?;
    drop(conn);
    me(state, user_id).await
}

/// Sends a new verification mail (409 `already_verified` when there is nothing to confirm).
pub async fn resend_verification(state: &AppState, user_id: Uuid) -> ApiResult<()> {
    let mut conn = db::conn(&state.pool).await?;
    let user = users::by_id(&mut conn, user_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized_msg("The account no longer exists."))?;
    if user.email_verified_at.is_some() {
        return Err(ApiError::conflict(
            "already_verified",
            "This email address is confirmed already.",
        ));
    }
    state
        .limiter
        .check(&[ratelimit::VERIFICATION_MAILS_PER_USER.on(user_id)])
        .await?;
    mail::queue_template(&mut conn, None, &Template::VerifyEmail { user_id }).await?;
    Ok(())
}

/// Logs in with email and password (a dummy hash is verified for unknown emails, so both
/// cases take the same time).
pub async fn login(state: &AppState, ip: &str, body: &LoginRequest) -> ApiResult<AuthResponse> {
    let email = body.email.trim().to_lowercase();
    // No account has a longer address (RFC 5321), and the email keys a rate-limit row.
    if email.len() > EMAIL_MAX {
        return Err(ApiError::validation(
            "email",
            "must be at most 254 characters",
        ));
    }
    if body.password.len() > PASSWORD_MAX {
        return Err(ApiError::validation(
            "password",
            "must be at most 128 characters",
        ));
    }
    // `ip` is the client's network (an IPv6 /64). Failures are counted per (email, network)
    // and only failures: others' wrong guesses can't lock a user out.
    let failures = ratelimit::LOGIN_FAILURES.on(ratelimit::login_failure_subject(&email, ip));
    state
        .limiter
        .check(&[ratelimit::LOGINS_PER_IP.on(ip)])
        .await?;
    state.limiter.peek(&failures).await?;
    let mut conn = db::conn(&state.pool).await?;
    let user = users::by_email(&mut conn, &email).await?;
    let stored = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::DUMMY_HASH.into());
    let ok = password::verify(body.password.clone(), stored).await?;
    match user {
        Some(user) if ok => session(&mut conn, state, &user).await,
        _ => {
            drop(conn);
            state.limiter.hit(&failures).await?;
            Err(ApiError::unauthorized_msg(
                "The email or password is incorrect.",
            ))
        }
    }
}

/// Exchanges a refresh token for a new pair. The old refresh token dies; presenting it
/// again revokes its whole family (a stolen token is useless once either party uses it),
/// except within `REFRESH_GRACE_SECS` of its rotation while its successor is unused: that is
/// a client retrying a refresh whose response it lost, and gets a new successor instead
/// (the unused one is revoked). No rotation moves the session's absolute end.
pub async fn refresh(state: &AppState, refresh_token: &str) -> ApiResult<TokenPair> {
    let hash = tokens::sha256_hex(refresh_token.trim());
    let mut conn = db::conn(&state.pool).await?;
    let grace = duration(state.config.refresh_grace)?;
    let outcome = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let Some(row) = refresh_tokens::lock_by_hash(conn, &hash).await? else {
                return Ok(Err("The refresh token is invalid."));
            };
            let now = Utc::now();
            if row.revoked_at.is_some() {
                refresh_tokens::revoke_family(conn, row.family_id, now).await?;
                tracing::warn!(user = %row.user_id, family = %row.family_id, "revoked refresh token presented: family revoked");
                return Ok(Err("The refresh token was already used; please log in again."));
            }
            if let Some(used) = row.used_at {
                let successor = match row.replaced_by {
                    Some(id) => refresh_tokens::lock_by_id(conn, id).await?,
                    None => None,
                };
                let retry = now - used <= grace
                    && successor
                        .as_ref()
                        .is_some_and(|s| s.used_at.is_none() && s.revoked_at.is_none());
                if !retry {
                    refresh_tokens::revoke_family(conn, row.family_id, now).await?;
                    tracing::warn!(user = %row.user_id, family = %row.family_id, "refresh token reuse: family revoked");
                    return Ok(Err("The refresh token was already used; please log in again."));
                }
                if let Some(s) = &successor {
                    refresh_tokens::revoke(conn, s.id, now).await?;
                }
            }
            if row.expires_at < now || row.family_expires_at < now {
                return Ok(Err("The refresh token has expired; please log in again."));
            }
            refresh_tokens::mark_used(conn, row.id, row.used_at.unwrap_or(now)).await?;
            let (next, refresh_token) =
                issue_refresh(conn, state, row.user_id, row.family_id, row.family_expires_at)
                    .await?;
            refresh_tokens::set_replaced_by(conn, row.id, next).await?;
            Ok(Ok(TokenPair {
                access_token: tokens::issue_access(
                    &state.config,
                    row.user_id,
                    Some(row.family_id),
                )?,
                refresh_token: Some(refresh_token),
                expires_in: state.config.access_ttl.as_secs(),
            }))
        })
        .await?;
    // The family revocation above must commit even though the request fails.
    outcome.map_err(ApiError::unauthorized_msg)
}

/// Logs out: revokes the refresh token's family; the session's live streams close.
pub async fn logout(state: &AppState, refresh_token: &str) -> ApiResult<()> {
    let hash = tokens::sha256_hex(refresh_token.trim());
    let mut conn = db::conn(&state.pool).await?;
    if let Some(family) = refresh_tokens::family_of(&mut conn, &hash).await? {
        refresh_tokens::revoke_family(&mut conn, family, Utc::now()).await?;
        drop(conn);
        state
            .publish_all(vec![BusEvent::session_ended(family)])
            .await;
    }
    Ok(())
}

/// Logs out every session of the user (this one included): every refresh token dies and
/// every live stream of the user closes. Access tokens already issued expire on their own
/// (15 minutes at most) but can't open streams any more.
pub async fn logout_everywhere(state: &AppState, user_id: Uuid) -> ApiResult<()> {
    let mut conn = db::conn(&state.pool).await?;
    refresh_tokens::revoke_user(&mut conn, user_id, None, Utc::now()).await?;
    drop(conn);
    state
        .publish_all(vec![BusEvent::user_sessions_ended(user_id, None)])
        .await;
    Ok(())
}

/// Changes the password (the current one proves it is the user): every other session is
/// logged out; the one that changed it stays.
pub async fn change_password(
    state: &AppState,
    user_id: Uuid,
    session: Option<Uuid>,
    body: &ChangePassword,
) -> ApiResult<()> {
    body.validate()?;
    let mut conn = db::conn(&state.pool).await?;
    let user = users::by_id(&mut conn, user_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized_msg("The account no longer exists."))?;
    if !password::verify(body.current_password.clone(), user.password_hash.clone()).await? {
        return Err(ApiError::validation(
            "current_password",
            "is not your current password",
        ));
    }
    let hash = password::hash(body.new_password.clone()).await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        users::set_password(conn, user_id, &hash).await?;
        refresh_tokens::revoke_user(conn, user_id, session, Utc::now()).await?;
        Ok(())
    })
    .await?;
    drop(conn);
    state
        .publish_all(vec![BusEvent::user_sessions_ended(user_id, session)])
        .await;
    Ok(())
}

/// The current user and their workspaces.
pub async fn me(state: &AppState, user_id: Uuid) -> ApiResult<Me> {
    let mut conn = db::conn(&state.pool).await?;
    let user = users::by_id(&mut conn, user_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized_msg("The account no longer exists."))?;
    let workspaces = members::workspaces_of(&mut conn, user_id)
        .await?
        .into_iter()
        .map(|(id, name, role)| MeWorkspace { id, name, role })
        .collect();
    Ok(Me {
        id: user.id,
        email: user.email,
        name: user.name,
        email_verified: user.email_verified_at.is_some(),
        is_operator: user.is_operator,
        workspaces,
    })
}

/// A key's stored scope names as a set (the table's CHECK admits only known names; one
/// that is not is a bug, not the caller's).
pub fn stored_scopes(names: &[String]) -> ApiResult<Scopes> {
    Scopes::from_names(names)
        .map_err(|n| ApiError::internal(anyhow::anyhow!("an API key has an unknown scope {n:?}")))
}

/// A workspace API key (`hk_…`) as a principal. Its `last_used_at` is written at most
/// once a minute, so a busy integration doesn't turn every request into a row update.
pub async fn authenticate_api_key(state: &AppState, token: &str) -> ApiResult<Principal> {
    let mut conn = db::conn(&state.pool).await?;
    let hash = tokens::sha256_hex(token);
    let key = api_keys::live_by_hash(&mut conn, &hash)
        .await?
        .ok_or_else(|| ApiError::unauthorized_msg("The API key is invalid or revoked."))?;
    let now = Utc::now();
    if key
        .last_used_at
        .is_none_or(|t| now - t > chrono::Duration::seconds(LAST_USED_EVERY_SECS))
    {
        api_keys::touch(&mut conn, key.id, now).await?;
    }
    Ok(Principal::ApiKey {
        key_id: key.id,
        workspace_id: key.workspace_id,
        name: key.name,
        scopes: stored_scopes(&key.scopes)?,
    })
}
