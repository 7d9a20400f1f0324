//! The `consents` component (contract §6). Its endpoints arrive with their own issue; until
//! then every path is authenticated like the rest of the API and answers 501.

use auth::Caller;
use errors::ApiError;
use http::{Request, Response};
use spin_glue::{Handlers, SpinDb};
use spin_sdk::http::IncomingRequest;
use web::RequestCtx;

type Answer = Result<Response<Vec<u8>>, ApiError>;

#[spin_sdk::http_component]
async fn handle(req: IncomingRequest) -> Response<Vec<u8>> {
    spin_glue::serve(req, Handlers { public: |_, _| None, api }).await
}

fn api(_ctx: &RequestCtx, _caller: &Caller, _db: &SpinDb, _req: &Request<Vec<u8>>) -> Answer {
    Err(ApiError::NotImplemented)
}
