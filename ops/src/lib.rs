//! What an operator runs against the service's database from outside Spin, through the same
//! `Db` seam and domain code as the components: a database named by a path (a local SQLite
//! file) or by a URL (a libSQL server: sqld, Turso), and the re-application of the erasure
//! ledger to a database restored from a backup (`erasures reapply`, docs/data.md,
//! "The erasure ledger").

pub mod database;
pub mod libsql;
pub mod reapply;

pub use database::Database;
pub use libsql::LibSql;
