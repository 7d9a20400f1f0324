//! A bounded HTTP GET, for the issuer's JWKS (contract §2): a deadline on the whole exchange
//! and a cap on the body, so a slow, stalled or hostile key server can neither hold a request
//! nor fill its memory. Each ABI's host does the GET (`p2::fetch`, `p3::fetch`).

use std::time::Duration;

/// How long one GET may take, and how much it may bring back.
pub struct Limits {
    /// To establish the connection (the host's own timeout, where it has one).
    pub connect: Duration,
    /// From sending the request to the last byte of the body.
    pub total: Duration,
    /// The largest body accepted; a larger one is an error.
    pub max_body_bytes: usize,
}
