//! One request from first byte to log line: read the body (bounded), build the context,
//! answer CORS preflights, authenticate, open the database, route, respond.

use crate::{authenticate, settings, SpinDb};
use errors::ApiError;
use futures::StreamExt;
use http::{Request, Response};
use spin_sdk::http::{IncomingRequest, ResponseOutparam};
use web::{BodyTooLarge, RequestCtx, Route, MAX_BODY_BYTES};

/// Result of one handler.
pub type Answer = Result<Response<Vec<u8>>, ApiError>;

/// What one of a component's routes calls.
pub type Handler = web::Handler<SpinDb>;

/// One row of a component's route table.
pub const fn route(method: &'static str, template: &'static str, handler: Handler) -> Route<Handler> {
    Route { method, template, handler }
}

/// What an API component serves.
pub struct Handlers {
    /// Health probe paths it answers to `GET` without a token (`/health`, contract §8, and
    /// its own `/health/<component>`, so that a deployment of it alone has a probe path).
    pub health_paths: &'static [&'static str],
    /// Every endpoint, each called with the verified caller and the prepared database.
    pub routes: &'static [Route<Handler>],
}

/// Serves one request of an API component with its handlers.
pub async fn serve(incoming: IncomingRequest, out: ResponseOutparam, handlers: Handlers) {
    let started = std::time::Instant::now();
    let req = read_request(incoming).await;
    let ctx = RequestCtx::new(&req, crate::now(), crate::random_bytes);
    let cors = settings::cors(&req);
    let result = match cors.preflight(&req) {
        Some(preflight) => preflight,
        None => match health_probe(&ctx, &req, handlers.health_paths) {
            Some(answer) => answer,
            None => api(&ctx, &req, handlers.routes).await,
        },
    };
    crate::send(out, web::respond(&ctx, &req, &cors, result, started.elapsed().as_millis()));
}

/// Serves one request of a component that needs neither a token nor the database (the
/// local issuer, the OpenAPI document): the same context, headers, errors and log line,
/// without linking what it does not use.
pub async fn serve_public(
    incoming: IncomingRequest,
    out: ResponseOutparam,
    handler: fn(&RequestCtx, &Request<Vec<u8>>) -> Answer,
) {
    let started = std::time::Instant::now();
    let req = read_request(incoming).await;
    let ctx = RequestCtx::new(&req, crate::now(), crate::random_bytes);
    let cors = settings::cors(&req);
    let result = cors.preflight(&req).unwrap_or_else(|| handler(&ctx, &req));
    crate::send(out, web::respond(&ctx, &req, &cors, result, started.elapsed().as_millis()));
}

/// The answer to a request for one of `paths` (`GET` only), or `None` for any other path.
fn health_probe(ctx: &RequestCtx, req: &Request<Vec<u8>>, paths: &[&'static str]) -> Option<Answer> {
    let segments = web::segments(req);
    let path = paths.iter().find(|p| p.split('/').filter(|s| !s.is_empty()).eq(segments.iter().copied()))?;
    if req.method() != http::Method::GET {
        return Some(Err(ApiError::MethodNotAllowed(vec!["GET"])));
    }
    ctx.route.set(path);
    Some(crate::health())
}

async fn api(ctx: &RequestCtx, req: &Request<Vec<u8>>, routes: &[Route<Handler>]) -> Answer {
    let settings = settings::Settings::load()?;
    let caller = authenticate(req, &settings, ctx.now).await?;
    *ctx.client_id.borrow_mut() = caller.client_id().map(str::to_owned);
    let db = SpinDb::open_default()?;
    let answer = web::dispatch(routes, ctx, &caller, &db, req);
    purge_now_and_then(ctx, &db);
    answer
}

/// About one request in `purge_one_request_in` (50 by default, 0 = never) also purges one
/// small batch of expired profiles and of feed events past `event_retention_days` (contract
/// §5: purging runs by itself). The checks are indexed SELECTs; a write transaction is taken
/// only when something expired, and one batch stays well under the lock budget.
const PIGGY_BACK_BATCH: i64 = 50;

fn purge_now_and_then(ctx: &RequestCtx, db: &SpinDb) {
    let one_in = crate::variable("purge_one_request_in").ok().flatten().and_then(|v| v.parse::<u32>().ok());
    let one_in = one_in.unwrap_or(50);
    let draw = u32::from_le_bytes((ctx.random_bytes)(4)[..4].try_into().expect("four bytes"));
    if one_in == 0 || !draw.is_multiple_of(one_in) {
        return;
    }
    // A bad `event_retention_days` fails the purge endpoint closed (500 naming it); here the
    // batch is skipped.
    let Ok(days) = settings::event_retention_days() else { return };
    match domain::purge::purge_batch(db, None, ctx.now, PIGGY_BACK_BATCH, days) {
        Ok(purged) if purged.total() > 0 => domain::connection::checkpoint(db),
        Ok(_) => {}
        Err(e) => web::write_log_line(
            &serde_json::json!({"event": "purge_failed", "correlationId": ctx.correlation_id, "error": e.to_string()}),
        ),
    }
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
