//! The `temporary-profiles` component: temporary profiles and their postal addresses and
//! preferences (contract §4), the purge of expired profiles (§5), and its own health path
//! `/health/temporary-profiles`. `handle` is Spin glue; the table below is every route it
//! serves.

use api::{addresses, preferences, profiles, purge, temporary};
use spin_glue::{route, Handler, Handlers};
use web::Route;

spin_glue::api_component!(Handlers { health_paths: &["/health/temporary-profiles"], routes: ROUTES });

/// `POST /customers/v2/admin/purge-expired` with the feed's retention setting.
async fn purge_expired(call: &web::Call<'_, spin_glue::SpinDb>) -> web::Answer {
    purge::purge_expired(call, spin_glue::event_retention_days()?).await
}

/// Every endpoint, in the order of contract §4 and §5.
const ROUTES: &[Route<Handler>] = &[
    route("POST", "/customers/v2/profiles/temporary", &temporary::create),
    route("GET", "/customers/v2/profiles/temporary/{customerNumber}", &temporary::get),
    route("PUT", "/customers/v2/profiles/temporary/{customerNumber}", &temporary::replace),
    route("DELETE", "/customers/v2/profiles/temporary/{customerNumber}", &profiles::erase),
    route("POST", "/customers/v2/profiles/temporary/{customerNumber}/convert", &temporary::convert),
    route("GET", "/customers/v2/profiles/temporary/{customerNumber}/postal-addresses", &addresses::list),
    route("POST", "/customers/v2/profiles/temporary/{customerNumber}/postal-addresses", &addresses::create),
    route("GET", "/customers/v2/profiles/temporary/{customerNumber}/postal-addresses/{id}", &addresses::get),
    route(
        "PUT",
        "/customers/v2/profiles/temporary/{customerNumber}/postal-addresses/{id}",
        &addresses::replace,
    ),
    route(
        "DELETE",
        "/customers/v2/profiles/temporary/{customerNumber}/postal-addresses/{id}",
        &addresses::delete,
    ),
    route("GET", "/customers/v2/profiles/temporary/{customerNumber}/preferences", &preferences::list),
    route(
        "PUT",
        "/customers/v2/profiles/temporary/{customerNumber}/preferences/{preferenceCode}",
        &preferences::set,
    ),
    route(
        "DELETE",
        "/customers/v2/profiles/temporary/{customerNumber}/preferences/{preferenceCode}",
        &preferences::delete,
    ),
    route("GET", "/customers/v2/profiles/temporary/{customerNumber}/ecards", &temporary::not_allowed),
    route("POST", "/customers/v2/profiles/temporary/{customerNumber}/ecards", &temporary::not_allowed),
    route("DELETE", "/customers/v2/profiles/temporary/{customerNumber}/ecards/{id}", &temporary::not_allowed),
    route(
        "GET",
        "/customers/v2/profiles/temporary/{customerNumber}/loyalty-programs",
        &temporary::not_allowed,
    ),
    route(
        "POST",
        "/customers/v2/profiles/temporary/{customerNumber}/loyalty-programs",
        &temporary::not_allowed,
    ),
    route(
        "DELETE",
        "/customers/v2/profiles/temporary/{customerNumber}/loyalty-programs/{membershipId}",
        &temporary::not_allowed,
    ),
    route(
        "GET",
        "/customers/v2/profiles/temporary/{customerNumber}/loyalty-programs/{membershipId}/transactions",
        &temporary::not_allowed,
    ),
    route(
        "POST",
        "/customers/v2/profiles/temporary/{customerNumber}/loyalty-programs/{membershipId}/transactions",
        &temporary::not_allowed,
    ),
    route("POST", "/customers/v2/admin/purge-expired", &purge_expired),
];
