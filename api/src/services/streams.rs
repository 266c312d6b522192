//! Stream tickets and how long a live stream may run.
//!
//! An EventSource can't send headers, and a long-lived credential in a URL ends up in
//! proxy logs. So a client first mints a ticket with its credential (`POST …/stream-tickets`,
//! `Authorization: Bearer`), then opens the stream with `?ticket=`: the ticket is random,
//! stored only as its SHA-256 in Postgres (so any server process can redeem it), lives 30 s,
//! works once and only for the stream it was minted for.
//!
//! A stream ends when the credential behind it does: at the access token's `exp` (or the
//! visitor token's), after `MAX_STREAM` at the latest, and at once when the member is
//! removed, the API key revoked or the session logged out (`events::AccessEnded`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::auth::tokens;
use crate::db::models::StreamTicket;
use crate::db::{self, Conn, api_keys, refresh_tokens, stream_tickets};
use crate::domain::access::Principal;
use crate::error::{ApiError, ApiResult};
use crate::events::StreamHolder;
use crate::services::access::resolve;
use crate::services::widget::VisitorId;
use crate::state::AppState;
use crate::views::streams::StreamTicketOut;

/// How long a minted ticket can wait to be used.
pub const TICKET_TTL: Duration = Duration::from_secs(30);
/// The longest a stream runs before its client reconnects (and is checked again).
pub const MAX_STREAM: Duration = Duration::from_secs(3600);

/// A dashboard caller as a stream needs it: who, the session, when the credential expires.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    /// The session (refresh-token family) of a user's access token.
    pub session_id: Option<Uuid>,
    /// The access token's `exp` (API keys: none).
    pub expires_at: Option<DateTime<Utc>>,
}

/// What an opened stream may see and until when.
#[derive(Debug, Clone)]
pub struct StreamGrant {
    pub principal: Principal,
    pub holder: StreamHolder,
    pub ends_at: DateTime<Utc>,
}

fn invalid_ticket() -> ApiError {
    ApiError::unauthorized_msg(
        "The stream ticket is invalid, expired or already used; mint a new one.",
    )
}

fn ends_at(expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> DateTime<Utc> {
    let max = now + chrono::Duration::from_std(MAX_STREAM).unwrap_or(chrono::Duration::hours(1));
    expires_at.map_or(max, |e| e.min(max))
}

/// Whether the credential still stands: a user's session is live, an API key unrevoked.
async fn check_credential(
    conn: &mut Conn,
    principal: &Principal,
    session_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    match principal {
        Principal::User { user_id } => {
            if let Some(sid) = session_id
                && !refresh_tokens::session_live(conn, *user_id, sid, now).await?
            {
                return Err(ApiError::unauthorized_msg(
                    "The session has ended; please log in again.",
                ));
            }
        }
        Principal::ApiKey { key_id, .. } => {
            if !api_keys::live_by_id(conn, *key_id).await? {
                return Err(ApiError::unauthorized_msg(
                    "The API key is invalid or revoked.",
                ));
            }
        }
    }
    Ok(())
}

fn holder(principal: &Principal, ws: Uuid, session_id: Option<Uuid>) -> StreamHolder {
    match principal {
        Principal::User { user_id } => StreamHolder::User {
            workspace_id: ws,
            user_id: *user_id,
            session_id,
        },
        Principal::ApiKey { key_id, .. } => StreamHolder::Key { key_id: *key_id },
    }
}

async fn mint(
    conn: &mut Conn,
    row: impl FnOnce(String, DateTime<Utc>) -> StreamTicket,
) -> ApiResult<StreamTicketOut> {
    let secret = tokens::random_secret("hs_");
    let now = Utc::now();
    let expires = now + chrono::Duration::from_std(TICKET_TTL).map_err(ApiError::internal)?;
    stream_tickets::insert(conn, &row(tokens::sha256_hex(&secret), expires)).await?;
    Ok(StreamTicketOut {
        ticket: secret,
        expires_in: TICKET_TTL.as_secs(),
    })
}

/// A ticket for the dashboard stream of `ws` (members and the workspace's API keys).
pub async fn mint_dashboard(
    state: &AppState,
    caller: &Caller,
    ws: Uuid,
) -> ApiResult<StreamTicketOut> {
    let mut conn = db::conn(&state.pool).await?;
    let access = resolve(&mut conn, &caller.principal, ws).await?;
    check_credential(&mut conn, &caller.principal, caller.session_id, Utc::now()).await?;
    let (user_id, api_key_id) = match &caller.principal {
        Principal::User { user_id } => (Some(*user_id), None),
        Principal::ApiKey { key_id, .. } => (None, Some(*key_id)),
    };
    mint(&mut conn, |token_hash, expires_at| StreamTicket {
        token_hash,
        workspace_id: access.workspace_id,
        user_id,
        session_id: caller.session_id,
        api_key_id,
        visitor_id: None,
        access_expires_at: caller.expires_at,
        expires_at,
    })
    .await
}

/// A ticket for the visitor's own stream.
pub async fn mint_widget(state: &AppState, v: VisitorId) -> ApiResult<StreamTicketOut> {
    let mut conn = db::conn(&state.pool).await?;
    mint(&mut conn, |token_hash, expires_at| StreamTicket {
        token_hash,
        workspace_id: v.workspace_id,
        user_id: None,
        session_id: None,
        api_key_id: None,
        visitor_id: Some(v.visitor_id),
        access_expires_at: DateTime::from_timestamp(v.expires_at, 0),
        expires_at,
    })
    .await
}

/// Redeems a dashboard ticket for the stream of `ws` (it is gone afterwards).
pub async fn redeem_dashboard(state: &AppState, ticket: &str, ws: Uuid) -> ApiResult<StreamGrant> {
    let mut conn = db::conn(&state.pool).await?;
    let now = Utc::now();
    let row = stream_tickets::take(&mut conn, &tokens::sha256_hex(ticket.trim()), now)
        .await?
        .filter(|t| t.workspace_id == ws && t.visitor_id.is_none())
        .ok_or_else(invalid_ticket)?;
    let principal = match (row.user_id, row.api_key_id) {
        (Some(user_id), _) => Principal::User { user_id },
        // The scopes as they are now (a key's scopes never change; minting the ticket
        // already needed the stream's scopes, see `x-handoff-scope` of stream-tickets).
        (None, Some(key_id)) => Principal::ApiKey {
            key_id,
            workspace_id: row.workspace_id,
            name: String::new(),
            scopes: match api_keys::live_scopes(&mut conn, key_id).await? {
                Some(names) => crate::services::accounts::stored_scopes(&names)?,
                None => return Err(invalid_ticket()),
            },
        },
        (None, None) => return Err(invalid_ticket()),
    };
    check_credential(&mut conn, &principal, row.session_id, now).await?;
    Ok(StreamGrant {
        holder: holder(&principal, ws, row.session_id),
        principal,
        ends_at: ends_at(row.access_expires_at, now),
    })
}

/// A stream opened with the credential itself (`Authorization`, e.g. curl or an
/// integration with an API key).
pub async fn grant_for(state: &AppState, caller: &Caller, ws: Uuid) -> ApiResult<StreamGrant> {
    let now = Utc::now();
    let mut conn = db::conn(&state.pool).await?;
    check_credential(&mut conn, &caller.principal, caller.session_id, now).await?;
    Ok(StreamGrant {
        holder: holder(&caller.principal, ws, caller.session_id),
        principal: caller.principal.clone(),
        ends_at: ends_at(caller.expires_at, now),
    })
}

/// Redeems a widget ticket: the visitor it was minted for, and when the stream ends.
pub async fn redeem_widget(
    state: &AppState,
    ticket: &str,
) -> ApiResult<(VisitorId, DateTime<Utc>)> {
    let mut conn = db::conn(&state.pool).await?;
    let now = Utc::now();
    let row = stream_tickets::take(&mut conn, &tokens::sha256_hex(ticket.trim()), now)
        .await?
        .ok_or_else(invalid_ticket)?;
    let visitor_id = row.visitor_id.ok_or_else(invalid_ticket)?;
    let ends = ends_at(row.access_expires_at, now);
    Ok((
        VisitorId {
            visitor_id,
            workspace_id: row.workspace_id,
            expires_at: ends.timestamp(),
        },
        ends,
    ))
}

/// When a visitor's stream opened with the visitor token itself ends.
pub fn widget_ends_at(v: &VisitorId) -> DateTime<Utc> {
    ends_at(DateTime::from_timestamp(v.expires_at, 0), Utc::now())
}

/// Deletes tickets that expired unused (the worker calls it now and then).
pub async fn purge_expired(state: &AppState) -> ApiResult<usize> {
    let mut conn = db::conn(&state.pool).await?;
    Ok(stream_tickets::purge_expired(&mut conn, Utc::now()).await?)
}
