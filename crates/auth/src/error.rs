//! The authentication outcomes that the HTTP layer answers differently.

use std::fmt;

/// Why a request could not be authenticated.
///
/// The variants map to distinct HTTP answers:
/// - [`AuthError::MissingToken`]: 401 with `WWW-Authenticate: Bearer`;
/// - [`AuthError::Invalid`] and [`AuthError::UnknownKid`]: 401 with
///   `WWW-Authenticate: Bearer error="invalid_token"` (for `UnknownKid`, after the key set was
///   refetched and the token retried once);
/// - [`AuthError::NoOrganisation`]: 403 (the token is valid, the caller is not allowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthError {
    /// No `Authorization` header at all.
    MissingToken,
    /// The token (or the header carrying it) is not acceptable. The reason is short, fixed
    /// text meant for logs only; never send it to the client.
    Invalid(&'static str),
    /// The token names (`kid`) a key that is not in the trusted key set: the caller may refetch
    /// the issuer's JWKS and verify again.
    UnknownKid,
    /// The token is valid but carries no usable organisation claim.
    NoOrganisation,
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingToken => f.write_str("no bearer token"),
            Self::Invalid(reason) => write!(f, "invalid token: {reason}"),
            Self::UnknownKid => f.write_str("token signed with an unknown key id"),
            Self::NoOrganisation => f.write_str("token carries no organisation"),
        }
    }
}

impl std::error::Error for AuthError {}
