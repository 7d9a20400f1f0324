//! What client applications use: the organisation's consents, and the customers' given
//! consents with their history: `/customers/v2/consents/client/**` (contract §6).

use super::path_id;
use crate::{Answer, Call};
use auth::Permission;
use domain::connection::Transactions;
use domain::consent;
use domain::consent::given::{self, Api, GivenConsent, GivenConsentBody, Recorder};
use domain::consent::offer;
use domain::consent::query;
use domain::consent::view::{ConsentView, GivenConsentView, HistoryView};
use domain::db::Db;
use domain::profile::CustomerNumber;
use errors::ApiError;
use http::Response;

fn recorder<'a, D>(call: &'a Call<'_, D>) -> Recorder<'a> {
    Recorder {
        organisation_id: call.caller.org(),
        client_id: call.caller.client_id(),
        api: Api::V2,
        now: call.ctx.now,
    }
}

/// 201 with `Location` when created, else 200 (with `Location` too); both with `ETag`.
fn recorded(given: &GivenConsent, created: bool) -> Result<Response<Vec<u8>>, ApiError> {
    let view = GivenConsentView::from(given);
    let etag = web::etag(given.version);
    if created {
        return web::created(&given.location(), &etag, &view);
    }
    let mut response = web::json_response(200, &view)?;
    web::set_etag(&mut response, &etag)?;
    let location =
        http::HeaderValue::from_str(&given.location()).map_err(|e| ApiError::Internal(e.into()))?;
    response.headers_mut().insert("location", location);
    Ok(response)
}

/// The customer named by the `customerNumber` parameter, visible in the caller's
/// organisation (temporary profiles included; a merged one leads to its successor), else 404.
async fn customer_of_query<D: Db>(call: &Call<'_, D>) -> Result<i64, ApiError> {
    let params = web::Query::read(call.req, &[web::Param::One("customerNumber")])?;
    let number = CustomerNumber(query::customer_number(params.pairs())?);
    let found = consent::customer(call.db, call.caller.org(), number, call.ctx.now).await?;
    found.map(|n| n.0).ok_or(ApiError::NotFound)
}

/// GET /customers/v2/consents/client/consents?consentCodes=&versions=&includeInactive=
/// (contract §6): the organisation's active consents (inactive ones on request; never drafts).
pub async fn list_consents<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ConsentsRead)?;
    let filter = query::consent_filter(web::Query::read(call.req, &super::CONSENT_FILTER)?.pairs(), false)?;
    let now = call.ctx.now;
    let consents = offer::list(call.db, call.caller.org(), &filter, now).await?;
    web::json_response(200, &consents.iter().map(|c| ConsentView::new(c, now)).collect::<Vec<_>>())
}

/// POST /customers/v2/consents/client/given-consents (contract §6): records the customer's
/// choice for a consent, creating it (201) or replacing the existing one (200), and appends
/// the history entry in the same transaction.
pub async fn give<D: Db>(call: &Call<'_, D>) -> Answer {
    let Call { ctx, caller, db, req, .. } = call;
    web::require(caller, Permission::ConsentsChange)?;
    let choice = given::choice(web::json::<GivenConsentBody>(req)?, ctx.now)?;
    let who = recorder(call);
    web::idempotency::create(*db, caller.org(), ctx, req, async |tx| {
        let (given, created) = given::record(tx, &who, &choice).await?;
        Ok((recorded(&given, created)?, Some(given.customer_number)))
    })
    .await
}

/// GET /customers/v2/consents/client/given-consents?customerNumber= (contract §6).
pub async fn list_given<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ConsentsRead)?;
    let customer = customer_of_query(call).await?;
    let found = given::list_for_customer(call.db, call.caller.org(), customer).await?;
    web::json_response(200, &found.iter().map(GivenConsentView::from).collect::<Vec<_>>())
}

/// GET /customers/v2/consents/client/given-consents/{id} (contract §6).
pub async fn get_given<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ConsentsRead)?;
    let id = path_id(call, "id")?;
    let found = given::find(call.db, call.caller.org(), id, call.ctx.now).await?.ok_or(ApiError::NotFound)?;
    let mut response = web::json_response(200, &GivenConsentView::from(&found))?;
    web::set_etag(&mut response, &web::etag(found.version))?;
    Ok(response)
}

/// DELETE /customers/v2/consents/client/given-consents/{id} (contract §6): 204; the history
/// keeps the choice and records the deletion.
pub async fn delete_given<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ConsentsChange)?;
    let id = path_id(call, "id")?;
    let who = recorder(call);
    call.db
        .transaction(async |tx| {
            let found =
                given::find(tx, call.caller.org(), id, call.ctx.now).await?.ok_or(ApiError::NotFound)?;
            web::check_if_match(call.req, found.version)?;
            given::delete(tx, &who, &found).await
        })
        .await?;
    Ok(web::no_content())
}

/// PUT /customers/v2/consents/client/given-consents/bulk (contract §6): a JSON array of given
/// consents, recorded all or nothing in one transaction; 200 with the results in order.
pub async fn bulk<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ConsentsChange)?;
    let choices = given::choices(web::json::<Vec<GivenConsentBody>>(call.req)?, call.ctx.now)?;
    let who = recorder(call);
    let results = call
        .db
        .transaction(async |tx| {
            let mut results = Vec::with_capacity(choices.len());
            for choice in &choices {
                results.push(given::record(tx, &who, choice).await?.0);
            }
            Ok::<_, ApiError>(results)
        })
        .await?;
    web::json_response(200, &results.iter().map(GivenConsentView::from).collect::<Vec<_>>())
}

/// GET /customers/v2/consents/client/given-consents/history?customerNumber= (contract §6): every
/// change of the customer's choices, oldest first — the proof of consent.
pub async fn history<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ConsentsRead)?;
    let customer = customer_of_query(call).await?;
    let entries = given::history(call.db, call.caller.org(), customer).await?;
    web::json_response(200, &entries.iter().map(HistoryView::from).collect::<Vec<_>>())
}
