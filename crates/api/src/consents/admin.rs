//! Administration of consent bases and consents: `/customers/v2/consents/admin/**`
//! (contract §6), all with `consents:admin`.

use super::path_id;
use crate::{Answer, Call};
use auth::Permission;
use domain::connection::Transactions;
use domain::consent::base::{self, ConsentBase, ConsentBaseBody};
use domain::consent::offer::{self, Consent, ConsentBody, ConsentPatchBody};
use domain::consent::query;
use domain::consent::view::{ConsentBaseView, ConsentView};
use domain::db::Db;
use domain::time::Timestamp;
use errors::ApiError;

fn base_response(status: u16, base: &ConsentBase) -> Answer {
    let mut response = web::json_response(status, &ConsentBaseView::from(base))?;
    web::set_etag(&mut response, &web::etag(base.revision))?;
    Ok(response)
}

fn consent_response(status: u16, consent: &Consent, now: Timestamp) -> Answer {
    let mut response = web::json_response(status, &ConsentView::new(consent, now))?;
    web::set_etag(&mut response, &web::etag(consent.version))?;
    Ok(response)
}

/// POST /customers/v2/consents/admin/consent-bases (contract §6): 201, `Location`, version 1.
pub async fn create_base<D: Db>(call: &Call<'_, D>) -> Answer {
    let Call { ctx, caller, db, req, .. } = call;
    web::require(caller, Permission::ConsentsAdmin)?;
    let new = base::new_base(web::json::<ConsentBaseBody>(req)?, caller.org())?;
    web::idempotency::create(*db, caller.org(), ctx, req, async |tx| {
        base::insert(tx, caller.org(), &new, ctx.now).await?;
        let created =
            base::find(tx, caller.org(), new.code.as_str(), None).await?.ok_or(ApiError::NotFound)?;
        let response = web::created(
            &created.location(),
            &web::etag(created.revision),
            &ConsentBaseView::from(&created),
        )?;
        Ok((response, None))
    })
    .await
}

/// GET /customers/v2/consents/admin/consent-bases (contract §6): the organisation's bases and
/// the shared ones, each with its latest terms.
pub async fn list_bases<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ConsentsAdmin)?;
    let bases = base::list(call.db, call.caller.org()).await?;
    web::json_response(200, &bases.iter().map(ConsentBaseView::from).collect::<Vec<_>>())
}

/// GET /customers/v2/consents/admin/consent-bases/{consentCode} (contract §6): the latest version.
pub async fn get_base<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ConsentsAdmin)?;
    let code = call.params.get("consentCode")?;
    let found = base::find(call.db, call.caller.org(), code, None).await?.ok_or(ApiError::NotFound)?;
    base_response(200, &found)
}

/// PUT /customers/v2/consents/admin/consent-bases/{consentCode} (contract §6): new terms make a
/// new version; `If-Match` against the base's revision.
pub async fn replace_base<D: Db>(call: &Call<'_, D>) -> Answer {
    let Call { ctx, caller, db, req, .. } = call;
    web::require(caller, Permission::ConsentsAdmin)?;
    let code = call.params.get("consentCode")?;
    let change = base::base_change(web::json::<ConsentBaseBody>(req)?, code, caller.org())?;
    let changed = db
        .transaction(async |tx| {
            let current = base::find(tx, caller.org(), code, None).await?.ok_or(ApiError::NotFound)?;
            web::check_if_match(req, current.revision)?;
            base::change(tx, caller.org(), &current, &change, ctx.now).await
        })
        .await?;
    base_response(200, &changed)
}

/// GET /customers/v2/consents/admin/consent-bases/{consentCode}/versions/{version} (contract §6):
/// any version, old ones included.
pub async fn get_base_version<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ConsentsAdmin)?;
    let code = call.params.get("consentCode")?;
    let version = path_id(call, "version")?;
    let found =
        base::find(call.db, call.caller.org(), code, Some(version)).await?.ok_or(ApiError::NotFound)?;
    base_response(200, &found)
}

/// POST /customers/v2/consents/admin/consents (contract §6): 201, `Location`; 409
/// `OVERLAPPING_CONSENT` when another consent of the code is valid in part of the period.
pub async fn create_consent<D: Db>(call: &Call<'_, D>) -> Answer {
    let Call { ctx, caller, db, req, .. } = call;
    web::require(caller, Permission::ConsentsAdmin)?;
    let spec = offer::consent_spec(web::json::<ConsentBody>(req)?, caller.org(), ctx.now)?;
    web::idempotency::create(*db, caller.org(), ctx, req, async |tx| {
        let created = offer::insert(tx, caller.org(), &spec, ctx.now).await?;
        let view = ConsentView::new(&created, ctx.now);
        let response = web::created(&created.location(), &web::etag(created.version), &view)?;
        Ok((response, None))
    })
    .await
}

/// GET /customers/v2/consents/admin/consents?consentCodes=&versions=&includeInactive=
/// (contract §6): the organisation's consents, drafts included.
pub async fn list_consents<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ConsentsAdmin)?;
    let filter = query::consent_filter(web::Query::read(call.req, &super::CONSENT_FILTER)?.pairs(), true)?;
    let now = call.ctx.now;
    let consents = offer::list(call.db, call.caller.org(), &filter, now).await?;
    web::json_response(200, &consents.iter().map(|c| ConsentView::new(c, now)).collect::<Vec<_>>())
}

/// GET /customers/v2/consents/admin/consents/{id} (contract §6).
pub async fn get_consent<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ConsentsAdmin)?;
    let id = path_id(call, "id")?;
    let found = offer::find(call.db, call.caller.org(), id).await?.ok_or(ApiError::NotFound)?;
    consent_response(200, &found, call.ctx.now)
}

/// PUT /customers/v2/consents/admin/consents/{id} (contract §6): full replacement, only in
/// draft (409 `CONSENT_NOT_DRAFT`).
pub async fn replace_consent<D: Db>(call: &Call<'_, D>) -> Answer {
    let Call { ctx, caller, db, req, .. } = call;
    web::require(caller, Permission::ConsentsAdmin)?;
    let id = path_id(call, "id")?;
    let next = offer::consent_spec(web::json::<ConsentBody>(req)?, caller.org(), ctx.now)?;
    let changed = db
        .transaction(async |tx| {
            let current = offer::find(tx, caller.org(), id).await?.ok_or(ApiError::NotFound)?;
            web::check_if_match(req, current.version)?;
            offer::check_transition(&current, &next, true, ctx.now)?;
            offer::update(tx, caller.org(), &current, &next, ctx.now).await
        })
        .await?;
    consent_response(200, &changed, ctx.now)
}

/// PATCH /customers/v2/consents/admin/consents/{id} (contract §6): JSON Merge Patch; an active
/// consent changes only its channels and `validTo`, an inactive one nothing.
pub async fn patch_consent<D: Db>(call: &Call<'_, D>) -> Answer {
    let Call { ctx, caller, db, req, .. } = call;
    web::require(caller, Permission::ConsentsAdmin)?;
    let id = path_id(call, "id")?;
    let patch = web::json::<ConsentPatchBody>(req)?;
    let changed = db
        .transaction(async |tx| {
            let current = offer::find(tx, caller.org(), id).await?.ok_or(ApiError::NotFound)?;
            web::check_if_match(req, current.version)?;
            let next = offer::patched(patch, &current, caller.org(), ctx.now)?;
            offer::check_transition(&current, &next, false, ctx.now)?;
            offer::update(tx, caller.org(), &current, &next, ctx.now).await
        })
        .await?;
    consent_response(200, &changed, ctx.now)
}
