//! Temporary profiles: `/customers/v2/profiles/temporary` (contract §4). Their postal
//! addresses and preferences use the same handlers as permanent profiles (`addresses`,
//! `preferences`); DELETE is the same erasure (`profiles::erase`).

use crate::profiles::customer;
use crate::{parent, Answer, Call};
use auth::Permission;
use domain::audit::Actor;
use domain::connection::Transactions;
use domain::db::Db;
use domain::password;
use domain::profile::temporary::{self, ConvertBody, CreateTemporaryBody, ReplaceTemporaryBody};
use domain::profile::{self, Changed, ProfileType};
use errors::{ApiError, ErrorCode};

/// POST /customers/v2/profiles/temporary (contract §4): 201 `Customer` with `profileType`
/// `T` and `expirationDate`.
pub async fn create<D: Db>(call: &Call<'_, D>) -> Answer {
    let Call { ctx, caller, db, req, .. } = call;
    web::require(caller, Permission::ProfileCreate)?;
    let body: CreateTemporaryBody = web::json(req)?;
    let new = temporary::new_temporary_profile(body, caller.org(), ctx.now)?;
    let uuid = crate::profiles::fresh_customer_uuid(call);
    let actor = Actor { organisation_id: caller.org(), client_id: caller.client_id() };
    web::idempotency::create_writing(*db, new.writes(), caller.org(), ctx, req, async |tx| {
        let created = profile::create(tx, &actor, &new, None, &uuid, ctx.now).await?;
        crate::profiles::created_response(&created, "/customers/v2/profiles/temporary")
    })
    .await
}

/// GET /customers/v2/profiles/temporary/{customerNumber} (contract §4): 404 from the
/// instant it expires.
pub async fn get<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileRead)?;
    let found = parent::find(call).await?;
    customer(call.db, call.caller.org(), 200, found).await
}

/// PUT /customers/v2/profiles/temporary/{customerNumber} (contract §4): overwrites every
/// field, `expirationDate` included.
pub async fn replace<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileChange)?;
    let body: ReplaceTemporaryBody = web::json(call.req)?;
    let (change, expiration) = temporary::temporary_replacement(body, call.caller.org(), call.ctx.now)?;
    let actor = Actor { organisation_id: call.caller.org(), client_id: call.caller.client_id() };
    let updated = call
        .db
        .transaction(async |tx| {
            let current = parent::find(call).await?;
            web::check_if_match(call.req, current.version)?;
            let changed = Changed {
                actor: &actor,
                changed_by: &change.changed_by,
                channel: &change.changed_by_channel,
                now: call.ctx.now,
            };
            profile::update(tx, &current, &change.fields, Some(expiration), &changed).await?;
            profile::find(
                tx,
                call.caller.org(),
                current.customer_number,
                ProfileType::Temporary,
                call.ctx.now,
            )
            .await?
            .ok_or(ApiError::NotFound)
        })
        .await?;
    customer(call.db, call.caller.org(), 200, updated).await
}

/// POST /customers/v2/profiles/temporary/{customerNumber}/convert (contract §4): the same
/// customer number becomes a permanent profile, keeping its consents, addresses and
/// preferences. Only before expiry; 409 when the email is taken.
pub async fn convert<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileChange)?;
    let conversion = temporary::conversion(web::json::<ConvertBody>(call.req)?)?;
    let hash = conversion.password.as_ref().map(|p| password::hash(p, &(call.ctx.random_bytes)(16)));
    let actor = Actor { organisation_id: call.caller.org(), client_id: call.caller.client_id() };
    let converted = call
        .db
        .transaction(async |tx| {
            let current = parent::find(call).await?;
            web::check_if_match(call.req, current.version)?;
            let changed = Changed {
                actor: &actor,
                changed_by: &conversion.changed_by,
                channel: &conversion.changed_by_channel,
                now: call.ctx.now,
            };
            profile::convert(tx, &current, &conversion, hash.as_deref(), &changed).await?;
            profile::find_permanent(tx, call.caller.org(), current.customer_number, call.ctx.now)
                .await?
                .ok_or(ApiError::NotFound)
        })
        .await?;
    let location = format!("/customers/v2/profiles/{}", converted.customer_number.0);
    let mut response = customer(call.db, call.caller.org(), 200, converted).await?;
    response.headers_mut().insert(
        "content-location",
        http::HeaderValue::from_str(&location).map_err(|e| ApiError::Internal(e.into()))?,
    );
    Ok(response)
}

/// Ecards and loyalty programs of a temporary profile (contract §4): refused.
pub async fn not_allowed<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::BadRequest {
        code: ErrorCode::NOT_ALLOWED_FOR_TEMPORARY_PROFILE,
        field: None,
        message: "temporary profiles have no ecards or loyalty programs; convert the profile first".into(),
    })
}
