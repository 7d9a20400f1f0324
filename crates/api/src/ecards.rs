//! Ecards (travel cards) of a permanent profile: `/customers/v2/profiles/{customerNumber}/ecards`
//! (contract §3 sub-resources). The temporary-profiles component refuses these paths itself
//! (§4: 400 `NOT_ALLOWED_FOR_TEMPORARY_PROFILE`).
//!
//! Resource `ECard`: `{id (int64), ecardNumber (int64, 0..=999999999999), ecardOperator
//! (int, 0..=9999), ecardNumber16digits (string: operator as 4 digits + number as 12),
//! ecardName?, bookingDate? (YYYY-MM-DD), startOfOwnership (RFC 3339), createdAt, changedAt,
//! version}`.
//!
//! POST body: the card as `ecardOperator` + `ecardNumber`, or as `ecardNumber16digits` (16
//! digits; when both are given they must agree); `ecardName` (≤ 100), `bookingDate` (date),
//! `startOfOwnership` (RFC 3339 date-time with offset; default: now).
//! A card is owned by one profile at a time per organisation, decided by a unique index:
//! registering a card the organisation already has on a profile (this one included) is 409.
//!
//! errorCodes: 400 `REQUIRED`, `INVALID_ECARD_NUMBER`, `INVALID_ECARD_OPERATOR`,
//! `ECARD_NUMBER_MISMATCH`, `TOO_LONG`, `INVALID_CHARACTERS`, `INVALID_DATE`,
//! `INVALID_TIMESTAMP`, `UNKNOWN_FIELD`, `INVALID_JSON`; 403 `MISSING_PERMISSION`; 404
//! `NOT_FOUND`; 409 `ECARD_ALREADY_OWNED`, `PROFILE_NOT_ACTIVE`; 412 `PRECONDITION_FAILED`;
//! 422 `IDEMPOTENCY_KEY_REUSED`.
//!
//! Permissions: GET `customers-profile:les`, POST `customers-profile:opprett`, DELETE
//! `customers-profile:slett`.

use crate::subresource::{self, actor, writable_parent};
use crate::{parent, Answer, Call};
use auth::Permission;
use domain::connection::Transactions;
use domain::db::Db;
use domain::ecard::{self, EcardBody};
use errors::ApiError;

/// GET /customers/v2/profiles/{customerNumber}/ecards (contract §3): the profile's cards,
/// oldest first, as a bare array.
pub async fn list<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileRead)?;
    let parent = parent::find(call).await?;
    web::json_response(200, &ecard::list(call.db, call.caller.org(), parent.customer_number.0).await?)
}

/// POST /customers/v2/profiles/{customerNumber}/ecards (contract §3): registers a card to
/// the profile. 201 with `Location`, `ETag` and the card; 409 `ECARD_ALREADY_OWNED`.
/// Takes `Idempotency-Key`.
pub async fn create<D: Db>(call: &Call<'_, D>) -> Answer {
    let Call { ctx, caller, db, req, .. } = call;
    web::require(caller, Permission::ProfileCreate)?;
    let new = ecard::new_ecard(web::json::<EcardBody>(req)?)?;
    web::idempotency::create(*db, caller.org(), ctx, req, async |tx| {
        let n = writable_parent(call).await?;
        let added = ecard::add(tx, &actor(caller), n, &new, ctx.now).await?;
        Ok((subresource::created(call, added.id, added.version, &added)?, Some(n)))
    })
    .await
}

/// DELETE /customers/v2/profiles/{customerNumber}/ecards/{id} (contract §3): the card is
/// no longer the profile's (and may be registered again). 204; `If-Match` optional.
pub async fn delete<D: Db>(call: &Call<'_, D>) -> Answer {
    let Call { ctx, caller, db, req, .. } = call;
    web::require(caller, Permission::ProfileDelete)?;
    let id = subresource::id(call, "id")?;
    db.transaction(async |tx| {
        let n = writable_parent(call).await?;
        let current = ecard::find(tx, caller.org(), n, id).await?.ok_or(ApiError::NotFound)?;
        web::check_if_match(req, current.version)?;
        ecard::remove(tx, &actor(caller), n, &current, ctx.now).await
    })
    .await?;
    Ok(web::no_content())
}
