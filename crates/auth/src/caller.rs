//! Who is calling, once a token is verified: organisation, permissions and client id.

use std::collections::BTreeSet;
use std::fmt;

/// A permission the API checks, as granted in the token's `permissions` claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Permission {
    /// Read customer profiles (`customers-profile:les`).
    ProfileRead,
    /// Create customer profiles (`customers-profile:opprett`).
    ProfileCreate,
    /// Change customer profiles (`customers-profile:endre`).
    ProfileChange,
    /// Delete or erase customer profiles (`customers-profile:slett`).
    ProfileDelete,
    /// Read consents (`consents:les`).
    ConsentsRead,
    /// Change consents (`consents:endre`).
    ConsentsChange,
    /// Administer consent definitions (`consents:admin`).
    ConsentsAdmin,
}

impl Permission {
    /// Every permission, in declaration order.
    pub const ALL: [Permission; 7] = [
        Self::ProfileRead,
        Self::ProfileCreate,
        Self::ProfileChange,
        Self::ProfileDelete,
        Self::ConsentsRead,
        Self::ConsentsChange,
        Self::ConsentsAdmin,
    ];

    /// The string that grants this permission in the `permissions` claim.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ProfileRead => "customers-profile:les",
            Self::ProfileCreate => "customers-profile:opprett",
            Self::ProfileChange => "customers-profile:endre",
            Self::ProfileDelete => "customers-profile:slett",
            Self::ConsentsRead => "consents:les",
            Self::ConsentsChange => "consents:endre",
            Self::ConsentsAdmin => "consents:admin",
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The authenticated caller, as established by [`crate::Verifier::verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    organisation_id: i64,
    permissions: BTreeSet<String>,
    client_id: Option<String>,
}

impl Caller {
    /// Builds a caller directly. `verify` is the way to get one from a request; this is for
    /// code that needs a caller without a token (tests, internal jobs).
    pub fn new<P: Into<String>>(
        organisation_id: i64,
        permissions: impl IntoIterator<Item = P>,
        client_id: Option<String>,
    ) -> Self {
        Self { organisation_id, permissions: permissions.into_iter().map(Into::into).collect(), client_id }
    }

    /// The organisation the caller acts for (always positive).
    pub fn org(&self) -> i64 {
        self.organisation_id
    }

    /// The client id for audit and logs: `azp`, else `client_id`, else `sub`.
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// Whether the token grants `permission`.
    pub fn has(&self, permission: Permission) -> bool {
        self.permissions.contains(permission.as_str())
    }

    /// All strings of the `permissions` claim, including ones this API does not use.
    pub fn permissions(&self) -> &BTreeSet<String> {
        &self.permissions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_strings_are_the_claim_values_of_the_contract() {
        let strings: Vec<&str> = Permission::ALL.iter().map(|p| p.as_str()).collect();
        assert_eq!(
            strings,
            [
                "customers-profile:les",
                "customers-profile:opprett",
                "customers-profile:endre",
                "customers-profile:slett",
                "consents:les",
                "consents:endre",
                "consents:admin",
            ]
        );
    }

    #[test]
    fn a_caller_has_exactly_the_permissions_it_was_granted() {
        let caller = Caller::new(7, ["consents:les", "something:else"], None);
        assert!(caller.has(Permission::ConsentsRead));
        assert!(!caller.has(Permission::ConsentsChange));
        assert!(!caller.has(Permission::ProfileRead));
        assert_eq!(caller.permissions().len(), 2);
        assert_eq!(caller.org(), 7);
        assert_eq!(caller.client_id(), None);
    }
}
