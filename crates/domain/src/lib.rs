//! The domain of the Customers API in plain Rust: value types parsed once, the rules, the
//! schema migrations and the SQL of each aggregate. No Spin types: components hand in a
//! [`db::Db`] (Spin's SQLite) and tests hand in rusqlite.

pub mod address;
pub mod audit;
pub mod connection;
pub mod consent;
pub mod customer;
pub mod db;
pub mod ecard;
pub mod erasure;
pub mod event;
pub mod idempotency;
pub mod ids;
pub mod jwks_fetch;
pub mod lockout;
pub mod loyalty;
pub mod migrations;
pub mod on_demand;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod password;
pub mod preference;
pub mod profile;
pub mod purge;
mod sql_code;
pub mod subresource;
pub mod tenancy;
pub mod text;
pub mod time;
#[cfg(feature = "openapi")]
pub mod wire_schema;

#[cfg(any(test, feature = "rusqlite"))]
pub mod test_db;
