//! The `consents` component: consent bases, consents, given consents with their history, the
//! CRM listing (contract §6), the legacy v1 model at its old and new paths (§6, §8), the change
//! feed of profiles and consents (docs/change-feed.md; served here, where the size budget
//! of `tests/api/platform.rs` has room), and its own health path `/health/consents`. `handle`
//! is Spin glue; the table below is every route it serves.

use api::consents::{admin, client, crm, legacy};
use api::events;
use spin_glue::{route, Handler, Handlers};
use web::Route;

spin_glue::api_component!(Handlers { health_paths: &["/health/consents"], routes: ROUTES });

/// Every endpoint, in the order of contract §6. Literal paths before templates that match
/// them (`/given-consents/history` and `/bulk` before `/given-consents/{id}`).
const ROUTES: &[Route<Handler>] = &[
    route("POST", "/customers/v2/consents/admin/consent-bases", &admin::create_base),
    route("GET", "/customers/v2/consents/admin/consent-bases", &admin::list_bases),
    route("GET", "/customers/v2/consents/admin/consent-bases/{consentCode}", &admin::get_base),
    route("PUT", "/customers/v2/consents/admin/consent-bases/{consentCode}", &admin::replace_base),
    route(
        "GET",
        "/customers/v2/consents/admin/consent-bases/{consentCode}/versions/{version}",
        &admin::get_base_version,
    ),
    route("POST", "/customers/v2/consents/admin/consents", &admin::create_consent),
    route("GET", "/customers/v2/consents/admin/consents", &admin::list_consents),
    route("GET", "/customers/v2/consents/admin/consents/{id}", &admin::get_consent),
    route("PUT", "/customers/v2/consents/admin/consents/{id}", &admin::replace_consent),
    route("PATCH", "/customers/v2/consents/admin/consents/{id}", &admin::patch_consent),
    route("GET", "/customers/v2/consents/client/consents", &client::list_consents),
    route("POST", "/customers/v2/consents/client/given-consents", &client::give),
    route("GET", "/customers/v2/consents/client/given-consents", &client::list_given),
    route("GET", "/customers/v2/consents/client/given-consents/history", &client::history),
    route("PUT", "/customers/v2/consents/client/given-consents/bulk", &client::bulk),
    route("GET", "/customers/v2/consents/client/given-consents/{id}", &client::get_given),
    route("DELETE", "/customers/v2/consents/client/given-consents/{id}", &client::delete_given),
    route("GET", "/customers/v2/consents/crm", &crm::list),
    route("GET", "/customers/v2/events", &events::list),
    route("GET", "/customers/v2/consents/v1/{customerNumber}", &legacy::list),
    route("GET", "/customers/v2/consents/v1/{customerNumber}/{consentCode}", &legacy::get),
    route("PUT", "/customers/v2/consents/v1/{customerNumber}/{consentCode}", &legacy::put),
    route("DELETE", "/customers/v2/consents/v1/{customerNumber}/{consentCode}", &legacy::delete),
    route("GET", "/customers/v1/consents/{customerNumber}", &legacy::list),
    route("GET", "/customers/v1/consents/{customerNumber}/{consentCode}", &legacy::get),
    route("PUT", "/customers/v1/consents/{customerNumber}/{consentCode}", &legacy::put),
    route("DELETE", "/customers/v1/consents/{customerNumber}/{consentCode}", &legacy::delete),
];
