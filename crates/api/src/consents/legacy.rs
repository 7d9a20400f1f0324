//! The legacy v1 consent model (contract §6, §8), at `/customers/v2/consents/v1/**` and its old
//! home `/customers/v1/consents/**`: `{customerId, consentCode, consentChoice, createdAt,
//! changedAt}` per consent code, a view over the same given consents as v2 through the
//! organisation's consent of that code that is active now. Every answer on these paths carries
//! `Deprecation`, `Sunset` and a `successor-version` link, added by `web::respond`
//! (`web::deprecation`, the API's one deprecation date).

use crate::{Answer, Call};
use auth::Permission;
use domain::connection::Transactions;
use domain::consent;
use domain::consent::given::{self, Api, Choice, Recorder};
use domain::consent::legacy::{self, LegacyBody};
use domain::consent::view::LegacyView;
use domain::db::Db;
use domain::profile::CustomerNumber;
use errors::{ApiError, ErrorCode, FieldErrors, Invalid};

/// The `{customerNumber}` of the path, visible in the caller's organisation (a merged one
/// leads to its successor), else 404. `db` is the transaction when there is one.
async fn customer<D: Db>(db: &D, call: &Call<'_, D>) -> Result<CustomerNumber, ApiError> {
    let number = CustomerNumber::from_path(call.params.get("customerNumber")?)?;
    consent::customer(db, call.caller.org(), number, call.ctx.now).await?.ok_or(ApiError::NotFound)
}

/// GET /customers/v2/consents/v1/{customerNumber} and /customers/v1/consents/{customerNumber}
/// (contract §6, §8): the customer's choice per consent code.
pub async fn list<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ConsentsRead)?;
    let number = customer(call.db, call).await?;
    let lines = legacy::list(call.db, call.caller.org(), number.0, call.ctx.now).await?;
    let views: Vec<LegacyView<'_>> = lines.iter().map(|(c, g)| LegacyView::new(&c.consent_code, g)).collect();
    web::json_response(200, &views)
}

/// GET /customers/v2/consents/v1/{customerNumber}/{consentCode} (and under /customers/v1/consents):
/// one line, with `ETag`.
pub async fn get<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ConsentsRead)?;
    let number = customer(call.db, call).await?;
    let code = call.params.get("consentCode")?;
    let found = legacy::find(call.db, call.caller.org(), number.0, code, call.ctx.now).await?;
    let Some((consent, Some(choice))) = found else { return Err(ApiError::NotFound) };
    let mut response = web::json_response(200, &LegacyView::new(&consent.consent_code, &choice))?;
    web::set_etag(&mut response, &web::etag(choice.version))?;
    Ok(response)
}

/// PUT /customers/v2/consents/v1/{customerNumber}/{consentCode} (and under /customers/v1/consents)
/// `{consentChoice}`: records the choice for the organisation's active consent of that code
/// (404 when there is none): 201 when created, else 200. The history marks it `api: "v1"`.
pub async fn put<D: Db>(call: &Call<'_, D>) -> Answer {
    let Call { ctx, caller, db, req, .. } = call;
    web::require(caller, Permission::ConsentsChange)?;
    CustomerNumber::from_path(call.params.get("customerNumber")?)?;
    let code = call.params.get("consentCode")?;
    let body = web::json::<LegacyBody>(req)?;
    let Some(consent_choice) = body.consent_choice else {
        let mut errs = FieldErrors::default();
        errs.push("consentChoice", Invalid::new(ErrorCode::REQUIRED, "is required"));
        return Err(ApiError::Validation(errs));
    };
    let who = v1_recorder(call);
    let (consent, choice, created) = db
        .transaction(async |tx| {
            let number = customer(tx, call).await?;
            let (consent, existing) =
                legacy::find(tx, caller.org(), number.0, code, ctx.now).await?.ok_or(ApiError::NotFound)?;
            match (&existing, web::if_match(req)?) {
                (Some(current), _) => web::check_if_match(req, current.version)?,
                (None, Some(_)) => return Err(ApiError::PreconditionFailed),
                (None, None) => {}
            }
            let choice = Choice {
                customer_number: number,
                consent_id: consent.id,
                consent_choice,
                distribution_channel: None,
                expiration_date: None,
            };
            let (recorded, created) = given::record(tx, &who, &choice).await?;
            Ok((consent, recorded, created))
        })
        .await?;
    let view = LegacyView::new(&consent.consent_code, &choice);
    if created {
        return web::created(&ctx.path, &web::etag(choice.version), &view);
    }
    let mut response = web::json_response(200, &view)?;
    web::set_etag(&mut response, &web::etag(choice.version))?;
    Ok(response)
}

/// DELETE /customers/v2/consents/v1/{customerNumber}/{consentCode} (and under
/// /customers/v1/consents): 204; 404 when the customer has no choice for the active consent.
pub async fn delete<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ConsentsChange)?;
    CustomerNumber::from_path(call.params.get("customerNumber")?)?;
    let code = call.params.get("consentCode")?;
    let who = v1_recorder(call);
    call.db
        .transaction(async |tx| {
            let number = customer(tx, call).await?;
            let found = legacy::find(tx, call.caller.org(), number.0, code, call.ctx.now).await?;
            let Some((_, Some(choice))) = found else { return Err(ApiError::NotFound) };
            web::check_if_match(call.req, choice.version)?;
            given::delete(tx, &who, &choice).await?;
            Ok(())
        })
        .await?;
    Ok(web::no_content())
}

fn v1_recorder<'a, D>(call: &'a Call<'_, D>) -> Recorder<'a> {
    Recorder {
        organisation_id: call.caller.org(),
        client_id: call.caller.client_id(),
        api: Api::V1,
        now: call.ctx.now,
    }
}
