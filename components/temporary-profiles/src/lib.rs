//! The `temporary-profiles` component: temporary profiles and their postal addresses and
//! preferences (contract §4), the purge of expired profiles (§5), and its own health path
//! `/health/temporary-profiles`. `handle` is Spin glue; the table below is every route it
//! serves.

use api::{addresses, preferences, profiles, purge, temporary};
use auth::Caller;
use http::{Request, Response};
use spin_glue::{Handlers, SpinDb};
use spin_sdk::http::IncomingRequest;
use web::{Answer, RequestCtx, Route};

#[spin_sdk::http_component]
async fn handle(req: IncomingRequest) -> Response<Vec<u8>> {
    spin_glue::serve(req, Handlers { public, api }).await
}

/// Paths that need no token: this component's own health path, so that a deployment of
/// temporary-profiles alone (SpinKube `components`, `spin up --component-id`) has a probe path.
fn public(ctx: &RequestCtx, req: &Request<Vec<u8>>) -> Option<Answer> {
    match (req.method().as_str(), web::segments(req).as_slice()) {
        ("GET", ["health", "temporary-profiles"]) => {
            ctx.route.set("/health/temporary-profiles");
            Some(spin_glue::health())
        }
        (_, ["health", "temporary-profiles"]) => Some(Err(errors::ApiError::MethodNotAllowed(vec!["GET"]))),
        _ => None,
    }
}

fn api(ctx: &RequestCtx, caller: &Caller, db: &SpinDb, req: &Request<Vec<u8>>) -> Answer {
    web::dispatch(ROUTES, ctx, caller, db, req)
}

type Handler = web::Handler<SpinDb>;

const fn route(method: &'static str, template: &'static str, handler: Handler) -> Route<Handler> {
    Route { method, template, handler }
}

/// Every endpoint, in the order of contract §4 and §5.
const ROUTES: &[Route<Handler>] = &[
    route("POST", "/customers/v2/profiles/temporary", temporary::create),
    route("GET", "/customers/v2/profiles/temporary/{customerNumber}", temporary::get),
    route("PUT", "/customers/v2/profiles/temporary/{customerNumber}", temporary::replace),
    route("DELETE", "/customers/v2/profiles/temporary/{customerNumber}", profiles::erase),
    route("POST", "/customers/v2/profiles/temporary/{customerNumber}/convert", temporary::convert),
    route("GET", "/customers/v2/profiles/temporary/{customerNumber}/postal-addresses", addresses::list),
    route("POST", "/customers/v2/profiles/temporary/{customerNumber}/postal-addresses", addresses::create),
    route("GET", "/customers/v2/profiles/temporary/{customerNumber}/postal-addresses/{id}", addresses::get),
    route(
        "PUT",
        "/customers/v2/profiles/temporary/{customerNumber}/postal-addresses/{id}",
        addresses::replace,
    ),
    route(
        "DELETE",
        "/customers/v2/profiles/temporary/{customerNumber}/postal-addresses/{id}",
        addresses::delete,
    ),
    route("GET", "/customers/v2/profiles/temporary/{customerNumber}/preferences", preferences::list),
    route(
        "PUT",
        "/customers/v2/profiles/temporary/{customerNumber}/preferences/{preferenceCode}",
        preferences::set,
    ),
    route(
        "DELETE",
        "/customers/v2/profiles/temporary/{customerNumber}/preferences/{preferenceCode}",
        preferences::delete,
    ),
    route("GET", "/customers/v2/profiles/temporary/{customerNumber}/ecards", temporary::not_allowed),
    route("POST", "/customers/v2/profiles/temporary/{customerNumber}/ecards", temporary::not_allowed),
    route("DELETE", "/customers/v2/profiles/temporary/{customerNumber}/ecards/{id}", temporary::not_allowed),
    route(
        "GET",
        "/customers/v2/profiles/temporary/{customerNumber}/loyalty-programs",
        temporary::not_allowed,
    ),
    route(
        "POST",
        "/customers/v2/profiles/temporary/{customerNumber}/loyalty-programs",
        temporary::not_allowed,
    ),
    route(
        "DELETE",
        "/customers/v2/profiles/temporary/{customerNumber}/loyalty-programs/{membershipId}",
        temporary::not_allowed,
    ),
    route(
        "GET",
        "/customers/v2/profiles/temporary/{customerNumber}/loyalty-programs/{membershipId}/transactions",
        temporary::not_allowed,
    ),
    route(
        "POST",
        "/customers/v2/profiles/temporary/{customerNumber}/loyalty-programs/{membershipId}/transactions",
        temporary::not_allowed,
    ),
    route("POST", "/customers/v2/admin/purge-expired", purge::purge_expired),
];
