//! The `catalogues` component: the organisation's catalogues, its preference definitions and
//! loyalty programs (contract §3). Its routes are `api::routes::Tables::CATALOGUES`.

use api::routes::{Tables, CATALOGUES_PUBLIC};
use spin_glue::{Handlers, Spin};

spin_glue::api_component!(Handlers { health: CATALOGUES_PUBLIC, routes: Tables::<Spin>::CATALOGUES });
