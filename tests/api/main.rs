//! End-to-end tests: the real release components in the test host, over HTTP on loopback.

mod helpers;
mod tokens;

mod auth;
mod issuer;
mod platform;
mod profiles;
