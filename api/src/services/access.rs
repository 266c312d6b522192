//! The preamble of every workspace request: a connection, and what the caller may do in
//! the workspace. Not a member, or a key of another workspace: 404, so other tenants' ids
//! reveal nothing.

use uuid::Uuid;

use crate::db::{self, Conn, PooledConn, members};
use crate::domain::access::{Access, Principal};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Resolves a principal's access to a workspace.
pub async fn resolve(
    conn: &mut Conn,
    principal: &Principal,
    workspace_id: Uuid,
) -> ApiResult<Access> {
    match principal {
        Principal::ApiKey {
            key_id,
            workspace_id: key_ws,
            name,
            ..
        } => {
            if *key_ws != workspace_id {
                return Err(ApiError::not_found("workspace"));
            }
            Ok(Access::of_api_key(workspace_id, *key_id, name))
        }
        Principal::User { user_id } => {
            let (role, name) = members::role_and_name(conn, workspace_id, *user_id)
                .await?
                .ok_or_else(|| ApiError::not_found("workspace"))?;
            Ok(Access::of_member(workspace_id, *user_id, role, &name))
        }
    }
}

/// A pooled connection and the caller's access to the workspace.
pub async fn access(
    state: &AppState,
    principal: &Principal,
    workspace_id: Uuid,
) -> ApiResult<(PooledConn, Access)> {
    let mut conn = db::conn(&state.pool).await?;
    let access = resolve(&mut conn, principal, workspace_id).await?;
    Ok((conn, access))
}

/// The same, for owners and admins only.
pub async fn admin(
    state: &AppState,
    principal: &Principal,
    workspace_id: Uuid,
) -> ApiResult<(PooledConn, Access)> {
    let (conn, access) = access(state, principal, workspace_id).await?;
    access.require_admin()?;
    Ok((conn, access))
}

/// The whole shape of a change request: `transact!(state, principal, ws, |conn, access|
/// body)` checks the caller's access to the workspace, runs `body` (which returns
/// `ApiResult<Changed<T>>`) in one transaction, gives the connection back, publishes the
/// change's events after the commit and evaluates to `ApiResult<T>`.
macro_rules! transact {
    ($state:expr, $principal:expr, $ws:expr, |$conn:ident, $access:ident| $body:expr) => {{
        let (mut pooled, access) =
            $crate::services::access::access($state, $principal, $ws).await?;
        let $access = &access;
        let $crate::services::Changed { value, publish } =
            diesel_async::AsyncConnection::transaction::<_, $crate::error::ApiError, _>(
                &mut *pooled,
                async |$conn| $body,
            )
            .await?;
        drop(pooled); // Give the connection back before announcing the change.
        $state.publish_all(publish).await;
        $crate::error::ApiResult::Ok(value)
    }};
}
pub(crate) use transact;
