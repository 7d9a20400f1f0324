//! Consents: `/customers/v2/consents/**` and the legacy `/customers/v1/consents/**`
//! (contract §6, §8). The rules and SQL live in `domain::consent`; these handlers authorise,
//! parse, write in one transaction and respond.
//!
//! # Permissions
//!
//! | Paths | Permission |
//! |---|---|
//! | `/admin/**` (every method, reads included) | `consents:admin` |
//! | `GET /client/consents`, `GET /client/given-consents[/{id}]`, `GET …/history`, `GET /crm`, `GET /v1/**` | `consents:les` |
//! | `POST /client/given-consents`, `DELETE …/{id}`, `PUT …/bulk`, `PUT`/`DELETE /v1/**` | `consents:endre` |
//!
//! # Resources
//!
//! - `ConsentBase` `{consentCode, version, latestVersion, terms: [{language, text}],
//!   internalDescription, consentOwnerOrgId, createdAt, changedAt}`. `consentCode` is 1–20 of
//!   `A-Z a-z 0-9 _ -`, unique within the organisation (contract §6). `terms` needs at least one
//!   language (`NO`, `EN`, … or ISO 639-3 as `languagePreference`), each once, each text at most
//!   20 000 characters (Markdown allowed). `internalDescription` at most 1000 characters.
//!   The `ETag` is the base's revision, bumped by every change.
//! - `Consent` `{id, consentCode, consentBaseVersion, organisationId, isSmsSupported,
//!   isEmailSupported, validFrom, validTo, state, createdAt, changedAt}`; `validFrom`/`validTo`
//!   are RFC 3339 date-times (a date means its start, 00:00 UTC), served in UTC with
//!   milliseconds; `state` is `DRAFT`, `ACTIVE` or `INACTIVE`; the flags default to false and
//!   `consentBaseVersion` to the base's latest version. `ETag`: its version.
//! - `GivenConsent` `{id, customerNumber, consentId, consentChoice, distributionChannel,
//!   expirationDate, createdByOrgId, createdAt, changedAt}`; `distributionChannel` (at most
//!   100 characters) is required when recording through v2; `expirationDate` (date or
//!   date-time, in the future) is optional and served as an RFC 3339 instant. `ETag`: its version.
//! - `GivenConsentHistoryEntry` `{id, givenConsentId, customerNumber, consentId, consentCode,
//!   consentBaseVersion, action (GIVEN | CHANGED | DELETED), consentChoice, distributionChannel,
//!   expirationDate, changedByOrgId, changedByClientId, api (v2 | v1), at}`.
//! - `ConsentCrm` `{givenConsentId, consentId, consentCode, consentBaseVersion,
//!   consentOrganisationId, createdByOrgId, customerNumber, customerRef, consentChoice,
//!   createdAt, changedAt}` plus `email` with `includeEmail=true` and `countryCode`,
//!   `telephoneNumber` with `includeTelephoneNumber=true`.
//! - Legacy v1 `Consent` `{customerId, consentCode, consentChoice, createdAt, changedAt}`.
//!
//! # errorCodes introduced here
//!
//! 400 (field errors): `INVALID_CONSENT_CODE`, `DUPLICATE_LANGUAGE`, `CONSENT_CODE_MISMATCH`,
//! `INVALID_DATE_TIME`, `INVALID_VERSION`, `VALID_TO_WITHOUT_VALID_FROM`, `INVALID_PERIOD`,
//! `VALID_TO_IN_THE_PAST`, `INVALID_CUSTOMER_NUMBER`, `INVALID_CONSENT_ID`,
//! `DUPLICATE_GIVEN_CONSENT`, `INVALID_BULK_SIZE`, `INVALID_VERSIONS`, `INVALID_BOOLEAN`,
//! `INVALID_ID_LIST` (plus the shared `REQUIRED`, `TOO_LONG`, `INVALID_CHARACTERS`,
//! `INVALID_LANGUAGE`, `INVALID_EXPIRATION_DATE`, `EXPIRATION_DATE_IN_THE_PAST`,
//! `INVALID_LIMIT`, `INVALID_CURSOR`).
//! 409: `DUPLICATE_CONSENT_CODE`, `CONSENT_BASE_NOT_OWNED`, `CONSENT_NOT_DRAFT`,
//! `CONSENT_INACTIVE`, `OVERLAPPING_CONSENT`, `CONSENT_NOT_ACTIVE`.
//!
//! # Decisions where the contract is silent
//!
//! - **Who sees consent bases.** A base is owned by `consentOwnerOrgId`, which is always the
//!   creator's organisation (another value: 403 `ORGANISATION_MISMATCH`). The owner alone sees,
//!   uses and changes it; another organisation gets 404, as for anything of another
//!   organisation. A base without owner is shared legal text (seeded by the platform operator,
//!   like Entur's predefined bases): every organisation sees and may offer it, none may
//!   change it through the API (409 `CONSENT_BASE_NOT_OWNED`). A code is unique among the
//!   bases an organisation sees: creating a base with the code of one of its own or of a shared
//!   base is 409 `DUPLICATE_CONSENT_CODE`; another organisation's codes play no part, so two
//!   organisations may each own `NEWSLETTER`, and every consent endpoint and the v1 view
//!   resolve a code among the caller's bases only (migration 0008).
//! - **Versions.** `PUT …/consent-bases/{code}` replaces terms and description. Changed or
//!   dropped texts make a new version; texts in further languages (every existing text kept)
//!   join the latest version, as at Entur: no text a customer may have agreed to ever changes.
//!   The description is not versioned. A PUT that changes nothing writes nothing.
//! - **Consent states.** PUT only in `DRAFT` (else 409 `CONSENT_NOT_DRAFT`). PATCH (merge patch)
//!   in `DRAFT` changes anything; in `ACTIVE` only `isSmsSupported`, `isEmailSupported` and
//!   `validTo` (else `CONSENT_NOT_DRAFT`), so what customers agreed to is never rewritten; in
//!   `INACTIVE` nothing (`CONSENT_INACTIVE`). A patch that changes nothing passes. A `validTo`
//!   being set may not lie in the past. `validFrom` may (a consent becomes active at once).
//!   Consents are never deleted: given consents and their history refer to them.
//! - **Overlap** is per organisation and code, over `[validFrom, validTo)`; drafts without
//!   `validFrom` occupy no time; the check runs inside the write transaction.
//! - **Giving a choice** needs an `ACTIVE` consent; withdrawing (`consentChoice: false`) also
//!   works on an `INACTIVE` one, since withdrawing must stay as easy as giving (GDPR Art. 7(3));
//!   a draft takes neither (409 `CONSENT_NOT_ACTIVE`). A POST for a customer and consent that
//!   already have a choice replaces it (200, same id; 201 when created); every POST, even
//!   repeating the same choice, is a new declaration and appends to the history.
//! - **References in bodies and query parameters** to a customer, consent or base the caller
//!   cannot see answer 404, exactly like a missing one; a malformed one (not a positive
//!   number) is a 400.
//! - **Lists.** `GET /client/consents` shows `ACTIVE` consents (and `INACTIVE` ones with
//!   `includeInactive=true`), never drafts; `GET /admin/consents` takes the same parameters
//!   and includes drafts. `versions` is `ALL` (default), `CURRENT` (the base's latest version)
//!   or a list. The CRM listing leaves out customers past their expiration date.
//! - **History** is appended in the transaction of every change (who: organisation and token
//!   client id; when; which consent code and terms version; which choice; which channel;
//!   which API). No endpoint changes or deletes it; only the customer's erasure or expiry
//!   does (cascade), and a profile merge moves it to the surviving profile.
//! - **Legacy v1** is a view over the same given consents, through the organisation's consent
//!   of that code that is `ACTIVE` now. Its writes record `distributionChannel` absent, clear
//!   `expirationDate`, and are marked `api: "v1"` in the history. `PUT` answers 201 when it
//!   created the choice, else 200; `GET …/{customerNumber}/{consentCode}` (also served) has an
//!   `ETag`, and PUT/DELETE take `If-Match`. Every successful v1 response carries
//!   `Deprecation: @1767225600` (2026-01-01), `Sunset: Fri, 01 Jan 2027 00:00:00 GMT` and
//!   `Link: </customers/v2/consents/client/given-consents?customerNumber=N>; rel="successor-version"`.

pub mod admin;
pub mod client;
pub mod crm;
pub mod legacy;

use errors::ApiError;
use web::{Call, Param};

/// The parameters of both consent listings (`domain::consent::query::consent_filter`).
const CONSENT_FILTER: [Param; 3] =
    [Param::List("consentCodes"), Param::One("versions"), Param::Flag("includeInactive")];

/// A positive id from the path; anything else names nothing: 404.
fn path_id<D>(call: &Call<'_, D>, name: &str) -> Result<i64, ApiError> {
    match call.params.get(name)?.parse::<i64>() {
        Ok(id) if id > 0 => Ok(id),
        _ => Err(ApiError::NotFound),
    }
}
