//! Who may change whose role: only owners grant, change or take the owner role, and a
//! workspace always keeps at least one owner.

use crate::domain::enums::Role;

/// A role change the rules refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RoleChangeRefused {
    #[error("Only owners can grant or change the owner role.")]
    OwnerOnly,
    #[error("A workspace needs at least one owner: make someone else owner first.")]
    LastOwnerDemoted,
    #[error("The last owner cannot be removed.")]
    LastOwnerRemoved,
}

/// May someone with `actor` role move a member from `from` to `to` (`None`: not a member
/// before, or removed after)?
pub fn check_role_change(
    actor: Role,
    from: Option<Role>,
    to: Option<Role>,
) -> Result<(), RoleChangeRefused> {
    if (from == Some(Role::Owner) || to == Some(Role::Owner)) && actor != Role::Owner {
        return Err(RoleChangeRefused::OwnerOnly);
    }
    Ok(())
}

/// The last owner keeps the owner role and stays a member. `owners` counts the owners
/// now (under a lock, so two concurrent changes can't both pass); `to` is `None` when the
/// member is removed.
pub fn check_keeps_an_owner(
    from: Role,
    to: Option<Role>,
    owners: usize,
) -> Result<(), RoleChangeRefused> {
    if from != Role::Owner || owners > 1 {
        return Ok(());
    }
    match to {
        Some(Role::Owner) => Ok(()),
        Some(_) => Err(RoleChangeRefused::LastOwnerDemoted),
        None => Err(RoleChangeRefused::LastOwnerRemoved),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Role::*;

    #[test]
    fn only_owners_touch_the_owner_role() {
        assert_eq!(check_role_change(Admin, Some(Agent), Some(Admin)), Ok(()));
        assert_eq!(
            check_role_change(Admin, Some(Agent), Some(Owner)),
            Err(RoleChangeRefused::OwnerOnly)
        );
        assert_eq!(
            check_role_change(Admin, Some(Owner), None),
            Err(RoleChangeRefused::OwnerOnly)
        );
        assert_eq!(check_role_change(Owner, Some(Owner), Some(Agent)), Ok(()));
        assert_eq!(check_role_change(Admin, None, Some(Agent)), Ok(()));
    }

    #[test]
    fn the_last_owner_stays() {
        assert_eq!(
            check_keeps_an_owner(Owner, Some(Admin), 1),
            Err(RoleChangeRefused::LastOwnerDemoted)
        );
        assert_eq!(
            check_keeps_an_owner(Owner, None, 1),
            Err(RoleChangeRefused::LastOwnerRemoved)
        );
        assert_eq!(check_keeps_an_owner(Owner, Some(Owner), 1), Ok(()));
        assert_eq!(check_keeps_an_owner(Owner, None, 2), Ok(()));
        assert_eq!(check_keeps_an_owner(Agent, None, 1), Ok(()));
    }
}
