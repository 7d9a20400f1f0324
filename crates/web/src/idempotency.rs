//! `Idempotency-Key` on creating POSTs (contract §1), around the create's transaction.

use crate::{header, RequestCtx};
use domain::connection::{Transactions, Writes};
use domain::db::Db;
use domain::idempotency::{self, StoredResponse};
use errors::{ApiError, ErrorCode};
use http::{HeaderValue, Request, Response};
use std::future::Future;
use std::pin::Pin;

/// What a create returns: the response and the customer it concerns (so that customer's
/// erasure also removes the stored copy).
pub type Created = (Response<Vec<u8>>, Option<i64>);

/// Runs `create` in one write transaction. With an `Idempotency-Key`, the response is stored
/// in that same transaction, and a retry with the same key and request replays it (with
/// `Idempotent-Replayed: true`); the same key with another request is 422.
pub async fn create<D: Db>(
    db: &D,
    organisation_id: i64,
    ctx: &RequestCtx,
    req: &Request<Vec<u8>>,
    create: impl AsyncFnOnce(&D) -> Result<Created, ApiError>,
) -> Result<Response<Vec<u8>>, ApiError> {
    create_writing(db, Writes::Several, organisation_id, ctx, req, create).await
}

/// [`create`] for a create that may write only one statement (`Writes::One`): without an
/// `Idempotency-Key` it then runs without a transaction (`domain::connection::write`); with one, the
/// stored response makes two, in a transaction.
pub async fn create_writing<D: Db>(
    db: &D,
    writes: Writes,
    organisation_id: i64,
    ctx: &RequestCtx,
    req: &Request<Vec<u8>>,
    create: impl AsyncFnOnce(&D) -> Result<Created, ApiError>,
) -> Result<Response<Vec<u8>>, ApiError> {
    // The transaction gets `db` itself, so `create`'s future can be made here (it runs only
    // when awaited) and boxed: what follows is one function per `Db`, not one copy per create
    // handler (the components' size budget counts every copy).
    around_create(db, writes, organisation_id, ctx, req, Box::pin(create(db))).await
}

async fn around_create<D: Db>(
    db: &D,
    writes: Writes,
    organisation_id: i64,
    ctx: &RequestCtx,
    req: &Request<Vec<u8>>,
    create: Pin<Box<dyn Future<Output = Result<Created, ApiError>> + '_>>,
) -> Result<Response<Vec<u8>>, ApiError> {
    let Some(raw_key) = header(req, "idempotency-key") else {
        return domain::connection::write(db, writes, async |_| create.await.map(|(response, _)| response))
            .await;
    };
    let key = idempotency::parse_key(raw_key).map_err(|e| ApiError::invalid_field("Idempotency-Key", e))?;
    let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
    let fingerprint = idempotency::fingerprint(req.method().as_str(), path, req.body());
    // A replay needs no write lock...
    if let Some(stored) = idempotency::find(db, organisation_id, &key, ctx.now).await? {
        return replay(stored, &fingerprint);
    }
    db.transaction(async |tx| {
        // ...but a first attempt looks again under it: a concurrent twin may have committed.
        if let Some(stored) = idempotency::find(tx, organisation_id, &key, ctx.now).await? {
            return replay(stored, &fingerprint);
        }
        let (response, customer_number) = create.await?;
        let stored = StoredResponse {
            fingerprint: fingerprint.clone(),
            status: response.status().as_u16(),
            location: text_header(&response, "location"),
            etag: text_header(&response, "etag"),
            body: response.body().clone(),
        };
        idempotency::store(tx, organisation_id, &key, &stored, customer_number, ctx.now).await?;
        Ok(response)
    })
    .await
}

fn text_header(response: &Response<Vec<u8>>, name: &str) -> Option<String> {
    response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

fn replay(stored: StoredResponse, fingerprint: &str) -> Result<Response<Vec<u8>>, ApiError> {
    if stored.fingerprint != fingerprint {
        return Err(ApiError::Unprocessable {
            code: ErrorCode::IDEMPOTENCY_KEY_REUSED,
            message: "this Idempotency-Key was used with a different request",
        });
    }
    let mut response = Response::builder()
        .status(stored.status)
        .header("content-type", "application/json")
        .header("idempotent-replayed", "true")
        .body(stored.body)
        .map_err(|e| ApiError::Internal(e.into()))?;
    for (name, value) in [("location", stored.location), ("etag", stored.etag)] {
        if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            response.headers_mut().insert(name, value);
        }
    }
    Ok(response)
}
