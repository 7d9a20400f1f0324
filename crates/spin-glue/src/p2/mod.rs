//! The host of a WASIp2 component (spin-sdk 5, `wasi:http/incoming-handler@0.2.0`; Spin 2.x
//! to 4.x, Fermyon Cloud, SpinKube): every host call is synchronous, and an instance serves
//! one request, so nothing survives it. The futures of this module are ready at once.

pub mod db;
pub mod fetch;
mod send;

use crate::entry::{answer, answer_public, Handlers};
use errors::ApiError;
use futures::StreamExt;
use http::Request;
use spin_sdk::http::{IncomingRequest, ResponseOutparam};
use web::{Answer, BodyTooLarge, RequestCtx, MAX_BODY_BYTES};

/// The component variable `name`.
pub async fn variable(name: &str) -> Result<String, String> {
    spin_sdk::variables::get(name).map_err(|e| e.to_string())
}

/// The key-value store every component shares (label `default`).
pub struct Store(spin_sdk::key_value::Store);

impl Store {
    pub async fn open_default() -> Result<Self, ApiError> {
        spin_sdk::key_value::Store::open_default().map(Store).map_err(kv_error)
    }

    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ApiError> {
        self.0.get(key).map_err(kv_error)
    }

    pub async fn set(&self, key: &str, value: &[u8]) -> Result<(), ApiError> {
        self.0.set(key, value).map_err(kv_error)
    }
}

fn kv_error(e: spin_sdk::key_value::Error) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("key-value: {e}"))
}

/// A verified token's entry kept in memory: none, since nothing outlives the request here.
pub fn remembered(_slot: &str) -> Option<Vec<u8>> {
    None
}

pub fn remember(_slot: &str, _entry: Vec<u8>) {}

/// Waits `duration` (the instance serves nobody else meanwhile).
pub async fn sleep(duration: std::time::Duration) {
    let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
    wasi::clocks::monotonic_clock::subscribe_duration(nanos).block();
}

/// Serves one request of an API component with its handlers.
pub async fn serve(incoming: IncomingRequest, out: ResponseOutparam, handlers: Handlers) {
    let started = std::time::Instant::now();
    let req = read_request(incoming).await;
    send::send(out, answer(req, handlers, started).await);
}

/// Serves one request of a component that needs neither a token nor the database.
pub async fn serve_public(
    incoming: IncomingRequest,
    out: ResponseOutparam,
    handler: impl AsyncFn(&RequestCtx, &Request<Vec<u8>>) -> Answer,
) {
    let started = std::time::Instant::now();
    let req = read_request(incoming).await;
    send::send(out, answer_public(req, handler, started).await);
}

/// Exports an API component's handlers (`spin_glue::Handlers`) as its `wasi:http` handler.
#[macro_export]
macro_rules! api_component {
    ($handlers:expr) => {
        #[spin_sdk::http_component]
        async fn handle(req: spin_sdk::http::IncomingRequest, out: spin_sdk::http::ResponseOutparam) {
            $crate::serve(req, out, $handlers).await
        }
    };
}

/// Exports a public component's handler (`spin_glue::serve_public`).
#[macro_export]
macro_rules! public_component {
    ($handler:expr) => {
        #[spin_sdk::http_component]
        async fn handle(req: spin_sdk::http::IncomingRequest, out: spin_sdk::http::ResponseOutparam) {
            $crate::serve_public(req, out, $handler).await
        }
    };
}

/// The request as plain `http` types, with at most `MAX_BODY_BYTES + 1` bytes of body read:
/// a larger body is marked [`BodyTooLarge`] (413) instead of being buffered whole. The body of
/// a GET or HEAD is not read at all: it has no meaning (RFC 9110 §9.3.1), no handler looks at
/// it, and reading even an empty one costs a tenth of a millisecond of host calls.
async fn read_request(incoming: IncomingRequest) -> Request<Vec<u8>> {
    let method = incoming.method().to_string();
    let mut builder = Request::builder()
        .method(method.as_str())
        .uri(incoming.path_with_query().unwrap_or_else(|| "/".into()));
    for (name, value) in incoming.headers().entries() {
        builder = builder.header(name, value);
    }
    if method == "GET" || method == "HEAD" {
        return builder.body(Vec::new()).unwrap_or_else(|_| Request::new(Vec::new()));
    }
    let mut body = Vec::new();
    let mut too_large = false;
    let mut stream = incoming.into_body_stream();
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(bytes) => body.extend_from_slice(&bytes),
            Err(_) => break, // a broken body then fails JSON parsing with a 400
        }
        if body.len() > MAX_BODY_BYTES {
            too_large = true;
            break;
        }
    }
    let mut req = builder.body(body).unwrap_or_else(|_| Request::new(Vec::new()));
    if too_large {
        req.extensions_mut().insert(BodyTooLarge);
    }
    req
}
