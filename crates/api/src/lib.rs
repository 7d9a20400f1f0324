//! The handlers of every endpoint, on plain `http` types and the `Db` seam. Components hold
//! only their route tables and the Spin glue, so a handler shared by two components (postal
//! addresses of permanent and temporary profiles) is written once, here.
//!
//! A handler reads top to bottom: authorise, parse, write in one transaction, respond.

pub mod addresses;
pub mod catalogue;
pub mod consents;
pub mod ecards;
pub mod events;
pub mod loyalty;
pub mod parent;
pub mod preferences;
pub mod profiles;
pub mod purge;
pub mod routes;
mod subresource;
pub mod temporary;

pub use web::{Answer, Call};
