//! A profile's preference values (contract §3 sub-resources), for permanent profiles under
//! `/customers/v2/profiles/{customerNumber}/preferences` and temporary ones under
//! `/customers/v2/profiles/temporary/{customerNumber}/preferences` (§4): [`parent::find`]
//! picks the kind by the route. The definitions are the organisation's catalogue
//! (`/customers/v2/preferences`, see [`crate::catalogue`]).
//!
//! Resource `CustomerPreference`: `{preferenceCode, preferenceType (BOOLEAN | STRING |
//! NUMBER), preferenceDescription?, isActive (of the definition), value, createdAt,
//! changedAt, version}`. `value` is typed by `preferenceType`: a JSON boolean, a JSON
//! number (served exactly as given), or a string. The list holds values of inactive
//! definitions too.
//!
//! `PUT .../preferences/{preferenceCode}` body `{value}`: for `BOOLEAN` `true`/`false` (or
//! the strings `"true"`/`"false"`), for `NUMBER` a number (or a string holding one), for
//! `STRING` a non-blank string of at most 500 characters (trimmed).
//!
//! errorCodes: 400 `UNKNOWN_PREFERENCE_CODE` (the organisation has no definition with that
//! code), `PREFERENCE_INACTIVE` (the definition takes no new values), `REQUIRED`,
//! `INVALID_PREFERENCE_VALUE`, `TOO_LONG`, `INVALID_CHARACTERS` (field `value`),
//! `UNKNOWN_FIELD`, `INVALID_JSON`; 403 `MISSING_PERMISSION`; 404 `NOT_FOUND` (no such
//! profile; DELETE: no value for that code); 409 `PROFILE_NOT_ACTIVE`; 412
//! `PRECONDITION_FAILED` (also: `If-Match` on a value that does not exist yet).
//!
//! Permissions: GET `customers-profile:les`; PUT `customers-profile:endre` (setting a value
//! changes the profile, whether or not it had one); DELETE `customers-profile:slett`.

use crate::subresource::{self, actor, writable_parent};
use crate::{parent, Answer, Call};
use auth::Permission;
use domain::connection::Transactions;
use domain::db::Db;
use domain::preference::{self, ValueBody};
use errors::ApiError;

/// GET /customers/v2/profiles/{customerNumber}/preferences (contract §3, §4): the
/// profile's values, by code, as a bare array.
pub async fn list<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileRead)?;
    let parent = parent::find(call).await?;
    web::json_response(200, &preference::values(call.db, call.caller.org(), parent.customer_number.0).await?)
}

/// PUT /customers/v2/profiles/{customerNumber}/preferences/{preferenceCode} (contract §3,
/// §4): sets the value, checked against the definition's type. 201 (with `Location`) when
/// the profile had no value for the code, else 200; `ETag` either way. `If-Match` optional.
pub async fn set<D: Db>(call: &Call<'_, D>) -> Answer {
    let Call { ctx, caller, db, req, .. } = call;
    web::require(caller, Permission::ProfileChange)?;
    let body = web::json::<ValueBody>(req)?;
    let code = call.params.get("preferenceCode")?;
    let (saved, added) = db
        .transaction(async |tx| {
            let n = writable_parent(call).await?;
            let definition = preference::settable_definition(tx, caller.org(), code).await?;
            let stored = preference::checked_value(&definition, body)?;
            let current = preference::value(tx, caller.org(), n, code).await?;
            match &current {
                Some(current) => web::check_if_match(req, current.version)?,
                None if web::if_match(req)?.is_some() => return Err(ApiError::PreconditionFailed),
                None => {}
            }
            let saved =
                preference::set_value(tx, &actor(caller), n, &definition, &stored, current.as_ref(), ctx.now)
                    .await?;
            Ok::<_, ApiError>((saved, current.is_none()))
        })
        .await?;
    if added {
        web::created(req.uri().path(), &web::etag(saved.version), &saved)
    } else {
        subresource::single(200, &saved, saved.version)
    }
}

/// DELETE /customers/v2/profiles/{customerNumber}/preferences/{preferenceCode} (contract
/// §3, §4): removes the profile's value (also for an inactive definition). 204; 404 when
/// it has none. `If-Match` optional.
pub async fn delete<D: Db>(call: &Call<'_, D>) -> Answer {
    let Call { ctx, caller, db, req, .. } = call;
    web::require(caller, Permission::ProfileDelete)?;
    let code = call.params.get("preferenceCode")?;
    db.transaction(async |tx| {
        let n = writable_parent(call).await?;
        let current = preference::value(tx, caller.org(), n, code).await?.ok_or(ApiError::NotFound)?;
        web::check_if_match(req, current.version)?;
        preference::remove_value(tx, &actor(caller), n, &current, ctx.now).await
    })
    .await?;
    Ok(web::no_content())
}
