//! The `openapi` component: `GET /customers/v2/openapi.json` (contract §8), the OpenAPI
//! 3.1 document kept in the repository (`openapi/openapi.json`), no token needed. A
//! component of its own: the document is large and would otherwise be in every instance
//! of the profiles component.

use errors::ApiError;
use http::{Request, Response};
use web::{Answer, RequestCtx};

const DOCUMENT: &str = include_str!("../../../openapi/openapi.json");

spin_glue::public_component!(document);

async fn document(ctx: &RequestCtx, req: &Request<Vec<u8>>) -> Answer {
    match (req.method().as_str(), web::segments(req).as_slice()) {
        ("GET", ["customers", "v2", "openapi.json"]) => {
            ctx.route.set("/customers/v2/openapi.json");
            let mut response = Response::new(DOCUMENT.as_bytes().to_vec());
            response.headers_mut().insert("content-type", http::HeaderValue::from_static("application/json"));
            Ok(response)
        }
        (_, ["customers", "v2", "openapi.json"]) => Err(ApiError::MethodNotAllowed(vec!["GET"])),
        _ => Err(ApiError::NotFound),
    }
}
