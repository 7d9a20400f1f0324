//! The organisation's catalogues (contract §3): preference definitions
//! (`/customers/v2/preferences`) and loyalty programs (`/customers/v2/loyalty-programs`).
//! Each organisation sees and changes only its own; another organisation's entry answers
//! like a missing one (404). The rules are in [`domain::preference`] and [`domain::loyalty`].
//!
//! Resource `PreferenceDefinition`: `{id, organisationId, preferenceCode, preferenceType
//! (BOOLEAN | STRING | NUMBER), preferenceDescription?, isActive, createdAt, changedAt,
//! version}`. POST and PUT (full replacement) body: `preferenceCode` (required, 1 to 50
//! letters, digits, `_`, `-`, `.`; unique per organisation), `preferenceType` (required,
//! any case), `preferenceDescription` (≤ 500), `isActive` (boolean, default true),
//! `organisationId` (optional; must be the caller's).
//!
//! Resource `LoyaltyProgram`: `{id, organisationId, name, type (TIMED | COUPONS | POINTS),
//! validFrom, validTo?, createdAt, changedAt, version}`. POST and PUT body: `name` (required,
//! ≤ 100), `type` (required), `validFrom` (required date), `validTo` (date, not before
//! `validFrom`; absent = open-ended), `organisationId` (optional; must be the caller's).
//! Programs are not deleted (the contract has no DELETE): end one with `validTo`.
//!
//! errorCodes: 400 `REQUIRED`, `INVALID_PREFERENCE_CODE`, `INVALID_PREFERENCE_TYPE`,
//! `INVALID_PROGRAM_TYPE`, `INVALID_DATE`, `INVALID_VALIDITY_PERIOD`, `TOO_LONG`,
//! `INVALID_CHARACTERS`, `UNKNOWN_FIELD`, `INVALID_JSON`; 403 `MISSING_PERMISSION`,
//! `ORGANISATION_MISMATCH`; 404 `NOT_FOUND`; 409 `DUPLICATE_PREFERENCE_CODE`,
//! `PREFERENCE_IN_USE` (deleting, or changing the type of, a definition customers hold
//! values for), `LOYALTY_PROGRAM_IN_USE` (changing the type of a program with members); 412
//! `PRECONDITION_FAILED`; 422 `IDEMPOTENCY_KEY_REUSED`.
//!
//! Permissions: reads `customers-profile:les`. Writes: the contract names no catalogue
//! permission, and a catalogue entry is configuration of how profiles are kept, so POST and
//! PUT need `customers-profile:endre` and DELETE needs `customers-profile:slett` (a client
//! that may only create profiles cannot reshape the catalogue). Catalogue changes are
//! audited as organisation-level entries (`domain::subresource::CATALOGUE`).

use crate::subresource::{self, actor};
use crate::{Answer, Call};
use auth::Permission;
use domain::connection::Transactions;
use domain::db::Db;
use domain::loyalty::{self, ProgramBody};
use domain::preference::{self, DefinitionBody};
use errors::ApiError;

/// GET /customers/v2/preferences (contract §3): the organisation's definitions, by code.
pub async fn preferences<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileRead)?;
    web::json_response(200, &preference::definitions(call.db, call.caller.org()).await?)
}

/// POST /customers/v2/preferences (contract §3): 201 with `Location`, `ETag` and the
/// definition; 409 `DUPLICATE_PREFERENCE_CODE`. Takes `Idempotency-Key`.
pub async fn create_preference<D: Db>(call: &Call<'_, D>) -> Answer {
    let Call { ctx, caller, db, req, .. } = call;
    web::require(caller, Permission::ProfileChange)?;
    let new = preference::new_definition(web::json::<DefinitionBody>(req)?, caller.org())?;
    web::idempotency::create(*db, caller.org(), ctx, req, async |tx| {
        let added = preference::add_definition(tx, &actor(caller), &new, ctx.now).await?;
        Ok((subresource::created(call, added.id, added.version, &added)?, None))
    })
    .await
}

/// GET /customers/v2/preferences/{id} (contract §3): the definition with its `ETag`.
pub async fn get_preference<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileRead)?;
    let id = subresource::id(call, "id")?;
    let found = preference::definition(call.db, call.caller.org(), id).await?.ok_or(ApiError::NotFound)?;
    subresource::single(200, &found, found.version)
}

/// PUT /customers/v2/preferences/{id} (contract §3): full replacement (same body as POST).
/// 200 with the definition; `If-Match` optional.
pub async fn replace_preference<D: Db>(call: &Call<'_, D>) -> Answer {
    let Call { ctx, caller, db, req, .. } = call;
    web::require(caller, Permission::ProfileChange)?;
    let id = subresource::id(call, "id")?;
    let new = preference::new_definition(web::json::<DefinitionBody>(req)?, caller.org())?;
    let replaced = db
        .transaction(async |tx| {
            let current = preference::definition(tx, caller.org(), id).await?.ok_or(ApiError::NotFound)?;
            web::check_if_match(req, current.version)?;
            preference::replace_definition(tx, &actor(caller), &current, &new, ctx.now).await
        })
        .await?;
    subresource::single(200, &replaced, replaced.version)
}

/// DELETE /customers/v2/preferences/{id} (contract §3): 204; 409 `PREFERENCE_IN_USE` while
/// customers hold values for it. `If-Match` optional.
pub async fn delete_preference<D: Db>(call: &Call<'_, D>) -> Answer {
    let Call { ctx, caller, db, req, .. } = call;
    web::require(caller, Permission::ProfileDelete)?;
    let id = subresource::id(call, "id")?;
    db.transaction(async |tx| {
        let current = preference::definition(tx, caller.org(), id).await?.ok_or(ApiError::NotFound)?;
        web::check_if_match(req, current.version)?;
        preference::remove_definition(tx, &actor(caller), &current, ctx.now).await
    })
    .await?;
    Ok(web::no_content())
}

/// GET /customers/v2/loyalty-programs (contract §3): the organisation's programs, oldest first.
pub async fn programs<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileRead)?;
    web::json_response(200, &loyalty::programs(call.db, call.caller.org()).await?)
}

/// POST /customers/v2/loyalty-programs (contract §3): 201 with `Location`, `ETag` and the
/// program. Takes `Idempotency-Key`.
pub async fn create_program<D: Db>(call: &Call<'_, D>) -> Answer {
    let Call { ctx, caller, db, req, .. } = call;
    web::require(caller, Permission::ProfileChange)?;
    let new = loyalty::new_program(web::json::<ProgramBody>(req)?, caller.org())?;
    web::idempotency::create(*db, caller.org(), ctx, req, async |tx| {
        let added = loyalty::add_program(tx, &actor(caller), &new, ctx.now).await?;
        Ok((subresource::created(call, added.id, added.version, &added)?, None))
    })
    .await
}

/// GET /customers/v2/loyalty-programs/{id} (contract §3): the program with its `ETag`.
pub async fn get_program<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileRead)?;
    let id = subresource::id(call, "id")?;
    let found = loyalty::program(call.db, call.caller.org(), id).await?.ok_or(ApiError::NotFound)?;
    subresource::single(200, &found, found.version)
}

/// PUT /customers/v2/loyalty-programs/{id} (contract §3): full replacement (same body as
/// POST); 409 `LOYALTY_PROGRAM_IN_USE` for a type change once it has members. 200 with the
/// program; `If-Match` optional.
pub async fn replace_program<D: Db>(call: &Call<'_, D>) -> Answer {
    let Call { ctx, caller, db, req, .. } = call;
    web::require(caller, Permission::ProfileChange)?;
    let id = subresource::id(call, "id")?;
    let new = loyalty::new_program(web::json::<ProgramBody>(req)?, caller.org())?;
    let replaced = db
        .transaction(async |tx| {
            let current = loyalty::program(tx, caller.org(), id).await?.ok_or(ApiError::NotFound)?;
            web::check_if_match(req, current.version)?;
            loyalty::replace_program(tx, &actor(caller), &current, &new, ctx.now).await
        })
        .await?;
    subresource::single(200, &replaced, replaced.version)
}
