//! The `profiles` component: permanent customer profiles and their sub-resources (contract
//! §3), the deprecated v1 profile paths and `/health` (§8).
//! Its routes are `api::routes::Tables::PROFILES`.

use api::routes::{Tables, PROFILES_PUBLIC};
use spin_glue::{Handlers, Spin};

spin_glue::api_component!(Handlers { health: PROFILES_PUBLIC, routes: Tables::<Spin>::PROFILES });
