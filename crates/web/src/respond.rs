//! Responses: the common headers on every one, problem+json for errors, and one log line
//! per request on stderr (route template, status, duration; never personal data or tokens).

use crate::Cors;
use domain::time::Timestamp;
use errors::{problem_body, ApiError, ProblemContext};
use http::{HeaderValue, Request, Response};
use serde::Serialize;
use std::cell::Cell;

/// What every part of handling one request needs to know about it.
pub struct RequestCtx {
    /// Echoed from `X-Correlation-Id`, or a fresh UUID.
    pub correlation_id: String,
    /// `ET-Client-Name`, for the log.
    pub client_name: Option<String>,
    /// The one clock reading of this request.
    pub now: Timestamp,
    pub method: String,
    pub path: String,
    /// The route template that matched (`/customers/v2/profiles/{customerNumber}`), for the
    /// log line; set by the component's router.
    pub route: Cell<&'static str>,
    /// The token's client id once authenticated, for the log line.
    pub client_id: std::cell::RefCell<Option<String>>,
    /// The host's secure random source (`wasi:random` in a component).
    pub random_bytes: fn(usize) -> Vec<u8>,
}

impl RequestCtx {
    /// A fresh correlation id is drawn from `random_bytes` when the caller sent no usable one.
    pub fn new<B>(req: &Request<B>, now: Timestamp, random_bytes: fn(usize) -> Vec<u8>) -> Self {
        let fresh_id = || {
            let mut bytes = [0u8; 16];
            bytes.copy_from_slice(&random_bytes(16)[..16]);
            domain::ids::uuid_v4(bytes)
        };
        let correlation_id = crate::header(req, "x-correlation-id")
            .map(str::trim)
            .filter(|id| is_safe_id(id))
            .map(str::to_owned)
            .unwrap_or_else(fresh_id);
        let client_name = crate::header(req, "et-client-name")
            .map(|n| n.chars().filter(|c| c.is_ascii_graphic() || *c == ' ').take(100).collect());
        Self {
            correlation_id,
            client_name,
            now,
            method: req.method().to_string(),
            path: req.uri().path().to_owned(),
            route: Cell::new("unmatched"),
            client_id: Default::default(),
            random_bytes,
        }
    }
}

/// Correlation ids we echo: short and made of harmless characters only.
fn is_safe_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= errors::CORRELATION_ID_MAX
        && id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c))
}

/// A JSON response with the given status.
pub fn json_response(status: u16, body: &impl Serialize) -> Result<Response<Vec<u8>>, ApiError> {
    let bytes = serde_json::to_vec(body).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(json_bytes_response(status, bytes))
}

/// The response of [`json_response`] around its serialised body: one copy, not one per body
/// type (the components' size budget counts every copy).
#[inline(never)]
fn json_bytes_response(status: u16, bytes: Vec<u8>) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(bytes)
        .expect("status and static header are valid")
}

/// 201 with `Location` and `ETag`.
pub fn created(location: &str, etag: &str, body: &impl Serialize) -> Result<Response<Vec<u8>>, ApiError> {
    with_location_and_etag(json_response(201, body)?, location, etag)
}

/// The headers of [`created`]: one copy, not one per body type.
#[inline(never)]
fn with_location_and_etag(
    mut response: Response<Vec<u8>>,
    location: &str,
    etag: &str,
) -> Result<Response<Vec<u8>>, ApiError> {
    let headers = response.headers_mut();
    headers.insert("location", header_value(location)?);
    headers.insert("etag", header_value(etag)?);
    Ok(response)
}

/// Sets the `Location` header (of a created resource).
pub fn set_location(response: &mut Response<Vec<u8>>, location: &str) -> Result<(), ApiError> {
    response.headers_mut().insert("location", header_value(location)?);
    Ok(())
}

/// Sets the `ETag` header (the resource's version).
pub fn set_etag(response: &mut Response<Vec<u8>>, etag: &str) -> Result<(), ApiError> {
    response.headers_mut().insert("etag", header_value(etag)?);
    Ok(())
}

/// 204 without a body.
pub fn no_content() -> Response<Vec<u8>> {
    Response::builder().status(204).body(Vec::new()).expect("204 is valid")
}

fn header_value(v: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(v).map_err(|e| ApiError::Internal(e.into()))
}

/// Finishes a request: renders an error as problem+json, adds the headers every response
/// carries (and the deprecation headers on v1 paths), and writes the log line. The one place
/// an `ApiError` becomes HTTP.
pub fn respond<B>(
    ctx: &RequestCtx,
    req: &Request<B>,
    cors: &Cors,
    result: Result<Response<Vec<u8>>, ApiError>,
    elapsed_ms: u128,
) -> Response<Vec<u8>> {
    let cause = result.as_ref().err().and_then(ApiError::internal_cause);
    let mut response = result.unwrap_or_else(|error| problem_response(ctx, &error));
    let headers = response.headers_mut();
    // API answers are never cached; only a file a handler marked cacheable (`static_files`) is.
    headers.entry("cache-control").or_insert(HeaderValue::from_static("no-store"));
    if let Ok(id) = HeaderValue::from_str(&ctx.correlation_id) {
        headers.insert("x-correlation-id", id);
    }
    cors.decorate(req, &mut response);
    crate::deprecation::decorate(&ctx.path, &mut response);
    log_line(ctx, response.status().as_u16(), elapsed_ms, cause.as_deref());
    response
}

/// When to try again after a 503 for want of the issuer's keys: they are fetched at most once
/// a minute (`auth::jwks_cache`).
const ISSUER_RETRY_AFTER_SECS: &str = "60";

/// When to try again after a 503 for want of the database: a lock is held for milliseconds
/// and a libSQL server's hiccup passes as quickly; the request already waited for the lock.
const DATABASE_RETRY_AFTER_SECS: &str = "1";

fn problem_response(ctx: &RequestCtx, error: &ApiError) -> Response<Vec<u8>> {
    let timestamp = ctx.now.rfc3339();
    let problem_ctx =
        ProblemContext { path: &ctx.path, timestamp: &timestamp, correlation_id: &ctx.correlation_id };
    let body = serde_json::to_vec(&problem_body(error, &problem_ctx)).expect("a JSON value serialises");
    let mut builder =
        Response::builder().status(error.status()).header("content-type", "application/problem+json");
    match error {
        ApiError::MethodNotAllowed(allow) => builder = builder.header("allow", allow.join(", ")),
        ApiError::MissingToken => builder = builder.header("www-authenticate", "Bearer"),
        ApiError::TooManyAttempts { retry_after_secs } => {
            builder = builder.header("retry-after", retry_after_secs.to_string())
        }
        ApiError::IssuerUnavailable => builder = builder.header("retry-after", ISSUER_RETRY_AFTER_SECS),
        ApiError::Db(e) if e.is_transient() => {
            builder = builder.header("retry-after", DATABASE_RETRY_AFTER_SECS)
        }
        ApiError::InvalidToken(_) => {
            builder = builder.header(
                "www-authenticate",
                r#"Bearer error="invalid_token", error_description="the access token is invalid""#,
            )
        }
        _ => {}
    }
    builder.body(body).expect("status and static headers are valid")
}

/// One JSON line per request on stderr: enough to trace it, nothing personal.
fn log_line(ctx: &RequestCtx, status: u16, elapsed_ms: u128, cause: Option<&str>) {
    let mut line = serde_json::json!({
        "correlationId": ctx.correlation_id,
        "client": ctx.client_name,
        "clientId": *ctx.client_id.borrow(),
        "method": ctx.method,
        "route": ctx.route.get(),
        "status": status,
        "ms": elapsed_ms,
    });
    if let Some(cause) = cause {
        line["error"] = cause.into();
    }
    write_log_line(&line);
}

/// Writes `line` and its newline to stderr in one write. Concurrent requests of one host share
/// its stderr, and `eprintln!("{line}")` writes a JSON value token by token: under load the
/// lines of concurrent requests came out interleaved, unparsable (tests/api/replicas.rs).
pub fn write_log_line(line: &serde_json::Value) {
    use std::io::Write;
    let mut text = line.to_string();
    text.push('\n');
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx_for(req: &Request<()>) -> RequestCtx {
        RequestCtx::new(req, Timestamp(0), |n| vec![0; n])
    }

    #[test]
    fn a_safe_correlation_id_is_echoed_and_an_unsafe_one_replaced() {
        let echoed = Request::get("/x").header("x-correlation-id", "abc-123").body(()).unwrap();
        assert_eq!(ctx_for(&echoed).correlation_id, "abc-123");
        let unsafe_id = Request::get("/x").header("x-correlation-id", "a b<script>").body(()).unwrap();
        assert_eq!(ctx_for(&unsafe_id).correlation_id, "00000000-0000-4000-8000-000000000000");
        let none = Request::get("/x").body(()).unwrap();
        assert_eq!(ctx_for(&none).correlation_id, "00000000-0000-4000-8000-000000000000");
    }

    #[test]
    fn every_response_is_no_store_with_the_correlation_id() {
        let req = Request::get("/x").body(()).unwrap();
        let ctx = ctx_for(&req);
        let response = respond(&ctx, &req, &Cors::default(), Err(ApiError::NotFound), 1);
        assert_eq!(response.status(), 404);
        assert_eq!(response.headers()["cache-control"], "no-store");
        assert_eq!(response.headers()["x-correlation-id"], "00000000-0000-4000-8000-000000000000");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }

    #[test]
    fn unauthenticated_responses_carry_the_bearer_challenge() {
        let req = Request::get("/x").body(()).unwrap();
        let ctx = ctx_for(&req);
        let missing = respond(&ctx, &req, &Cors::default(), Err(ApiError::MissingToken), 1);
        assert_eq!(missing.headers()["www-authenticate"], "Bearer");
        let invalid = respond(&ctx, &req, &Cors::default(), Err(ApiError::InvalidToken("expired")), 1);
        let challenge = invalid.headers()["www-authenticate"].to_str().unwrap();
        assert!(challenge.starts_with(r#"Bearer error="invalid_token""#));
        assert!(!challenge.contains("expired"), "the reason stays in the log");
    }

    #[test]
    fn a_405_names_the_methods_the_path_has() {
        let req = Request::get("/x").body(()).unwrap();
        let ctx = ctx_for(&req);
        let response =
            respond(&ctx, &req, &Cors::default(), Err(ApiError::MethodNotAllowed(vec!["GET", "PUT"])), 1);
        assert_eq!(response.status(), 405);
        assert_eq!(response.headers()["allow"], "GET, PUT");
    }

    #[test]
    fn a_429_and_a_503_say_when_to_try_again() {
        let req = Request::post("/x").body(()).unwrap();
        let ctx = ctx_for(&req);
        let locked = respond(
            &ctx,
            &req,
            &Cors::default(),
            Err(ApiError::TooManyAttempts { retry_after_secs: 120 }),
            1,
        );
        assert_eq!(locked.status(), 429);
        assert_eq!(locked.headers()["retry-after"], "120");
        let unavailable = respond(&ctx, &req, &Cors::default(), Err(ApiError::IssuerUnavailable), 1);
        assert_eq!(unavailable.status(), 503);
        assert_eq!(unavailable.headers()["retry-after"], "60");
        let busy = errors::DbError::Other("database is locked".into());
        let database = respond(&ctx, &req, &Cors::default(), Err(ApiError::Db(busy)), 1);
        assert_eq!(database.status(), 503);
        assert_eq!(database.headers()["retry-after"], "1");
        let broken = errors::DbError::Other("disk I/O error".into());
        let failed = respond(&ctx, &req, &Cors::default(), Err(ApiError::Db(broken)), 1);
        assert_eq!(failed.status(), 500);
        assert!(failed.headers().get("retry-after").is_none());
    }

    #[test]
    fn a_server_error_body_leaks_nothing() {
        let req = Request::get("/x").body(()).unwrap();
        let ctx = ctx_for(&req);
        let error = ApiError::Db(errors::classify("no such table: customer".into()));
        let response = respond(&ctx, &req, &Cors::default(), Err(error), 1);
        let body = String::from_utf8(response.into_body()).unwrap();
        assert!(!body.contains("no such table"), "{body}");
        assert!(body.contains("An unexpected error occurred"));
    }
}
