//! The one shared crate that names `spin_sdk`: it turns Spin's host interfaces into the
//! plain crates' seams (SQLite → `domain::db::Db`, variables → settings, key-value and
//! outbound HTTP → the JWKS cache) and runs a request from first byte to log line. Keeping
//! Spin here keeps each component a router, and a move to a newer SDK a change of one crate.

mod authenticate;
mod db;
mod entry;
mod fetch;
mod health;
mod send;
mod settings;

pub use authenticate::{authenticate, DEV_ISSUER_KEY_PAIR};
pub use db::SpinDb;
pub use entry::{route, serve, serve_public, Handler, Handlers};
pub use health::health;
pub use send::send;
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
pub fn kv() -> Result<spin_sdk::key_value::Store, errors::ApiError> {
    spin_sdk::key_value::Store::open_default()
        .map_err(|e| errors::ApiError::Internal(anyhow::anyhow!("key-value store: {e}")))
}
