//! The one shared crate that names `spin_sdk`: it turns Spin's host interfaces into the
//! plain crates' seams (SQLite → `domain::db::Db`, variables → settings, key-value and
//! outbound HTTP → the JWKS cache) and runs a request from first byte to log line. Keeping
//! Spin here keeps each component a router, and a move to a newer SDK a change of one crate.
//!
//! Two ABIs from one source, chosen by a cargo feature: `p2` (the default; spin-sdk 5, WASI
//! 0.2, `spin.toml`) and `p3` (spin-sdk 7, WASI 0.3, `spin.p3.toml`). Only the host layer
//! differs ([`p2`] or [`p3`], as `host`); everything above it is the same code.

#[cfg(all(feature = "p2", feature = "p3"))]
compile_error!("spin-glue: build with exactly one of the features p2 (the default) and p3");

#[cfg(feature = "p3")]
extern crate spin_sdk_p3 as spin_sdk;

#[cfg(feature = "p2")]
pub mod p2;
#[cfg(feature = "p2")]
use p2 as host;
#[cfg(feature = "p3")]
pub mod p3;
#[cfg(feature = "p3")]
use p3 as host;

mod authenticate;
mod entry;
mod fetch;
mod health;
mod settings;

pub use authenticate::{authenticate, DEV_ISSUER_KEY_PAIR};
pub use entry::{Handler, Handlers, Spin};
pub use health::health;
pub use host::db::SpinDb;
pub use host::{serve, serve_public, Store};
pub use settings::{dev_issuer_serves, event_retention_days, variable, Settings};

use domain::time::Timestamp;

/// The current time (WASI wall clock).
pub fn now() -> Timestamp {
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Timestamp::from_millis(i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX))
}

/// `n` bytes from the host's secure random source (`wasi:random`).
pub fn random_bytes(n: usize) -> Vec<u8> {
    wasi::random::random::get_random_bytes(n as u64)
}

/// The key-value store every component shares (label `default`).
pub async fn kv() -> Result<Store, errors::ApiError> {
    Store::open_default().await
}
