//! Postal addresses of a profile (contract §3 sub-resources), served for permanent profiles
//! under `/customers/v2/profiles/{customerNumber}/postal-addresses` and for temporary ones
//! under `/customers/v2/profiles/temporary/{customerNumber}/postal-addresses` (§4): every
//! handler finds its parent with [`parent::find`], which picks the kind by the route.
//!
//! Resource `PostalAddress`: `{id (int64), addressLine1, addressLine2?, postCode, city?,
//! countryCode, createdAt, changedAt, version}`; absent optional fields are left out.
//!
//! Request body of POST and PUT (PUT replaces every field): `addressLine1` (required, ≤ 100),
//! `addressLine2` (≤ 100), `postCode` (required; ≤ 10 letters, digits, spaces or dashes,
//! upper-cased; exactly 4 digits when `countryCode` is `NO`), `city` (≤ 100), `countryCode`
//! (ISO 3166-1 alpha-2, any case, default `NO`).
//!
//! errorCodes: 400 `REQUIRED`, `TOO_LONG`, `INVALID_CHARACTERS`, `INVALID_POST_CODE`,
//! `INVALID_COUNTRY_CODE`, `UNKNOWN_FIELD`, `INVALID_JSON`; 403 `MISSING_PERMISSION`; 404
//! `NOT_FOUND` (no such profile or address in the caller's organisation); 409
//! `PROFILE_NOT_ACTIVE` (writes to a deactivated or merged profile); 412
//! `PRECONDITION_FAILED`; 422 `IDEMPOTENCY_KEY_REUSED`.
//!
//! Permissions: GET `customers-profile:les`, POST `customers-profile:opprett`, PUT
//! `customers-profile:endre`, DELETE `customers-profile:slett`.

use crate::subresource::{self, actor, writable_parent};
use crate::{parent, Answer, Call};
use auth::Permission;
use domain::address::{self, AddressBody};
use domain::connection::Transactions;
use domain::db::Db;
use errors::ApiError;

/// GET /customers/v2/profiles/{customerNumber}/postal-addresses (contract §3, §4):
/// the profile's addresses, oldest first, as a bare array.
pub async fn list<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileRead)?;
    let parent = parent::find(call).await?;
    web::json_response(200, &address::list(call.db, call.caller.org(), parent.customer_number.0).await?)
}

/// POST /customers/v2/profiles/{customerNumber}/postal-addresses (contract §3, §4):
/// 201 with `Location`, `ETag` and the address. Takes `Idempotency-Key`.
pub async fn create<D: Db>(call: &Call<'_, D>) -> Answer {
    let Call { ctx, caller, db, req, .. } = call;
    web::require(caller, Permission::ProfileCreate)?;
    let new = address::new_address(web::json::<AddressBody>(req)?)?;
    web::idempotency::create(*db, caller.org(), ctx, req, async |tx| {
        let n = writable_parent(call).await?;
        let added = address::add(tx, &actor(caller), n, &new, ctx.now).await?;
        Ok((subresource::created(call, added.id, added.version, &added)?, Some(n)))
    })
    .await
}

/// GET /customers/v2/profiles/{customerNumber}/postal-addresses/{id} (contract §3, §4):
/// the address with its `ETag`.
pub async fn get<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileRead)?;
    let parent = parent::find(call).await?;
    let id = subresource::id(call, "id")?;
    let found = address::find(call.db, call.caller.org(), parent.customer_number.0, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    subresource::single(200, &found, found.version)
}

/// PUT /customers/v2/profiles/{customerNumber}/postal-addresses/{id} (contract §3, §4):
/// replaces every field (same body as POST); `If-Match` optional. 200 with the address.
pub async fn replace<D: Db>(call: &Call<'_, D>) -> Answer {
    let Call { ctx, caller, db, req, .. } = call;
    web::require(caller, Permission::ProfileChange)?;
    let id = subresource::id(call, "id")?;
    let new = address::new_address(web::json::<AddressBody>(req)?)?;
    let replaced = db
        .transaction(async |tx| {
            let n = writable_parent(call).await?;
            let current = address::find(tx, caller.org(), n, id).await?.ok_or(ApiError::NotFound)?;
            web::check_if_match(req, current.version)?;
            address::replace(tx, &actor(caller), n, &current, &new, ctx.now).await
        })
        .await?;
    subresource::single(200, &replaced, replaced.version)
}

/// DELETE /customers/v2/profiles/{customerNumber}/postal-addresses/{id} (contract §3, §4):
/// 204; `If-Match` optional.
pub async fn delete<D: Db>(call: &Call<'_, D>) -> Answer {
    let Call { ctx, caller, db, req, .. } = call;
    web::require(caller, Permission::ProfileDelete)?;
    let id = subresource::id(call, "id")?;
    db.transaction(async |tx| {
        let n = writable_parent(call).await?;
        let current = address::find(tx, caller.org(), n, id).await?.ok_or(ApiError::NotFound)?;
        web::check_if_match(req, current.version)?;
        address::remove(tx, &actor(caller), n, &current, ctx.now).await
    })
    .await?;
    Ok(web::no_content())
}
