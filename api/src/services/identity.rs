//! The workspace's identity secret (owners and admins): made (or rotated: the old one
//! stops verifying at once) and shown once, or removed (verification off).

use chrono::Utc;
use uuid::Uuid;

use crate::auth::tokens;
use crate::db::workspaces as store;
use crate::domain::access::Principal;
use crate::domain::identity::SECRET_PREFIX;
use crate::error::ApiResult;
use crate::services::access::admin;
use crate::services::audit;
use crate::state::AppState;
use crate::views::identity::IdentitySecretOut;

pub async fn rotate(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
) -> ApiResult<IdentitySecretOut> {
    let (mut conn, access) = admin(state, principal, ws).await?;
    let secret = tokens::random_secret(SECRET_PREFIX);
    let now = Utc::now();
    store::set_identity_secret(&mut conn, access.workspace_id, Some(&secret), now).await?;
    audit::record(
        &mut conn,
        access.workspace_id,
        &access.actor,
        "identity_secret.rotated",
        None,
        serde_json::json!({}),
    )
    .await?;
    tracing::info!(workspace = %access.workspace_id, "identity secret rotated");
    Ok(IdentitySecretOut {
        secret,
        created_at: now,
    })
}

pub async fn remove(state: &AppState, principal: &Principal, ws: Uuid) -> ApiResult<()> {
    let (mut conn, access) = admin(state, principal, ws).await?;
    store::set_identity_secret(&mut conn, access.workspace_id, None, Utc::now()).await?;
    audit::record(
        &mut conn,
        access.workspace_id,
        &access.actor,
        "identity_secret.removed",
        None,
        serde_json::json!({}),
    )
    .await?;
    Ok(())
}
