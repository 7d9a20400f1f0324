//! The `profiles` component: permanent customer profiles and their sub-resources, the
//! organisation catalogues (contract §3), the deprecated v1 profile paths and `/health` (§8).
//! `handle` is Spin glue: its health paths, and the table below with every route it serves.

use api::{addresses, catalogue, ecards, loyalty, preferences, profiles};
use spin_glue::{route, Handler, Handlers};
use web::Route;

spin_glue::api_component!(Handlers { health_paths: &["/health", "/health/profiles"], routes: ROUTES });

/// Every endpoint, in the order of contract §3, then v1 (§8). The order is for the reader: the
/// router picks the most literal template that matches (`web::router::find`).
const ROUTES: &[Route<Handler>] = &[
    route("POST", "/customers/v2/profiles", &profiles::create),
    route("GET", "/customers/v2/profiles", &profiles::search),
    route("GET", "/customers/v2/profiles-search", &profiles::search),
    route("POST", "/customers/v2/profiles/verify-credentials", &profiles::verify_credentials),
    route("GET", "/customers/v2/profiles/by-customer-ref/{customerRef}", &profiles::get_by_ref),
    route("GET", "/customers/v2/profiles/{customerNumber}", &profiles::get),
    route("PUT", "/customers/v2/profiles/{customerNumber}", &profiles::replace),
    route("PATCH", "/customers/v2/profiles/{customerNumber}", &profiles::patch),
    route("DELETE", "/customers/v2/profiles/{customerNumber}", &profiles::erase),
    route("POST", "/customers/v2/profiles/{customerNumber}/deactivate", &profiles::deactivate),
    route("POST", "/customers/v2/profiles/{customerNumber}/connect", &profiles::connect),
    route("GET", "/customers/v2/profiles/{customerNumber}/export", &profiles::export),
    route("GET", "/customers/v2/profiles/{customerNumber}/history", &profiles::history),
    route("PUT", "/customers/v2/profiles/{customerNumber}/password", &profiles::change_password),
    route("GET", "/customers/v2/profiles/{customerNumber}/postal-addresses", &addresses::list),
    route("POST", "/customers/v2/profiles/{customerNumber}/postal-addresses", &addresses::create),
    route("GET", "/customers/v2/profiles/{customerNumber}/postal-addresses/{id}", &addresses::get),
    route("PUT", "/customers/v2/profiles/{customerNumber}/postal-addresses/{id}", &addresses::replace),
    route("DELETE", "/customers/v2/profiles/{customerNumber}/postal-addresses/{id}", &addresses::delete),
    route("GET", "/customers/v2/profiles/{customerNumber}/preferences", &preferences::list),
    route("PUT", "/customers/v2/profiles/{customerNumber}/preferences/{preferenceCode}", &preferences::set),
    route(
        "DELETE",
        "/customers/v2/profiles/{customerNumber}/preferences/{preferenceCode}",
        &preferences::delete,
    ),
    route("GET", "/customers/v2/profiles/{customerNumber}/ecards", &ecards::list),
    route("POST", "/customers/v2/profiles/{customerNumber}/ecards", &ecards::create),
    route("DELETE", "/customers/v2/profiles/{customerNumber}/ecards/{id}", &ecards::delete),
    route("GET", "/customers/v2/profiles/{customerNumber}/loyalty-programs", &loyalty::memberships),
    route("POST", "/customers/v2/profiles/{customerNumber}/loyalty-programs", &loyalty::join),
    route(
        "DELETE",
        "/customers/v2/profiles/{customerNumber}/loyalty-programs/{membershipId}",
        &loyalty::leave,
    ),
    route(
        "GET",
        "/customers/v2/profiles/{customerNumber}/loyalty-programs/{membershipId}/transactions",
        &loyalty::transactions,
    ),
    route(
        "POST",
        "/customers/v2/profiles/{customerNumber}/loyalty-programs/{membershipId}/transactions",
        &loyalty::transact,
    ),
    route("GET", "/customers/v2/preferences", &catalogue::preferences),
    route("POST", "/customers/v2/preferences", &catalogue::create_preference),
    route("GET", "/customers/v2/preferences/{id}", &catalogue::get_preference),
    route("PUT", "/customers/v2/preferences/{id}", &catalogue::replace_preference),
    route("DELETE", "/customers/v2/preferences/{id}", &catalogue::delete_preference),
    route("GET", "/customers/v2/loyalty-programs", &catalogue::programs),
    route("POST", "/customers/v2/loyalty-programs", &catalogue::create_program),
    route("GET", "/customers/v2/loyalty-programs/{id}", &catalogue::get_program),
    route("PUT", "/customers/v2/loyalty-programs/{id}", &catalogue::replace_program),
    // Contract §8: what v1 had, with v2 behaviour; `web::respond` adds `Deprecation`, `Sunset`
    // and the `successor-version` link to every answer on these paths.
    route("POST", "/customers/v1/profiles", &profiles::create),
    route("GET", "/customers/v1/profiles", &profiles::search),
    route("GET", "/customers/v1/profiles/by-customer-ref/{customerRef}", &profiles::get_by_ref),
    route("GET", "/customers/v1/profiles/{customerNumber}", &profiles::get),
    route("PUT", "/customers/v1/profiles/{customerNumber}", &profiles::replace),
    route("PATCH", "/customers/v1/profiles/{customerNumber}", &profiles::patch),
    route("DELETE", "/customers/v1/profiles/{customerNumber}", &profiles::erase),
];
