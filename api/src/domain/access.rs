//! Who is calling and what they may do in one workspace.

use uuid::Uuid;

use crate::domain::actor::Actor;
use crate::domain::enums::Role;
use crate::domain::scopes::Scopes;

/// An authenticated caller of the dashboard API: a user session or a workspace API key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    User {
        user_id: Uuid,
    },
    ApiKey {
        key_id: Uuid,
        workspace_id: Uuid,
        name: String,
        /// What the key may do (`domain::scopes`); checked before the handler runs.
        scopes: Scopes,
    },
}

/// A principal may not do this (403).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("Only owners and admins can do this.")]
    AdminOnly,
    #[error("API keys cannot manage members or API keys.")]
    UserOnly,
    #[error("Assign to me needs a user session, not an API key.")]
    AssignToMeNeedsUser,
}

/// What a principal may do in one workspace (it is a member, or the key is the
/// workspace's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub workspace_id: Uuid,
    pub role: Role,
    /// The user, for user sessions; `None` for API keys.
    pub user_id: Option<Uuid>,
    pub actor: Actor,
}

impl Access {
    /// A workspace API key acts as an admin of its workspace.
    pub fn of_api_key(workspace_id: Uuid, key_id: Uuid, name: &str) -> Access {
        Access {
            workspace_id,
            role: Role::Admin,
            user_id: None,
            actor: Actor::api_key(key_id, name),
        }
    }

    pub fn of_member(workspace_id: Uuid, user_id: Uuid, role: Role, name: &str) -> Access {
        Access {
            workspace_id,
            role,
            user_id: Some(user_id),
            actor: Actor::user(user_id, name),
        }
    }

    /// Owners and admins (and API keys) manage settings.
    pub fn require_admin(&self) -> Result<(), Denied> {
        if self.role.can_manage() {
            Ok(())
        } else {
            Err(Denied::AdminOnly)
        }
    }

    /// Members and API keys are managed by owners and admins in person, never by an API key.
    pub fn require_admin_user(&self) -> Result<Uuid, Denied> {
        self.require_admin()?;
        self.user_id.ok_or(Denied::UserOnly)
    }

    pub fn is_api_key(&self) -> bool {
        self.user_id.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_admins_that_cannot_manage_people() {
        let key = Access::of_api_key(Uuid::nil(), Uuid::nil(), "ci");
        assert!(key.require_admin().is_ok());
        assert_eq!(key.require_admin_user(), Err(Denied::UserOnly));
        let agent = Access::of_member(Uuid::nil(), Uuid::nil(), Role::Agent, "Ana");
        assert_eq!(agent.require_admin(), Err(Denied::AdminOnly));
        let owner = Access::of_member(Uuid::nil(), Uuid::from_u128(7), Role::Owner, "Olga");
        assert_eq!(owner.require_admin_user(), Ok(Uuid::from_u128(7)));
    }
}
