//! The benchmark suite's shared parts (see docs/performance.md and `scripts/bench`):
//!
//! - [`sqlite`]: the `domain::db::Db` seam over rusqlite, so the seeding tool and the native
//!   benches run the service's own SQL and migrations;
//! - [`data`]: realistic Norwegian customers (names with æ/ø/å, emails, +47 numbers, addresses
//!   with post codes), made deterministically from a seed;
//! - [`seed`]: writes them through the service's own domain functions, in large transactions;
//! - [`http`]: a small keep-alive HTTP/1.1 client and the counting JWKS server;
//! - [`keys`]: the benchmark's signing keys, tokens and JWKS;
//! - [`stats`]: latency summaries (p50, p99) and where results are written.

pub mod data;
pub mod http;
pub mod keys;
pub mod seed;
pub mod sqlite;
pub mod stats;

/// The organisation with 1,000,000 profiles (the local issuer's `partner-a`).
pub const BIG_ORG: i64 = 1001;
/// The organisation with 100,000 profiles (`partner-b`).
pub const SMALL_ORG: i64 = 2002;

/// The consent code seeded for [`BIG_ORG`] (given by about a third of its customers).
pub const BIG_ORG_CONSENT: &str = "NYHETSBREV-1001";
/// The consent code seeded for [`SMALL_ORG`].
pub const SMALL_ORG_CONSENT: &str = "NYHETSBREV-2002";

/// The issuer and audience of the benchmark's tokens (spin.toml's defaults).
pub const ISSUER: &str = "http://localhost:3000/";
pub const AUDIENCE: &str = "https://api.customers.local";

/// `target/bench` of this workspace, or `$BENCH_OUT_DIR`: where results, the seeded state
/// and the report go.
pub fn out_dir() -> std::path::PathBuf {
    if let Some(dir) = std::env::var_os("BENCH_OUT_DIR") {
        return dir.into();
    }
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench")
}

/// The seeded database (`<out_dir>/state/sqlite_db.db`, Spin's `.spin/sqlite_db.db` layout),
/// or `$BENCH_DB`.
pub fn seeded_db() -> std::path::PathBuf {
    if let Some(path) = std::env::var_os("BENCH_DB") {
        return path.into();
    }
    out_dir().join("state/sqlite_db.db")
}

/// Milliseconds since the Unix epoch.
pub fn now_millis() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}
