//! The `openapi` component: `GET /customers/v2/openapi.json` (contract §8), the OpenAPI
//! 3.1 document kept in the repository (`openapi/openapi.json`), no token needed. A
//! component of its own: the document is large and would otherwise be in every instance
//! of the profiles component.

use http::{Request, Response};
use web::{route, Answer, RequestCtx, Route};

const DOCUMENT: &str = include_str!("../../../openapi/openapi.json");

spin_glue::public_component!(document);

const ROUTES: &[Route<()>] = &[route(api::routes::OPENAPI_DOCUMENT, ())];

async fn document(ctx: &RequestCtx, req: &Request<Vec<u8>>) -> Answer {
    let (found, _) = web::router::find(ROUTES, req)?;
    ctx.route.set(found.op.template);
    let mut response = Response::new(DOCUMENT.as_bytes().to_vec());
    response.headers_mut().insert("content-type", http::HeaderValue::from_static("application/json"));
    Ok(response)
}
