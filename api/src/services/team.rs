//! The team: members and their roles, invitations by email, API keys. Who may change which
//! role is `domain::team`'s rule; the changes lock the workspace's memberships so two
//! concurrent ones can't leave a workspace without an owner.

use chrono::Utc;
use diesel_async::AsyncConnection;
use uuid::Uuid;
use validator::Validate;

use crate::auth::tokens;
use crate::db::models::{Membership, NewApiKey, NewInvitation};
use crate::db::{self, Conn, api_keys, invitations, members, users};
use crate::domain::access::Principal;
use crate::domain::enums::Role;
use crate::domain::scopes::{Scope, Scopes};
use crate::domain::team::{check_keeps_an_owner, check_role_change};
use crate::error::{ApiError, ApiResult};
use crate::events::BusEvent;
use crate::mail;
use crate::services::access::access;
use crate::services::{audit, tickets};
use crate::state::AppState;
use crate::views::team::{
    ApiKeyList, CreateApiKey, CreateInvitation, CreatedApiKey, InvitationList, InvitationOut,
    MemberList, MemberOut, MembershipOut,
};

/// Pending invitations listed at most.
const INVITATIONS_SHOWN: i64 = 200;
/// API keys listed at most.
const API_KEYS_SHOWN: i64 = 500;
/// The part of an API key shown to recognise it (`hk_` and 8 characters).
const API_KEY_PREFIX_CHARS: usize = 11;

fn member_out((user_id, email, name, role): members::MemberRow) -> MemberOut {
    MemberOut {
        user_id,
        email,
        name,
        role,
    }
}

pub async fn members(state: &AppState, principal: &Principal, ws: Uuid) -> ApiResult<MemberList> {
    let (mut conn, access) = access(state, principal, ws).await?;
    let items = members::list(&mut conn, access.workspace_id)
        .await?
        .into_iter()
        .map(member_out)
        .collect();
    Ok(MemberList { items })
}

/// The membership, under the workspace's membership lock, with the owner count.
async fn locked_member(conn: &mut Conn, ws: Uuid, member: Uuid) -> ApiResult<(Membership, usize)> {
    let owners = members::lock_and_count_owners(conn, ws).await?;
    let current = members::lock(conn, ws, member)
        .await?
        .ok_or_else(|| ApiError::not_found("member"))?;
    Ok((current, owners))
}

/// Changes a member's role (owners and admins; the last owner cannot be demoted).
pub async fn update_member(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    member: Uuid,
    role: Role,
) -> ApiResult<MemberOut> {
    let (mut conn, access) = access(state, principal, ws).await?;
    access.require_admin_user()?;
    let ws = access.workspace_id;
    let out = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let (current, owners) = locked_member(conn, ws, member).await?;
            check_role_change(access.role, Some(current.role), Some(role))?;
            check_keeps_an_owner(current.role, Some(role), owners)?;
            members::set_role(conn, ws, member, role).await?;
            let out = members::get(conn, ws, member)
                .await?
                .map(member_out)
                .ok_or_else(|| ApiError::not_found("member"))?;
            audit::record(
                conn,
                ws,
                &access.actor,
                "member.role_changed",
                Some(("user", member)),
                serde_json::json!({"user_id": member, "name": out.name, "role": role}),
            )
            .await?;
            Ok(out)
        })
        .await?;
    Ok(out)
}

/// Removes a member (owners and admins, or members leaving; never the last owner).
pub async fn remove_member(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    member: Uuid,
) -> ApiResult<()> {
    let (mut conn, access) = access(state, principal, ws).await?;
    let leaving = access.user_id == Some(member);
    if !leaving {
        access.require_admin_user()?;
    }
    let ws = access.workspace_id;
    let mut publish = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let (current, owners) = locked_member(conn, ws, member).await?;
            if !leaving {
                check_role_change(access.role, Some(current.role), None)?;
            }
            check_keeps_an_owner(current.role, None, owners)?;
            let name = members::get(conn, ws, member)
                .await?
                .map(member_out)
                .map(|m| m.name);
            members::delete(conn, ws, member).await?;
            audit::record(
                conn,
                ws,
                &access.actor,
                if leaving {
                    "member.left"
                } else {
                    "member.removed"
                },
                Some(("user", member)),
                serde_json::json!({"user_id": member, "name": name, "role": current.role}),
            )
            .await?;
            tickets::unassign_member(conn, &access, member).await
        })
        .await?;
    drop(conn);
    // Their live streams of the workspace close (they can't open new ones: not a member).
    publish.push(BusEvent::member_removed(ws, member));
    state.publish_all(publish).await;
    Ok(())
}

/// Revokes a pending invitation (owners and admins): its link stops working. Unknown,
/// accepted or another workspace's: 404.
pub async fn revoke_invitation(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    id: Uuid,
) -> ApiResult<()> {
    let (mut conn, access) = access(state, principal, ws).await?;
    access.require_admin_user()?;
    if invitations::delete_pending(&mut conn, access.workspace_id, id).await? == 0 {
        return Err(ApiError::not_found("invitation"));
    }
    Ok(())
}

/// Invites someone by email (owners and admins). The token goes by email only.
pub async fn invite(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    body: &CreateInvitation,
) -> ApiResult<InvitationOut> {
    body.validate()?;
    let (mut conn, access) = access(state, principal, ws).await?;
    let inviter = access.require_admin_user()?;
    check_role_change(access.role, None, Some(body.role))?;
    let email = body.email.trim().to_lowercase();
    let role = body.role;
    // The link's token is minted when the mail is sent (`services::templated_mail`); until
    // then the row holds the hash of a secret nobody knows.
    let hash = tokens::sha256_hex(&tokens::random_secret("hi_"));
    let ws = access.workspace_id;
    let inv = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let verified = users::by_id(conn, inviter)
                .await?
                .is_some_and(|u| u.email_verified_at.is_some());
            if !verified {
                return Err(ApiError::forbidden_code(
                    "email_unverified",
                    "Confirm your email address first (we sent you a link); then you can send invitations.",
                ));
            }
            let inv = invitations::insert(
                conn,
                NewInvitation {
                    id: Uuid::new_v4(),
                    workspace_id: ws,
                    email: &email,
                    role,
                    token_hash: &hash,
                    invited_by: Some(inviter),
                    expires_at: Utc::now() + chrono::Duration::days(mail::invitations::TTL_DAYS),
                },
            )
            .await?;
            mail::queue_template(
                conn,
                Some(ws),
                &mail::Template::Invitation {
                    invitation_id: inv.id,
                },
            )
            .await?;
            audit::record(
                conn,
                ws,
                &access.actor,
                "member.invited",
                Some(("invitation", inv.id)),
                serde_json::json!({"email": email, "role": role}),
            )
            .await?;
            Ok(inv)
        })
        .await?;
    Ok(InvitationOut {
        id: inv.id,
        email: inv.email,
        role: inv.role,
        expires_at: inv.expires_at,
    })
}

/// Pending invitations (owners and admins).
pub async fn invitations(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
) -> ApiResult<InvitationList> {
    let (mut conn, access) = access(state, principal, ws).await?;
    access.require_admin_user()?;
    let items = invitations::pending(
        &mut conn,
        access.workspace_id,
        Utc::now(),
        INVITATIONS_SHOWN,
    )
    .await?
    .into_iter()
    .map(|i| InvitationOut {
        id: i.id,
        email: i.email,
        role: i.role,
        expires_at: i.expires_at,
    })
    .collect();
    Ok(InvitationList { items })
}

/// Accepts an invitation as the logged-in user (whose email must match it).
pub async fn accept_invitation(
    state: &AppState,
    user_id: Uuid,
    token: &str,
) -> ApiResult<MembershipOut> {
    let hash = tokens::sha256_hex(token.trim());
    let mut conn = db::conn(&state.pool).await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let inv = invitations::lock_by_hash(conn, &hash)
            .await?
            .ok_or_else(|| ApiError::not_found("invitation"))?;
        if inv.accepted_at.is_some() {
            return Err(ApiError::conflict(
                "invitation_used",
                "This invitation has already been accepted.",
            ));
        }
        if inv.expires_at < Utc::now() {
            return Err(ApiError::validation(
                "token",
                "the invitation has expired; ask for a new one",
            ));
        }
        let user = users::by_id(conn, user_id)
            .await?
            .ok_or_else(|| ApiError::unauthorized_msg("The account no longer exists."))?;
        if !user.email.eq_ignore_ascii_case(&inv.email) {
            return Err(ApiError::forbidden(
                "This invitation was sent to another email address.",
            ));
        }
        let inserted = members::insert_if_absent(
            conn,
            Membership {
                workspace_id: inv.workspace_id,
                user_id,
                role: inv.role,
                created_at: Utc::now(),
            },
        )
        .await?;
        if inserted == 0 {
            return Err(ApiError::conflict(
                "already_member",
                "You are already a member of this workspace.",
            ));
        }
        invitations::mark_accepted(conn, inv.id, Utc::now()).await?;
        Ok(MembershipOut {
            workspace_id: inv.workspace_id,
            user_id,
            role: inv.role,
        })
    })
    .await
}

/// API keys (owners and admins; secrets are never shown again).
pub async fn api_keys(state: &AppState, principal: &Principal, ws: Uuid) -> ApiResult<ApiKeyList> {
    let (mut conn, access) = access(state, principal, ws).await?;
    access.require_admin_user()?;
    let items = api_keys::list(&mut conn, access.workspace_id, API_KEYS_SHOWN)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(ApiKeyList { items })
}

/// Creates an API key for third-party integrations; the key is in this answer only.
pub async fn create_api_key(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    body: &CreateApiKey,
) -> ApiResult<CreatedApiKey> {
    body.validate()?;
    let scopes: Scopes = match &body.scopes {
        None => Scope::DEFAULT.iter().copied().collect(),
        Some(list) if list.is_empty() => {
            return Err(ApiError::validation(
                "scopes",
                "choose at least one scope (or leave scopes out for tickets:read)",
            ));
        }
        Some(list) => list.iter().copied().collect(),
    };
    let (mut conn, access) = access(state, principal, ws).await?;
    let creator = access.require_admin_user()?;
    let key = tokens::random_secret("hk_");
    let prefix: String = key.chars().take(API_KEY_PREFIX_CHARS).collect();
    let row = api_keys::insert(
        &mut conn,
        NewApiKey {
            id: Uuid::new_v4(),
            workspace_id: access.workspace_id,
            name: body.name.trim(),
            prefix: &prefix,
            key_hash: &tokens::sha256_hex(&key),
            created_by: Some(creator),
            scopes: scopes.names(),
        },
    )
    .await?;
    audit::record(
        &mut conn,
        access.workspace_id,
        &access.actor,
        "api_key.created",
        Some(("api_key", row.id)),
        serde_json::json!({"name": row.name, "scopes": row.scopes}),
    )
    .await?;
    Ok(CreatedApiKey::of(row, key))
}

/// Revokes an API key; it stops working at once. Already revoked is fine; unknown (or
/// another workspace's) is 404.
pub async fn revoke_api_key(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    id: Uuid,
) -> ApiResult<()> {
    let (mut conn, access) = access(state, principal, ws).await?;
    access.require_admin_user()?;
    let ws = access.workspace_id;
    let revoked = api_keys::revoke(&mut conn, ws, id, Utc::now()).await?;
    if revoked == 0 && !api_keys::exists(&mut conn, ws, id).await? {
        return Err(ApiError::not_found("API key"));
    }
    if revoked > 0 {
        audit::record(
            &mut conn,
            ws,
            &access.actor,
            "api_key.revoked",
            Some(("api_key", id)),
            serde_json::json!({}),
        )
        .await?;
    }
    drop(conn);
    state.publish_all(vec![BusEvent::key_revoked(ws, id)]).await;
    Ok(())
}
