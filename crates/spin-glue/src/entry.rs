//! One request, read by the host layer, to its answer and log line: build the context,
//! answer CORS preflights, authenticate, open the database, route, respond.

use crate::{authenticate, settings, SpinDb};
use errors::ApiError;
use http::{Request, Response};
use std::time::Instant;
use web::{RequestCtx, Route};

/// Result of one handler.
pub type Answer = Result<Response<Vec<u8>>, ApiError>;

/// What one of a component's routes calls: an `async fn(&Call<'_, SpinDb>) -> Answer`.
pub type Handler = &'static dyn web::Handler<SpinDb>;

/// The host the API's handlers run on here (`api::routes::Tables::<Spin>`): Spin's database
/// and variables.
pub struct Spin;

impl api::routes::Host for Spin {
    type Db = SpinDb;
    fn event_retention_days() -> Result<i64, ApiError> {
        settings::event_retention_days()
    }
}

/// What an API component serves.
pub struct Handlers {
    /// Health probes it answers to `GET` without a token (`/health`, contract §8, and its
    /// own `/health/<component>`, so that a deployment of it alone has a probe path).
    pub health: &'static [web::Operation],
    /// Every endpoint, each called with the verified caller and the prepared database.
    pub routes: &'static [Route<Handler>],
}

/// The answer to one request of an API component, with its log line written.
pub(crate) async fn answer(req: Request<Vec<u8>>, handlers: Handlers, started: Instant) -> Response<Vec<u8>> {
    crate::settings::read().await;
    let ctx = RequestCtx::new(&req, crate::now(), crate::random_bytes);
    let cors = settings::cors(&req);
    let result = match cors.preflight(&req) {
        Some(preflight) => preflight,
        None => match health_probe(&ctx, &req, handlers.health) {
            Some(Ok(())) => crate::health().await,
            Some(Err(refused)) => Err(refused),
            None => api(&ctx, &req, handlers.routes).await,
        },
    };
    web::respond(&ctx, &req, &cors, result, started.elapsed().as_millis())
}

/// The answer to one request of a component that needs neither a token nor the database (the
/// local issuer, the OpenAPI document): the same context, headers, errors and log line,
/// without linking what it does not use.
pub(crate) async fn answer_public(
    req: Request<Vec<u8>>,
    handler: impl AsyncFn(&RequestCtx, &Request<Vec<u8>>) -> Answer,
    started: Instant,
) -> Response<Vec<u8>> {
    crate::settings::read().await;
    let ctx = RequestCtx::new(&req, crate::now(), crate::random_bytes);
    let cors = settings::cors(&req);
    let result = match cors.preflight(&req) {
        Some(preflight) => preflight,
        None => handler(&ctx, &req).await,
    };
    web::respond(&ctx, &req, &cors, result, started.elapsed().as_millis())
}

/// Whether the request is for one of the `probes`: `Ok` for a `GET`, an error for another method,
/// `None` for any other path.
fn health_probe(
    ctx: &RequestCtx,
    req: &Request<Vec<u8>>,
    probes: &[web::Operation],
) -> Option<Result<(), ApiError>> {
    let segments = web::segments(req);
    let probe = probes
        .iter()
        .find(|p| p.template.split('/').filter(|s| !s.is_empty()).eq(segments.iter().copied()))?;
    if req.method() != http::Method::GET {
        return Some(Err(ApiError::MethodNotAllowed(vec!["GET"])));
    }
    ctx.route.set(probe.template);
    Some(Ok(()))
}

async fn api(ctx: &RequestCtx, req: &Request<Vec<u8>>, routes: &[Route<Handler>]) -> Answer {
    let settings = settings::Settings::load()?;
    let caller = authenticate(req, &settings, ctx.now).await?;
    *ctx.client_id.borrow_mut() = caller.client_id().map(str::to_owned);
    let db = SpinDb::open_default().await?;
    let answer = web::dispatch(routes, ctx, &caller, &db, req).await;
    purge_now_and_then(ctx, &db).await;
    answer
}

/// About one request in `purge_one_request_in` (50 by default, 0 = never) also purges one
/// small batch of expired profiles and of feed events past `event_retention_days` (contract
/// §5: purging runs by itself). The checks are indexed SELECTs; a write transaction is taken
/// only when something expired, and one batch stays well under the lock budget.
const PIGGY_BACK_BATCH: i64 = 50;

async fn purge_now_and_then(ctx: &RequestCtx, db: &SpinDb) {
    let one_in = crate::variable("purge_one_request_in").ok().flatten().and_then(|v| v.parse::<u32>().ok());
    let one_in = one_in.unwrap_or(50);
    let draw = u32::from_le_bytes((ctx.random_bytes)(4)[..4].try_into().expect("four bytes"));
    if one_in == 0 || !draw.is_multiple_of(one_in) {
        return;
    }
    // A bad `event_retention_days` fails the purge endpoint closed (500 naming it); here the
    // batch is skipped.
    let Ok(days) = settings::event_retention_days() else { return };
    match domain::purge::purge_batch(db, None, ctx.now, PIGGY_BACK_BATCH, days).await {
        Ok(purged) if purged.total() > 0 => domain::connection::checkpoint(db).await,
        Ok(_) => {}
        Err(e) => web::write_log_line(
            &serde_json::json!({"event": "purge_failed", "correlationId": ctx.correlation_id, "error": e.to_string()}),
        ),
    }
}
