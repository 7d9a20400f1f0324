//! End-to-end tests: the real release components in the test host, over HTTP on loopback.

mod conformance;
mod helpers;
mod tokens;

mod addresses;
mod auth;
mod backups;
mod catalogue;
mod consents;
mod consents_v1;
mod docs_page;
mod ecards;
mod events;
mod instances;
mod issuer;
mod key_fetching;
mod lockout;
mod loyalty;
mod openapi;
mod platform;
mod preferences;
mod profile_changes;
mod profiles;
mod profiles_v1;
mod purge_job;
mod query_strings;
mod replicas;
mod search;
mod selective;
mod temporary;
mod tenancy;
