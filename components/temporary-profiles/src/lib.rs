//! The `temporary-profiles` component: temporary profiles and their postal addresses and
//! preferences (contract §4), the purge of expired profiles (§5), and its own health path
//! `/health/temporary-profiles`. Its routes are `api::routes::Tables::TEMPORARY_PROFILES`.

use api::routes::{Tables, TEMPORARY_PROFILES_PUBLIC};
use spin_glue::{Handlers, Spin};

spin_glue::api_component!(Handlers {
    health: TEMPORARY_PROFILES_PUBLIC,
    routes: Tables::<Spin>::TEMPORARY_PROFILES
});
