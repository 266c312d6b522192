//! Team JSON: members and roles, invitations, API keys.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::db::models::ApiKey;
use crate::domain::enums::Role;
use crate::domain::scopes::{Scope, Scopes};

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberOut {
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberList {
    pub items: Vec<MemberOut>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateMember {
    pub role: Role,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct CreateInvitation {
    #[validate(email(message = "must be a valid email address"))]
    pub email: String,
    pub role: Role,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationOut {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationList {
    pub items: Vec<InvitationOut>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AcceptInvitation {
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipOut {
    pub workspace_id: Uuid,
    pub user_id: Uuid,
    pub role: Role,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct CreateApiKey {
    #[validate(length(min = 1, max = 100, message = "must be between 1 and 100 characters"))]
    pub name: String,
    /// What the key may do (at least one; see docs/mcp.md, "Scopes"). Omitted: `tickets:read`
    /// only. A key's scopes never change: make a new key for more.
    #[serde(default)]
    pub scopes: Option<Vec<Scope>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyOut {
    pub id: Uuid,
    pub name: String,
    /// The first characters of the key, to recognise it.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// What the key may do, in the dashboard's order.
    pub scopes: Vec<Scope>,
}

/// Stored names in `Scope::ALL` order (the table's CHECK admits only known ones).
fn scopes_of(names: &[String]) -> Vec<Scope> {
    let set: Scopes = names.iter().filter_map(|n| Scope::parse(n)).collect();
    set.iter().collect()
}

impl From<ApiKey> for ApiKeyOut {
    fn from(k: ApiKey) -> Self {
        ApiKeyOut {
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            created_at: k.created_at,
            last_used_at: k.last_used_at,
            revoked_at: k.revoked_at,
            scopes: scopes_of(&k.scopes),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKey {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    /// The secret key. Shown once: only its hash is stored.
    pub key: String,
    pub created_at: DateTime<Utc>,
    pub scopes: Vec<Scope>,
}

impl CreatedApiKey {
    pub fn of(row: ApiKey, key: String) -> CreatedApiKey {
        CreatedApiKey {
            id: row.id,
            name: row.name,
            prefix: row.prefix,
            key,
            created_at: row.created_at,
            scopes: scopes_of(&row.scopes),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyList {
    pub items: Vec<ApiKeyOut>,
}
