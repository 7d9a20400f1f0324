//! The `profiles` component: permanent customer profiles (contract §3), `/health` and the
//! OpenAPI document. `handle` is Spin glue; `public` and `api` are the routing tables.

mod profiles;

use auth::Caller;
use errors::ApiError;
use http::{Request, Response};
use spin_glue::{Handlers, SpinDb};
use spin_sdk::http::IncomingRequest;
use web::RequestCtx;

type Answer = Result<Response<Vec<u8>>, ApiError>;

#[spin_sdk::http_component]
async fn handle(req: IncomingRequest) -> Response<Vec<u8>> {
    spin_glue::serve(req, Handlers { public, api }).await
}

/// Paths that need no token.
fn public(ctx: &RequestCtx, req: &Request<Vec<u8>>) -> Option<Answer> {
    let answer = match (req.method().as_str(), web::segments(req).as_slice()) {
        ("GET", ["health"]) => {
            ctx.route.set("/health");
            spin_glue::health()
        }
        ("GET", ["customers", "v2", "openapi.json"]) => {
            ctx.route.set("/customers/v2/openapi.json");
            openapi()
        }
        _ => return None,
    };
    Some(answer)
}

/// GET /customers/v2/openapi.json (contract §8): the document kept in the repository.
fn openapi() -> Answer {
    const DOCUMENT: &str = include_str!("../../../openapi/openapi.json");
    let mut response = Response::new(DOCUMENT.as_bytes().to_vec());
    response.headers_mut().insert("content-type", http::HeaderValue::from_static("application/json"));
    Ok(response)
}

/// Every endpoint of this component, in the order of contract §3.
fn api(ctx: &RequestCtx, caller: &Caller, db: &SpinDb, req: &Request<Vec<u8>>) -> Answer {
    match (req.method().as_str(), web::segments(req).as_slice()) {
        ("POST", ["customers", "v2", "profiles"]) => profiles::create(ctx, caller, db, req),
        ("GET", ["customers", "v2", "profiles", n]) => profiles::get(ctx, caller, db, n),
        ("PUT" | "PATCH" | "DELETE", ["customers", "v2", "profiles"]) => Err(ApiError::MethodNotAllowed),
        // The rest of §3 arrives with the profiles issue.
        _ => Err(ApiError::NotImplemented),
    }
}
