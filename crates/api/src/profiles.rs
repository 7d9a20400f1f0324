//! Permanent profiles: `/customers/v2/profiles` (contract §3). Each handler: authorise,
//! parse, write in one transaction (slow work such as password hashing before it), respond.

use crate::{parent, Answer, Call};
use auth::Permission;
use domain::audit;
use domain::audit::Actor;
use domain::connection::Transactions;
use domain::customer;
use domain::db::Db;
use domain::lockout::{Attempts, Standing};
use domain::password::{self, Password};
use domain::profile::search::{self, Criteria};
use domain::profile::{self, Changed, CreateProfileBody, Names, Profile, ProfileType, ProfileView};
use errors::{ApiError, ErrorCode, FieldErrors, Invalid};
use serde::Deserialize;
use web::{Param, Query};

/// POST /customers/v2/profiles (contract §3): 201, `Location`, `ETag`, body `Customer`.
pub async fn create<D: Db>(call: &Call<'_, D>) -> Answer {
    let Call { ctx, caller, db, req, .. } = call;
    web::require(caller, Permission::ProfileCreate)?;
    let new = profile::new_profile(web::json::<CreateProfileBody>(req)?, caller.org(), ctx.now)?;
    let password_hash = new.password.as_ref().map(|p| password::hash(p, &(ctx.random_bytes)(16)));
    let uuid = fresh_customer_uuid(call);
    let actor = actor(call);
    web::idempotency::create_writing(*db, new.writes(), caller.org(), ctx, req, async |tx| {
        let created = profile::create(tx, &actor, &new, password_hash, &uuid, ctx.now).await?;
        created_response(&created, "/customers/v2/profiles")
    })
    .await
}

/// The 201 of a create, from the profile its INSERT returned (no statement reads it back):
/// the `Customer`, its `ETag`, and its `Location` under `collection`.
pub(crate) fn created_response(
    created: &Profile,
    collection: &str,
) -> Result<web::idempotency::Created, ApiError> {
    let number = created.customer_number.0;
    let mut response = web::json_response(201, &ProfileView::from(created))?;
    web::set_etag(&mut response, &created.etag())?;
    web::set_location(&mut response, &format!("{collection}/{number}"))?;
    Ok((response, Some(number)))
}

/// GET /customers/v2/profiles/{customerNumber}[?includeECards=true] (contract §3). A merged
/// profile answers with the profile it was merged into; another organisation's profile
/// exactly like a missing one.
pub async fn get<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileRead)?;
    let query = Query::read(call.req, &[Param::Flag("includeECards")])?;
    let (org, now) = (call.caller.org(), call.ctx.now);
    // The profile and its addresses in one statement; a merged one leads to its target.
    let found = profile::find_with_addresses(call.db, org, parent::number(call)?, parent::kind(call), now)
        .await?
        .ok_or(ApiError::NotFound)?;
    let merged = found.is_merged();
    let mut shown = profile::resolve_merged(call.db, org, found, now).await?.ok_or(ApiError::NotFound)?;
    if merged {
        profile::attach_addresses(call.db, org, std::slice::from_mut(&mut shown)).await?;
    }
    let mut body =
        serde_json::to_value(ProfileView::from(&shown)).map_err(|e| ApiError::Internal(e.into()))?;
    if query.flag("includeECards") {
        body["ecards"] = domain::ecard::export(call.db, call.caller.org(), shown.customer_number.0).await?;
    }
    let mut response = web::json_response(200, &body)?;
    web::set_etag(&mut response, &shown.etag())?;
    Ok(response)
}

/// GET /customers/v2/profiles/by-customer-ref/{customerRef} (contract §3).
pub async fn get_by_ref<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileRead)?;
    let customer_ref = call.params.get("customerRef")?;
    let found = profile::find_by_ref(call.db, call.caller.org(), customer_ref, call.ctx.now)
        .await?
        .ok_or(ApiError::NotFound)?;
    let shown = profile::resolve_merged(call.db, call.caller.org(), found, call.ctx.now)
        .await?
        .ok_or(ApiError::NotFound)?;
    customer(call.db, call.caller.org(), 200, shown).await
}

/// The parameters of a search: its criteria (one of them at least), then the page.
const SEARCH: &[Param] = &[
    Param::One("firstName"),
    Param::One("surname"),
    Param::One("email"),
    Param::One("customerRef"),
    Param::One("countryCode"),
    Param::One("telephoneNumberNoCountryCode"),
    Param::One("telephoneNumber"),
    Param::One("landlineNumber"),
    Param::One("dateOfBirth"),
    Param::One("postalAddress"),
    Param::One("postCode"),
    Param::Flag("includeTemporary"),
    Param::One("maxResultSet"),
    Param::One("cursor"),
];

/// GET /customers/v2/profiles and /customers/v2/profiles-search (contract §3): the AND of
/// the criteria, ordered by customer number, `maxResultSet` per page, `Link` to the next.
pub async fn search<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileRead)?;
    let query = Query::read(call.req, SEARCH)?;
    let mut errs = FieldErrors::default();
    let criteria = Criteria::parse(query.pairs(), &mut errs);
    errs.into_result()?;
    let limit = web::paging::limit(&query, "maxResultSet", 100, search::MAX_RESULT_SET)?;
    let after = web::paging::after(&query)?;
    let (mut found, more) =
        search::search(call.db, call.caller.org(), &criteria, call.ctx.now, after, limit).await?;
    profile::attach_addresses(call.db, call.caller.org(), &mut found).await?;
    let views: Vec<ProfileView<'_>> = found.iter().map(ProfileView::from).collect();
    let mut response = web::json_response(200, &views)?;
    if let (true, Some(last)) = (more, found.last()) {
        web::paging::link_next(call.req, &mut response, last.customer_number.0);
    }
    Ok(response)
}

/// PUT /customers/v2/profiles/{customerNumber} (contract §3): replaces the editable fields.
pub async fn replace<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileChange)?;
    let change =
        profile::replacement(web::json(call.req)?, call.caller.org(), Names::Required, call.ctx.now)?;
    write_change(call, |_| Ok(change)).await
}

/// PATCH /customers/v2/profiles/{customerNumber} (contract §3): a JSON Merge Patch (RFC
/// 7396) of the editable fields; `null` clears an optional field; `changedBy` and
/// `changedByChannel` are required.
pub async fn patch<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileChange)?;
    let patch: serde_json::Value = web::json(call.req)?;
    if !patch.is_object() {
        return Err(ApiError::BadRequest {
            code: ErrorCode::INVALID_JSON,
            field: None,
            message: "a merge patch must be a JSON object".into(),
        });
    }
    // The patch's own shape (unknown members, wrong types) is checked before `If-Match`: a
    // request that is invalid whatever the current state answers 400, not 412 (RFC 9110
    // §13.2.1: preconditions are evaluated only for a request that would otherwise succeed).
    web::from_json_value::<profile::ReplaceProfileBody>(patch.clone())?;
    write_change(call, |current| {
        let mut document = profile::editable_document(current);
        profile::merge_patch(&mut document, patch);
        let body = web::from_json_value(document)?;
        profile::replacement(body, call.caller.org(), Names::Required, call.ctx.now)
    })
    .await
}

/// The write shared by PUT and PATCH: the change is computed from the current profile and
/// checked (an invalid change is 400 whatever `If-Match` says), then `If-Match` is checked,
/// the change stored, and the new state returned with its `ETag`.
async fn write_change<D: Db>(
    call: &Call<'_, D>,
    change: impl FnOnce(&Profile) -> Result<profile::Change, ApiError>,
) -> Answer {
    let actor = actor(call);
    let updated = call
        .db
        .transaction(async |tx| {
            let current = writable(call, tx).await?;
            let change = change(&current)?;
            web::check_if_match(call.req, current.version)?;
            let changed = Changed {
                actor: &actor,
                changed_by: &change.changed_by,
                channel: &change.changed_by_channel,
                now: call.ctx.now,
            };
            profile::update(tx, &current, &change.fields, None, &changed).await?;
            reread(call, tx, &current).await
        })
        .await?;
    customer(call.db, call.caller.org(), 200, updated).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct DeactivateBody {
    expiration_date: Option<String>,
    changed_by: Option<String>,
    changed_by_channel: Option<String>,
}

/// POST /customers/v2/profiles/{customerNumber}/deactivate (contract §3, §5): status `D`,
/// email released, readable until `expirationDate`, then erased.
pub async fn deactivate<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileChange)?;
    let body: DeactivateBody = web::json(call.req)?;
    let mut errs = FieldErrors::default();
    let now = call.ctx.now;
    let expiration = errs
        .required("expirationDate", body.expiration_date, |d| domain::time::parse_expiration(d, now, None));
    let who = who_changed(&mut errs, body.changed_by, body.changed_by_channel);
    let (Some(expiration), Some((changed_by, channel))) = (expiration, who) else {
        return Err(ApiError::Validation(errs));
    };
    let actor = actor(call);
    let updated = call
        .db
        .transaction(async |tx| {
            let current = writable(call, tx).await?;
            web::check_if_match(call.req, current.version)?;
            let changed = Changed { actor: &actor, changed_by: &changed_by, channel: &channel, now };
            profile::deactivate(tx, &current, expiration, &changed).await?;
            reread(call, tx, &current).await
        })
        .await?;
    customer(call.db, call.caller.org(), 200, updated).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ConnectBody {
    customer_number_to_connect: Option<i64>,
    changed_by: Option<String>,
    changed_by_channel: Option<String>,
}

/// POST /customers/v2/profiles/{customerNumber}/connect (contract §3): merges the profile
/// `customerNumberToConnect` (permanent or temporary, same organisation) into this one.
/// Its children move over; it becomes `P` and GET on its number answers with this profile.
pub async fn connect<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileChange)?;
    let body: ConnectBody = web::json(call.req)?;
    let mut errs = FieldErrors::default();
    let source = match body.customer_number_to_connect {
        Some(n) if n > 0 => Some(profile::CustomerNumber(n)),
        Some(_) => {
            errs.push(
                "customerNumberToConnect",
                Invalid::new(ErrorCode::INVALID_CUSTOMER_NUMBER, "must be a customer number"),
            );
            None
        }
        None => {
            errs.push("customerNumberToConnect", Invalid::new(ErrorCode::REQUIRED, "is required"));
            None
        }
    };
    let who = who_changed(&mut errs, body.changed_by, body.changed_by_channel);
    let (Some(source_number), Some((changed_by, channel))) = (source, who) else {
        return Err(ApiError::Validation(errs));
    };
    let actor = actor(call);
    let now = call.ctx.now;
    let target = call
        .db
        .transaction(async |tx| {
            let target = writable(call, tx).await?;
            web::check_if_match(call.req, target.version)?;
            let changed = Changed { actor: &actor, changed_by: &changed_by, channel: &channel, now };
            customer::connect(tx, &target, source_number, &changed).await?;
            Ok::<_, ApiError>(target)
        })
        .await?;
    customer(call.db, call.caller.org(), 200, target).await
}

/// DELETE /customers/v2/profiles/{customerNumber} (contract §3, §5): GDPR erasure,
/// immediate and irrecoverable. 204. An audit entry without personal data remains.
pub async fn erase<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileDelete)?;
    let actor = actor(call);
    call.db
        .transaction(async |tx| {
            let current = writable(call, tx).await?;
            web::check_if_match(call.req, current.version)?;
            Ok::<_, ApiError>(customer::erase(tx, &actor, current.customer_number, call.ctx.now).await?)
        })
        .await?;
    // Old page versions holding the erased data leave the write-ahead log too.
    domain::connection::checkpoint(call.db).await;
    Ok(web::no_content())
}

/// GET /customers/v2/profiles/{customerNumber}/export (contract §3): GDPR access, one
/// document with everything the service holds on the customer.
pub async fn export<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileRead)?;
    let (number, kind) = (parent::number(call)?, parent::kind(call));
    let document = customer::export(call.db, call.caller.org(), number, kind, call.ctx.now).await?;
    web::json_response(200, &document)
}

/// GET /customers/v2/profiles/{customerNumber}/history (contract §3): the audit trail —
/// who, when, which action, which fields; never their values. `limit` and `cursor` page it.
pub async fn history<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileRead)?;
    let query = Query::read(call.req, &web::paging::PARAMS)?;
    let found = parent::find(call).await?;
    let limit = web::paging::limit(&query, "limit", 100, 1000)?;
    let after = web::paging::after(&query)?;
    let (entries, more) =
        audit::list(call.db, call.caller.org(), found.customer_number.0, after, limit).await?;
    let mut response = web::json_response(200, &entries.iter().map(audit::Event::view).collect::<Vec<_>>())?;
    if let (true, Some(last)) = (more, entries.last()) {
        web::paging::link_next(call.req, &mut response, last.id);
    }
    Ok(response)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CredentialsBody {
    email: Option<String>,
    password: Option<String>,
    last_sign_in_from: Option<String>,
}

/// POST /customers/v2/profiles/verify-credentials (contract §3): 200 `Customer`, or 401
/// `INVALID_CREDENTIALS` for a wrong password and for an unknown email alike, after the
/// same work (an unknown email is checked against a dummy hash), or 429 `TOO_MANY_ATTEMPTS`
/// with `Retry-After` while the email is locked after repeated failures (`domain::lockout`),
/// without hashing anything.
pub async fn verify_credentials<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileRead)?;
    let body: CredentialsBody = web::json(call.req)?;
    let mut errs = FieldErrors::default();
    let email = errs.required("email", body.email, |e| Ok(domain::text::fold(e)));
    let candidate = match body.password.filter(|p| !p.is_empty()) {
        Some(p) => Some(p),
        None => {
            errs.push("password", Invalid::new(ErrorCode::REQUIRED, "is required"));
            None
        }
    };
    let from = errs.optional("lastSignInFrom", body.last_sign_in_from, profile::values::actor_text);
    let (Some(email), Some(candidate)) = (email, candidate) else {
        return Err(ApiError::Validation(errs));
    };
    errs.into_result()?;
    let org = call.caller.org();
    let attempts = Attempts::of(org, &email);
    let standing = attempts.standing(call.db, call.ctx.now).await?;
    if let Standing::Locked { retry_after_secs } = standing {
        return Err(ApiError::TooManyAttempts { retry_after_secs });
    }
    let found = profile::find_for_sign_in(call.db, org, &email, call.ctx.now).await?;
    let stored_hash = found.as_ref().and_then(|(_, hash)| hash.as_deref());
    let verified = password::verify(&candidate, stored_hash); // the same work for an unknown email
    let Some((signed_in, _)) = found.filter(|_| verified) else {
        attempts.fail(call.db, call.ctx.now).await?;
        return Err(ApiError::InvalidCredentials);
    };
    if standing == Standing::Failed {
        attempts.succeed(call.db).await?;
    }
    call.db
        .transaction(async |tx| {
            profile::record_sign_in(tx, org, signed_in.customer_number, from.as_deref(), call.ctx.now).await
        })
        .await?;
    customer(call.db, call.caller.org(), 200, signed_in).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PasswordBody {
    password: Option<String>,
    changed_by: Option<String>,
    changed_by_channel: Option<String>,
}

/// PUT /customers/v2/profiles/{customerNumber}/password (contract §3): 204.
pub async fn change_password<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileChange)?;
    let body: PasswordBody = web::json(call.req)?;
    let mut errs = FieldErrors::default();
    let new_password = match body.password.filter(|p| !p.is_empty()) {
        Some(p) => errs.check("password", Password::parse(&p)),
        None => {
            errs.push("password", Invalid::new(ErrorCode::REQUIRED, "is required"));
            None
        }
    };
    let who = who_changed(&mut errs, body.changed_by, body.changed_by_channel);
    let (Some(new_password), Some((changed_by, channel))) = (new_password, who) else {
        return Err(ApiError::Validation(errs));
    };
    let hash = password::hash(&new_password, &(call.ctx.random_bytes)(16)); // before the lock
    let actor = actor(call);
    call.db
        .transaction(async |tx| {
            let current = writable(call, tx).await?;
            web::check_if_match(call.req, current.version)?;
            let changed =
                Changed { actor: &actor, changed_by: &changed_by, channel: &channel, now: call.ctx.now };
            profile::set_password(tx, &current, &hash, &changed).await
        })
        .await?;
    Ok(web::no_content())
}

/// The profile of the route as a write sees it ([`customer::writable`]).
async fn writable<D: Db>(call: &Call<'_, D>, tx: &D) -> Result<Profile, ApiError> {
    customer::writable(tx, call.caller.org(), parent::number(call)?, parent::kind(call), call.ctx.now).await
}

async fn reread<D: Db>(call: &Call<'_, D>, tx: &D, current: &Profile) -> Result<Profile, ApiError> {
    profile::find(tx, call.caller.org(), current.customer_number, ProfileType::Standard, call.ctx.now)
        .await?
        .ok_or(ApiError::NotFound)
}

fn who_changed(
    errs: &mut FieldErrors,
    by: Option<String>,
    channel: Option<String>,
) -> Option<(String, String)> {
    let by = errs.required("changedBy", by, profile::values::actor_text);
    let channel = errs.required("changedByChannel", channel, profile::values::actor_text);
    by.zip(channel).filter(|_| errs.is_empty())
}

fn actor<'a, D>(call: &'a Call<'_, D>) -> Actor<'a> {
    Actor { organisation_id: call.caller.org(), client_id: call.caller.client_id() }
}

/// A `Customer` response: the profile with its postal addresses, and its `ETag`.
pub(crate) async fn customer<D: Db>(
    db: &D,
    organisation_id: i64,
    status: u16,
    mut profile: Profile,
) -> Answer {
    profile::attach_addresses(db, organisation_id, std::slice::from_mut(&mut profile)).await?;
    let mut response = web::json_response(status, &ProfileView::from(&profile))?;
    web::set_etag(&mut response, &profile.etag())?;
    Ok(response)
}

/// A customer's `uuid` from the host's random source.
pub(crate) fn fresh_customer_uuid<D>(call: &Call<'_, D>) -> String {
    loop {
        if let Some(uuid) = domain::ids::customer_uuid(&(call.ctx.random_bytes)(64)) {
            return uuid;
        }
    }
}
