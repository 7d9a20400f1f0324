//! What the handlers of a profile's sub-resources (addresses, preferences, ecards, loyalty)
//! and of the organisation catalogues share: who is writing, the parent a write goes to,
//! ids from the path, and single-resource responses with their `ETag`.

use crate::parent;
use auth::Caller;
use domain::db::Db;
use domain::profile::Actor;
use errors::{ApiError, ErrorCode};
use serde::Serialize;
use web::{Answer, Call};

/// The writer, for the audit trail: the organisation and the token's client id.
pub fn actor(caller: &Caller) -> Actor<'_> {
    Actor { organisation_id: caller.org(), client_id: caller.client_id() }
}

/// The customer number of the parent a write goes to: 404 as [`parent::find`], and 409
/// `PROFILE_NOT_ACTIVE` unless the profile is active (a deactivated profile awaits its
/// erasure; a merged one lives on in the profile it was merged into). Call inside the
/// write transaction, so the parent cannot vanish before the write.
pub async fn writable_parent<D: Db>(call: &Call<'_, D>) -> Result<i64, ApiError> {
    let parent = parent::find(call).await?;
    if parent.status != "A" {
        return Err(ApiError::conflict(
            ErrorCode::PROFILE_NOT_ACTIVE,
            "customerNumber",
            "the profile is not active (deactivated or merged): it takes no changes",
        ));
    }
    Ok(parent.customer_number.0)
}

/// The `{name}` id of the route. Anything but a positive number names nothing: 404, exactly
/// like an id that does not exist.
pub fn id<D>(call: &Call<'_, D>, name: &str) -> Result<i64, ApiError> {
    let raw = call.params.get(name)?;
    match raw.parse::<i64>() {
        Ok(id) if id > 0 && !raw.starts_with('+') => Ok(id),
        _ => Err(ApiError::NotFound),
    }
}

/// A single resource with its `ETag` (its version).
pub fn single(status: u16, body: &impl Serialize, version: i64) -> Answer {
    let mut response = web::json_response(status, body)?;
    web::set_etag(&mut response, &web::etag(version))?;
    Ok(response)
}

/// 201 for a resource created under the collection the request was posted to:
/// `Location` is the request path and the new id, `ETag` its version.
pub fn created<D>(call: &Call<'_, D>, id: i64, version: i64, body: &impl Serialize) -> Answer {
    let location = format!("{}/{id}", call.req.uri().path().trim_end_matches('/'));
    web::created(&location, &web::etag(version), body)
}
