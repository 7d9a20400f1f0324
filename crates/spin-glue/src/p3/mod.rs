//! The host of a WASIp3 component (spin-sdk 7, `wasi:http/handler@0.3.0`; Spin ≥ 4.1, which
//! reuses an instance for many requests, up to 16 at a time): every host call is a future, and
//! requests sharing the instance take turns at each `.await`. What the instance keeps between
//! requests: the settings (`crate::settings`), verified tokens (`crate::authenticate`) and a
//! pool of SQLite connections ([`db`]).

pub mod db;
pub mod fetch;

use crate::entry::{answer, answer_public, Handlers};
use errors::ApiError;
use http_body_util::BodyExt;
use spin_sdk::http::FullBody;
use web::{Answer, BodyTooLarge, RequestCtx, MAX_BODY_BYTES};

/// The request Spin hands a component.
pub type Incoming = spin_sdk::http::Request;

/// What a component hands back to Spin.
pub type Outgoing = http::Response<FullBody<bytes::Bytes>>;

/// The component variable `name`.
pub async fn variable(name: &str) -> Result<String, String> {
    spin_sdk::variables::get(name).await.map_err(|e| e.to_string())
}

/// The key-value store every component shares (label `default`).
pub struct Store(spin_sdk::key_value::Store);

impl Store {
    pub async fn open_default() -> Result<Self, ApiError> {
        spin_sdk::key_value::Store::open_default().await.map(Store).map_err(kv_error)
    }

    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ApiError> {
        self.0.get(key).await.map_err(kv_error)
    }

    pub async fn set(&self, key: &str, value: &[u8]) -> Result<(), ApiError> {
        self.0.set(key, value).await.map_err(kv_error)
    }
}

fn kv_error(e: spin_sdk::key_value::Error) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("key-value: {e}"))
}

/// What the instance keeps of key-value's caches, by key: verified tokens' entries
/// (`auth::Remembered`, keyed by the token's digest slot) and the JWKS fetched from
/// `jwt_jwks_url` (`auth::jwks_cache::CachedJwks`). Most requests then verify nothing and read
/// no key-value. An entry holds its own expiry (a token's is checked against its digest on
/// every use, the JWKS's against the refetch rules), like the key-value copy.
/// Bounded: the memory is emptied when it holds [`REMEMBERED_MAX`] entries.
const REMEMBERED_MAX: usize = 1024;

thread_local! {
    static REMEMBERED: std::cell::RefCell<std::collections::HashMap<String, Vec<u8>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

pub fn remembered(slot: &str) -> Option<Vec<u8>> {
    REMEMBERED.with(|memory| memory.borrow().get(slot).cloned())
}

pub fn remember(slot: &str, entry: Vec<u8>) {
    REMEMBERED.with(|memory| {
        let mut memory = memory.borrow_mut();
        if memory.len() >= REMEMBERED_MAX {
            memory.clear();
        }
        memory.insert(slot.to_owned(), entry);
    });
}

/// Waits `duration` without holding up the other requests of the instance.
pub async fn sleep(duration: std::time::Duration) {
    spin_sdk::time::sleep(duration).await
}

/// Serves one request of an API component with its handlers.
pub async fn serve(incoming: Incoming, handlers: Handlers) -> Outgoing {
    let started = std::time::Instant::now();
    let req = read_request(incoming).await;
    respond(answer(req, handlers, started).await)
}

/// Serves one request of a component that needs neither a token nor the database.
pub async fn serve_public(
    incoming: Incoming,
    handler: impl AsyncFn(&RequestCtx, &http::Request<Vec<u8>>) -> Answer,
) -> Outgoing {
    let started = std::time::Instant::now();
    let req = read_request(incoming).await;
    respond(answer_public(req, handler, started).await)
}

/// The request as plain `http` types, with at most `MAX_BODY_BYTES + 1` bytes of body read:
/// a larger body is marked [`BodyTooLarge`] (413). The body of a GET or HEAD is not read (see
/// the p2 glue).
async fn read_request(incoming: Incoming) -> http::Request<Vec<u8>> {
    let (parts, mut body) = incoming.into_parts();
    let mut bytes = Vec::new();
    let mut too_large = false;
    if parts.method != http::Method::GET && parts.method != http::Method::HEAD {
        while let Some(Ok(frame)) = body.frame().await {
            if let Ok(data) = frame.into_data() {
                bytes.extend_from_slice(&data);
            }
            if bytes.len() > MAX_BODY_BYTES {
                too_large = true;
                break;
            }
        }
    }
    let mut req = http::Request::from_parts(parts, bytes);
    if too_large {
        req.extensions_mut().insert(BodyTooLarge);
    }
    req
}

/// The response for Spin, in one piece: the whole body is there before the response is handed
/// over (spin-sdk writes it as one frame), with `Content-Length`, so it leaves Spin in one write
/// (docs/upstream/spin-tcp-nodelay.md; the p2 glue's `send` does the same by hand).
fn respond(response: http::Response<Vec<u8>>) -> Outgoing {
    let (mut parts, body) = response.into_parts();
    // A 204 or 304 has no body and must not announce one (RFC 9110 §8.6).
    if !matches!(parts.status.as_u16(), 204 | 304) {
        parts.headers.insert(http::header::CONTENT_LENGTH, http::HeaderValue::from(body.len()));
    }
    http::Response::from_parts(parts, FullBody::new(bytes::Bytes::from(body)))
}

/// Exports an API component's handlers (`spin_glue::Handlers`) as its `wasi:http` handler.
#[macro_export]
macro_rules! api_component {
    ($handlers:expr) => {
        $crate::p3_export!(|req| $crate::serve(req, $handlers));
    };
}

/// Exports a public component's handler (`spin_glue::serve_public`).
#[macro_export]
macro_rules! public_component {
    ($handler:expr) => {
        $crate::p3_export!(|req| $crate::serve_public(req, $handler));
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! p3_export {
    (|$req:ident| $serve:expr) => {
        mod __spin_glue_p3 {
            use super::*;
            use $crate::p3::sdk::wasip3;

            struct Component;
            wasip3::http::service::export!(Component);

            impl wasip3::exports::http::handler::Guest for Component {
                async fn handle(
                    request: wasip3::http::types::Request,
                ) -> Result<wasip3::http::types::Response, wasip3::http::types::ErrorCode> {
                    let $req =
                        <$crate::p3::Incoming as $crate::p3::sdk::http::FromRequest>::from_request(request)?;
                    $crate::p3::sdk::http::IntoResponse::into_response($serve.await)
                }
            }
        }
    };
}

#[doc(hidden)]
pub use ::spin_sdk_p3 as sdk;
