//! Authentication of API callers by bearer token (JWT).
//!
//! This crate owns the whole token contract of the Customers API, and nothing else: it has no
//! HTTP, no clock and no key fetching, so that it is unit-tested natively and compiled
//! unchanged into the Spin components.
//!
//! - [`bearer_token`] takes the token out of the `Authorization` header.
//! - [`Jwks`] holds the trusted public keys (parsed from JWKS documents).
//! - [`Verifier::verify`] checks a token (signature, `iss`, `aud`, `exp`/`nbf`/`iat`) at a given
//!   time and returns the authenticated [`Caller`]: organisation, [`Permission`]s, client id.
//! - [`AuthError`] tells apart what the HTTP layer answers differently (missing token,
//!   invalid token, unknown `kid`, no organisation).
//! - [`jwks_cache`] decides when the issuer's JWKS is fetched again (the caller fetches).
//! - [`issuer`] is the local development token issuer (Ed25519), whose tokens are verified by
//!   the very same [`Verifier::verify`], and the rule of when it exists at all.

mod caller;
mod error;
pub mod issuer;
mod jwks;
pub mod jwks_cache;
mod remembered;
mod verify;

#[cfg(test)]
mod test_support;

pub use caller::{Caller, Permission};
pub use error::AuthError;
pub use jwks::{Jwks, JwksError};
pub use remembered::{Remembered, TokenDigest, REMEMBER_SECS};
pub use verify::{
    bearer_token, token_kid, Verified, Verifier, DEFAULT_ORGANISATION_CLAIM, LEEWAY_SECS, MAX_TOKEN_BYTES,
};
