//! The `consents` component: consent bases, consents, given consents with their history, the
//! CRM listing (contract §6), the legacy v1 model at its old and new paths (§6, §8), the change
//! feed of profiles and consents (docs/change-feed.md; served here, where the size budget
//! of `tests/api/platform.rs` has room), and its own health path `/health/consents`. Its
//! routes are `api::routes::Tables::CONSENTS`.

use api::routes::{Tables, CONSENTS_PUBLIC};
use spin_glue::{Handlers, Spin};

spin_glue::api_component!(Handlers { health: CONSENTS_PUBLIC, routes: Tables::<Spin>::CONSENTS });
