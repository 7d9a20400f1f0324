//! Loyalty-program memberships of a permanent profile and their transactions:
//! `/customers/v2/profiles/{customerNumber}/loyalty-programs` (contract §3 sub-resources).
//! The temporary-profiles component refuses these paths itself (§4). The programs are the
//! organisation's catalogue (`/customers/v2/loyalty-programs`, see [`crate::catalogue`]);
//! the rules are in [`domain::loyalty`].
//!
//! Resource `LoyaltyMembership`: `{id (the membershipId), programId, programName, type
//! (TIMED | COUPONS | POINTS), validFrom, validTo?, balance? (COUPONS and POINTS only, ≥ 0),
//! createdAt, changedAt, version}`. Every transaction makes a new version.
//!
//! Resource `LoyaltyTransaction`: `{id, membershipId, amount, balanceAfter, reference?,
//! createdAt}`.
//!
//! POST `.../loyalty-programs` body `{programId}` (required). POST `.../transactions` body
//! `{amount, reference}`: `amount` a whole number other than 0, at most 1 000 000 000 either
//! way (negative spends); `reference` optional, ≤ 100 characters. GET `.../transactions`
//! takes `limit` (1..=1000, default 100) and `cursor`, oldest first, next page in `Link`.
//!
//! errorCodes: 400 `REQUIRED`, `UNKNOWN_LOYALTY_PROGRAM`, `LOYALTY_PROGRAM_ENDED`,
//! `INVALID_AMOUNT`, `TOO_LONG`, `INVALID_CHARACTERS`, `TIMED_PROGRAM_HAS_NO_BALANCE`,
//! `LOYALTY_PROGRAM_NOT_VALID`, `INVALID_LIMIT`, `INVALID_CURSOR`, `UNKNOWN_FIELD`,
//! `INVALID_JSON`; 403 `MISSING_PERMISSION`; 404 `NOT_FOUND`; 409
//! `LOYALTY_PROGRAM_ALREADY_JOINED`, `INSUFFICIENT_BALANCE`, `PROFILE_NOT_ACTIVE`; 412
//! `PRECONDITION_FAILED`; 422 `IDEMPOTENCY_KEY_REUSED`.
//!
//! Permissions: GETs `customers-profile:les`; joining and transactions (both create a
//! resource) `customers-profile:opprett`; leaving `customers-profile:slett`.

use crate::subresource::{self, actor, writable_parent};
use crate::{parent, Answer, Call};
use auth::Permission;
use domain::connection::Transactions;
use domain::db::Db;
use domain::loyalty::{self, JoinBody, TransactionBody};
use errors::ApiError;

/// GET /customers/v2/profiles/{customerNumber}/loyalty-programs (contract §3): the
/// profile's memberships, oldest first, as a bare array.
pub async fn memberships<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileRead)?;
    let parent = parent::find(call).await?;
    web::json_response(
        200,
        &loyalty::memberships(call.db, call.caller.org(), parent.customer_number.0).await?,
    )
}

/// POST /customers/v2/profiles/{customerNumber}/loyalty-programs (contract §3): joins the
/// program `programId`. 201 with `Location`, `ETag` and the membership; 409
/// `LOYALTY_PROGRAM_ALREADY_JOINED`. Takes `Idempotency-Key`.
pub async fn join<D: Db>(call: &Call<'_, D>) -> Answer {
    let Call { ctx, caller, db, req, .. } = call;
    web::require(caller, Permission::ProfileCreate)?;
    let body = web::json::<JoinBody>(req)?;
    web::idempotency::create(*db, caller.org(), ctx, req, async |tx| {
        let n = writable_parent(call).await?;
        let joined = loyalty::join(tx, &actor(caller), n, body, ctx.now).await?;
        Ok((subresource::created(call, joined.id, joined.version, &joined)?, Some(n)))
    })
    .await
}

/// DELETE /customers/v2/profiles/{customerNumber}/loyalty-programs/{membershipId} (contract
/// §3): leaves the program; the membership's balance and transactions are deleted with it.
/// 204; `If-Match` optional.
pub async fn leave<D: Db>(call: &Call<'_, D>) -> Answer {
    let Call { ctx, caller, db, req, .. } = call;
    web::require(caller, Permission::ProfileDelete)?;
    let id = subresource::id(call, "membershipId")?;
    db.transaction(async |tx| {
        let n = writable_parent(call).await?;
        let current = loyalty::membership(tx, caller.org(), n, id).await?.ok_or(ApiError::NotFound)?;
        web::check_if_match(req, current.version)?;
        loyalty::leave(tx, &actor(caller), n, &current, ctx.now).await
    })
    .await?;
    Ok(web::no_content())
}

/// GET /customers/v2/profiles/{customerNumber}/loyalty-programs/{membershipId}/transactions
/// (contract §3, §1 lists): oldest first, `limit` and `cursor`, `Link` to the next page.
pub async fn transactions<D: Db>(call: &Call<'_, D>) -> Answer {
    let Call { caller, db, req, .. } = call;
    web::require(caller, Permission::ProfileRead)?;
    let query = web::Query::read(req, &web::paging::PARAMS)?;
    let limit = web::paging::limit(&query, "limit", loyalty::DEFAULT_LIMIT, loyalty::MAX_LIMIT)?;
    let after = web::paging::after(&query)?;
    let parent = parent::find(call).await?;
    let id = subresource::id(call, "membershipId")?;
    let membership = loyalty::membership(*db, caller.org(), parent.customer_number.0, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let (page, more) = loyalty::transactions(*db, caller.org(), membership.id, after, limit).await?;
    let mut response = web::json_response(200, &page)?;
    if let (true, Some(last)) = (more, page.last()) {
        web::paging::link_next(req, &mut response, last.id);
    }
    Ok(response)
}

/// POST /customers/v2/profiles/{customerNumber}/loyalty-programs/{membershipId}/transactions
/// (contract §3): changes the balance by `amount`. 201 with the transaction (its
/// `balanceAfter` is the new balance); 409 `INSUFFICIENT_BALANCE` when the balance would go
/// below zero, also under concurrent transactions. Takes `Idempotency-Key`, which makes a
/// retried spend safe.
pub async fn transact<D: Db>(call: &Call<'_, D>) -> Answer {
    let Call { ctx, caller, db, req, .. } = call;
    web::require(caller, Permission::ProfileCreate)?;
    let id = subresource::id(call, "membershipId")?;
    let new = loyalty::new_transaction(web::json::<TransactionBody>(req)?)?;
    web::idempotency::create(*db, caller.org(), ctx, req, async |tx| {
        let n = writable_parent(call).await?;
        let membership = loyalty::membership(tx, caller.org(), n, id).await?.ok_or(ApiError::NotFound)?;
        let recorded = loyalty::transact(tx, &actor(caller), n, &membership, &new, ctx.now).await?;
        Ok((web::json_response(201, &recorded)?, Some(n)))
    })
    .await
}
