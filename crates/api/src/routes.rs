//! The route tables of the API components: each row an [`Operation`] (what the OpenAPI
//! document says about the endpoint: operationId, summary, permission, error codes) and its
//! handler. The components serve these tables (`Tables::<spin_glue::Spin>::PROFILES`), the
//! end-to-end tests and `openapi-gen` read them ([`components`]): one list of operations.
//!
//! The tables are generic over the [`Host`], which names the database the handlers run on and
//! the one setting a handler needs from the host.

use crate::consents::{admin, client, crm, legacy};
use crate::{addresses, catalogue, ecards, events, loyalty, preferences, profiles, purge, temporary};
use crate::{Answer, Call};
use auth::Permission as P;
use domain::db::Db;
use errors::{ApiError, ErrorCode as E};
use std::marker::PhantomData;
use web::{op, route, Handler, Operation, Route};

/// What the handlers run on: the database, and the feed's retention (a setting the host
/// reads: this crate names no Spin variables).
pub trait Host: 'static {
    type Db: Db + 'static;
    fn event_retention_days() -> Result<i64, ApiError>;
}

/// A row of a component's table.
pub type Row<H> = Route<&'static dyn Handler<<H as Host>::Db>>;

/// The route tables, per component.
pub struct Tables<H>(PhantomData<H>);

async fn purge_expired<H: Host>(call: &Call<'_, H::Db>) -> Answer {
    purge::purge_expired(call, H::event_retention_days()?).await
}

impl<H: Host> Tables<H> {
    /// `profiles`: permanent profiles and their sub-resources (contract §3) and the deprecated
    /// v1 profile paths (§8).
    pub const PROFILES: &'static [Row<H>] = &[
        route(
            op("POST", "/customers/v2/profiles", "createProfile", "Create a permanent profile")
                .permission(P::ProfileCreate)
                .body()
                .idempotent()
                .errors(&[
                    E::REQUIRED,
                    E::TOO_LONG,
                    E::INVALID_CHARACTERS,
                    E::INVALID_CUSTOMER_REF,
                    E::INVALID_EMAIL,
                    E::INVALID_LANGUAGE,
                    E::INVALID_DATE,
                    E::INVALID_DATE_OF_BIRTH,
                    E::INVALID_TELEPHONE,
                    E::WEAK_PASSWORD,
                    E::ORGANISATION_MISMATCH,
                    E::DUPLICATE_EMAIL,
                    E::DUPLICATE_CUSTOMER_REF,
                ]),
            &profiles::create::<H::Db>,
        ),
        route(
            op("GET", "/customers/v2/profiles", "searchProfiles", "Search profiles")
                .query()
                .permission(P::ProfileRead)
                .errors(&[
                    E::UNKNOWN_PARAMETER,
                    E::MISSING_SEARCH_CRITERIA,
                    E::INVALID_DATE,
                    E::INVALID_BOOLEAN,
                    E::INVALID_TELEPHONE,
                    E::INVALID_LIMIT,
                    E::INVALID_CURSOR,
                ]),
            &profiles::search::<H::Db>,
        ),
        route(
            op(
                "GET",
                "/customers/v2/profiles-search",
                "searchProfilesAlias",
                "Search profiles (Entur's `profiles-search` path)",
            )
            .query()
            .permission(P::ProfileRead)
            .errors(&[
                E::UNKNOWN_PARAMETER,
                E::MISSING_SEARCH_CRITERIA,
                E::INVALID_DATE,
                E::INVALID_BOOLEAN,
                E::INVALID_TELEPHONE,
                E::INVALID_LIMIT,
                E::INVALID_CURSOR,
            ]),
            &profiles::search::<H::Db>,
        ),
        route(
            op(
                "POST",
                "/customers/v2/profiles/verify-credentials",
                "verifyCredentials",
                "Verify a customer's email and password",
            )
            .permission(P::ProfileRead)
            .body()
            .errors(&[
                E::REQUIRED,
                E::TOO_LONG,
                E::INVALID_CHARACTERS,
                E::INVALID_CREDENTIALS,
                E::TOO_MANY_ATTEMPTS,
            ]),
            &profiles::verify_credentials::<H::Db>,
        ),
        route(
            op(
                "GET",
                "/customers/v2/profiles/by-customer-ref/{customerRef}",
                "getProfileByCustomerRef",
                "Get a profile by its customerRef",
            )
            .permission(P::ProfileRead)
            .errors(&[E::NOT_FOUND]),
            &profiles::get_by_ref::<H::Db>,
        ),
        route(
            op("GET", "/customers/v2/profiles/{customerNumber}", "getProfile", "Get a permanent profile")
                .query()
                .permission(P::ProfileRead)
                .errors(&[E::INVALID_BOOLEAN, E::NOT_FOUND]),
            &profiles::get::<H::Db>,
        ),
        route(
            op(
                "PUT",
                "/customers/v2/profiles/{customerNumber}",
                "replaceProfile",
                "Replace a profile's editable fields",
            )
            .permission(P::ProfileChange)
            .body()
            .if_match()
            .errors(&[
                E::REQUIRED,
                E::TOO_LONG,
                E::INVALID_CHARACTERS,
                E::INVALID_CUSTOMER_REF,
                E::INVALID_EMAIL,
                E::INVALID_LANGUAGE,
                E::INVALID_DATE,
                E::INVALID_DATE_OF_BIRTH,
                E::INVALID_TELEPHONE,
                E::ORGANISATION_MISMATCH,
                E::NOT_FOUND,
                E::DUPLICATE_EMAIL,
                E::DUPLICATE_CUSTOMER_REF,
            ]),
            &profiles::replace::<H::Db>,
        ),
        route(
            op(
                "PATCH",
                "/customers/v2/profiles/{customerNumber}",
                "patchProfile",
                "Change some of a profile's fields (JSON Merge Patch)",
            )
            .permission(P::ProfileChange)
            .body()
            .if_match()
            .errors(&[
                E::REQUIRED,
                E::TOO_LONG,
                E::INVALID_CHARACTERS,
                E::INVALID_CUSTOMER_REF,
                E::INVALID_EMAIL,
                E::INVALID_LANGUAGE,
                E::INVALID_DATE,
                E::INVALID_DATE_OF_BIRTH,
                E::INVALID_TELEPHONE,
                E::ORGANISATION_MISMATCH,
                E::NOT_FOUND,
                E::DUPLICATE_EMAIL,
                E::DUPLICATE_CUSTOMER_REF,
            ]),
            &profiles::patch::<H::Db>,
        ),
        route(
            op("DELETE", "/customers/v2/profiles/{customerNumber}", "eraseProfile", "Erase a profile (GDPR)")
                .permission(P::ProfileDelete)
                .if_match()
                .errors(&[E::NOT_FOUND]),
            &profiles::erase::<H::Db>,
        ),
        route(
            op(
                "POST",
                "/customers/v2/profiles/{customerNumber}/deactivate",
                "deactivateProfile",
                "Deactivate a profile",
            )
            .permission(P::ProfileChange)
            .body()
            .if_match()
            .errors(&[
                E::REQUIRED,
                E::INVALID_EXPIRATION_DATE,
                E::INVALID_DATE,
                E::EXPIRATION_DATE_IN_THE_PAST,
                E::TOO_LONG,
                E::INVALID_CHARACTERS,
                E::NOT_FOUND,
            ]),
            &profiles::deactivate::<H::Db>,
        ),
        route(
            op(
                "POST",
                "/customers/v2/profiles/{customerNumber}/connect",
                "connectProfile",
                "Merge another profile into this one",
            )
            .permission(P::ProfileChange)
            .body()
            .if_match()
            .errors(&[
                E::REQUIRED,
                E::INVALID_CUSTOMER_NUMBER,
                E::CANNOT_CONNECT_TO_ITSELF,
                E::TOO_LONG,
                E::INVALID_CHARACTERS,
                E::NOT_FOUND,
                E::PROFILE_NOT_ACTIVE,
            ]),
            &profiles::connect::<H::Db>,
        ),
        route(
            op(
                "GET",
                "/customers/v2/profiles/{customerNumber}/export",
                "exportProfile",
                "Export everything held on a customer (GDPR)",
            )
            .permission(P::ProfileRead)
            .errors(&[E::NOT_FOUND]),
            &profiles::export::<H::Db>,
        ),
        route(
            op(
                "GET",
                "/customers/v2/profiles/{customerNumber}/history",
                "getProfileHistory",
                "A profile's audit trail",
            )
            .query()
            .permission(P::ProfileRead)
            .errors(&[E::INVALID_LIMIT, E::INVALID_CURSOR, E::NOT_FOUND]),
            &profiles::history::<H::Db>,
        ),
        route(
            op(
                "PUT",
                "/customers/v2/profiles/{customerNumber}/password",
                "changePassword",
                "Set a profile's password",
            )
            .permission(P::ProfileChange)
            .body()
            .if_match()
            .errors(&[
                E::REQUIRED,
                E::WEAK_PASSWORD,
                E::TOO_LONG,
                E::INVALID_CHARACTERS,
                E::NOT_FOUND,
            ]),
            &profiles::change_password::<H::Db>,
        ),
        route(
            op(
                "GET",
                "/customers/v2/profiles/{customerNumber}/postal-addresses",
                "listPostalAddresses",
                "List the postal addresses of a permanent profile",
            )
            .permission(P::ProfileRead)
            .errors(&[E::NOT_FOUND]),
            &addresses::list::<H::Db>,
        ),
        route(
            op(
                "POST",
                "/customers/v2/profiles/{customerNumber}/postal-addresses",
                "createPostalAddress",
                "Add a postal address to a permanent profile",
            )
            .permission(P::ProfileCreate)
            .body()
            .idempotent()
            .errors(&[
                E::REQUIRED,
                E::TOO_LONG,
                E::INVALID_CHARACTERS,
                E::INVALID_POST_CODE,
                E::INVALID_COUNTRY_CODE,
                E::NOT_FOUND,
                E::PROFILE_NOT_ACTIVE,
            ]),
            &addresses::create::<H::Db>,
        ),
        route(
            op(
                "GET",
                "/customers/v2/profiles/{customerNumber}/postal-addresses/{id}",
                "getPostalAddress",
                "Get a postal address of a permanent profile",
            )
            .permission(P::ProfileRead)
            .errors(&[E::NOT_FOUND]),
            &addresses::get::<H::Db>,
        ),
        route(
            op(
                "PUT",
                "/customers/v2/profiles/{customerNumber}/postal-addresses/{id}",
                "replacePostalAddress",
                "Replace a postal address of a permanent profile",
            )
            .permission(P::ProfileChange)
            .body()
            .if_match()
            .errors(&[
                E::REQUIRED,
                E::TOO_LONG,
                E::INVALID_CHARACTERS,
                E::INVALID_POST_CODE,
                E::INVALID_COUNTRY_CODE,
                E::NOT_FOUND,
                E::PROFILE_NOT_ACTIVE,
            ]),
            &addresses::replace::<H::Db>,
        ),
        route(
            op(
                "DELETE",
                "/customers/v2/profiles/{customerNumber}/postal-addresses/{id}",
                "deletePostalAddress",
                "Remove a postal address of a permanent profile",
            )
            .permission(P::ProfileDelete)
            .if_match()
            .errors(&[E::NOT_FOUND, E::PROFILE_NOT_ACTIVE]),
            &addresses::delete::<H::Db>,
        ),
        route(
            op(
                "GET",
                "/customers/v2/profiles/{customerNumber}/preferences",
                "listCustomerPreferences",
                "List the preference values of a permanent profile",
            )
            .permission(P::ProfileRead)
            .errors(&[E::NOT_FOUND]),
            &preferences::list::<H::Db>,
        ),
        route(
            op(
                "PUT",
                "/customers/v2/profiles/{customerNumber}/preferences/{preferenceCode}",
                "setCustomerPreference",
                "Set a preference value of a permanent profile",
            )
            .permission(P::ProfileChange)
            .body()
            .if_match()
            .errors(&[
                E::UNKNOWN_PREFERENCE_CODE,
                E::PREFERENCE_INACTIVE,
                E::REQUIRED,
                E::INVALID_PREFERENCE_VALUE,
                E::TOO_LONG,
                E::INVALID_CHARACTERS,
                E::NOT_FOUND,
                E::PROFILE_NOT_ACTIVE,
            ]),
            &preferences::set::<H::Db>,
        ),
        route(
            op(
                "DELETE",
                "/customers/v2/profiles/{customerNumber}/preferences/{preferenceCode}",
                "deleteCustomerPreference",
                "Remove a preference value of a permanent profile",
            )
            .permission(P::ProfileDelete)
            .if_match()
            .errors(&[E::NOT_FOUND, E::PROFILE_NOT_ACTIVE]),
            &preferences::delete::<H::Db>,
        ),
        route(
            op(
                "GET",
                "/customers/v2/profiles/{customerNumber}/ecards",
                "listECards",
                "List a profile's ecards",
            )
            .permission(P::ProfileRead)
            .errors(&[E::NOT_FOUND]),
            &ecards::list::<H::Db>,
        ),
        route(
            op(
                "POST",
                "/customers/v2/profiles/{customerNumber}/ecards",
                "createECard",
                "Register an ecard to a profile",
            )
            .permission(P::ProfileCreate)
            .body()
            .idempotent()
            .errors(&[
                E::REQUIRED,
                E::INVALID_ECARD_NUMBER,
                E::INVALID_ECARD_OPERATOR,
                E::ECARD_NUMBER_MISMATCH,
                E::TOO_LONG,
                E::INVALID_CHARACTERS,
                E::INVALID_DATE,
                E::INVALID_TIMESTAMP,
                E::NOT_FOUND,
                E::ECARD_ALREADY_OWNED,
                E::PROFILE_NOT_ACTIVE,
            ]),
            &ecards::create::<H::Db>,
        ),
        route(
            op(
                "DELETE",
                "/customers/v2/profiles/{customerNumber}/ecards/{id}",
                "deleteECard",
                "Remove an ecard from a profile",
            )
            .permission(P::ProfileDelete)
            .if_match()
            .errors(&[E::NOT_FOUND, E::PROFILE_NOT_ACTIVE]),
            &ecards::delete::<H::Db>,
        ),
        route(
            op(
                "GET",
                "/customers/v2/profiles/{customerNumber}/loyalty-programs",
                "listLoyaltyMemberships",
                "List a profile's loyalty memberships",
            )
            .permission(P::ProfileRead)
            .errors(&[E::NOT_FOUND]),
            &loyalty::memberships::<H::Db>,
        ),
        route(
            op(
                "POST",
                "/customers/v2/profiles/{customerNumber}/loyalty-programs",
                "joinLoyaltyProgram",
                "Join a loyalty program",
            )
            .permission(P::ProfileCreate)
            .body()
            .idempotent()
            .errors(&[
                E::REQUIRED,
                E::UNKNOWN_LOYALTY_PROGRAM,
                E::LOYALTY_PROGRAM_ENDED,
                E::NOT_FOUND,
                E::LOYALTY_PROGRAM_ALREADY_JOINED,
                E::PROFILE_NOT_ACTIVE,
            ]),
            &loyalty::join::<H::Db>,
        ),
        route(
            op(
                "DELETE",
                "/customers/v2/profiles/{customerNumber}/loyalty-programs/{membershipId}",
                "leaveLoyaltyProgram",
                "Leave a loyalty program",
            )
            .permission(P::ProfileDelete)
            .if_match()
            .errors(&[E::NOT_FOUND, E::PROFILE_NOT_ACTIVE]),
            &loyalty::leave::<H::Db>,
        ),
        route(
            op(
                "GET",
                "/customers/v2/profiles/{customerNumber}/loyalty-programs/{membershipId}/transactions",
                "listLoyaltyTransactions",
                "List a membership's transactions",
            )
            .query()
            .permission(P::ProfileRead)
            .errors(&[E::INVALID_LIMIT, E::INVALID_CURSOR, E::NOT_FOUND]),
            &loyalty::transactions::<H::Db>,
        ),
        route(
            op(
                "POST",
                "/customers/v2/profiles/{customerNumber}/loyalty-programs/{membershipId}/transactions",
                "addLoyaltyTransaction",
                "Change a membership's balance",
            )
            .permission(P::ProfileCreate)
            .body()
            .idempotent()
            .errors(&[
                E::REQUIRED,
                E::INVALID_AMOUNT,
                E::TOO_LONG,
                E::INVALID_CHARACTERS,
                E::TIMED_PROGRAM_HAS_NO_BALANCE,
                E::LOYALTY_PROGRAM_NOT_VALID,
                E::NOT_FOUND,
                E::INSUFFICIENT_BALANCE,
                E::PROFILE_NOT_ACTIVE,
            ]),
            &loyalty::transact::<H::Db>,
        ),
        route(
            op(
                "POST",
                "/customers/v1/profiles",
                "createProfileV1",
                "Create a permanent profile (v1, deprecated)",
            )
            .permission(P::ProfileCreate)
            .body()
            .idempotent()
            .errors(&[
                E::REQUIRED,
                E::TOO_LONG,
                E::INVALID_CHARACTERS,
                E::INVALID_CUSTOMER_REF,
                E::INVALID_EMAIL,
                E::INVALID_LANGUAGE,
                E::INVALID_DATE,
                E::INVALID_DATE_OF_BIRTH,
                E::INVALID_TELEPHONE,
                E::WEAK_PASSWORD,
                E::ORGANISATION_MISMATCH,
                E::DUPLICATE_EMAIL,
                E::DUPLICATE_CUSTOMER_REF,
            ]),
            &profiles::create::<H::Db>,
        ),
        route(
            op("GET", "/customers/v1/profiles", "searchProfilesV1", "Search profiles (v1, deprecated)")
                .query()
                .permission(P::ProfileRead)
                .errors(&[
                    E::UNKNOWN_PARAMETER,
                    E::MISSING_SEARCH_CRITERIA,
                    E::INVALID_DATE,
                    E::INVALID_BOOLEAN,
                    E::INVALID_TELEPHONE,
                    E::INVALID_LIMIT,
                    E::INVALID_CURSOR,
                ]),
            &profiles::search::<H::Db>,
        ),
        route(
            op(
                "GET",
                "/customers/v1/profiles/by-customer-ref/{customerRef}",
                "getProfileByCustomerRefV1",
                "Get a profile by its customerRef (v1, deprecated)",
            )
            .permission(P::ProfileRead)
            .errors(&[E::NOT_FOUND]),
            &profiles::get_by_ref::<H::Db>,
        ),
        route(
            op(
                "GET",
                "/customers/v1/profiles/{customerNumber}",
                "getProfileV1",
                "Get a permanent profile (v1, deprecated)",
            )
            .query()
            .permission(P::ProfileRead)
            .errors(&[E::INVALID_BOOLEAN, E::NOT_FOUND]),
            &profiles::get::<H::Db>,
        ),
        route(
            op(
                "PUT",
                "/customers/v1/profiles/{customerNumber}",
                "replaceProfileV1",
                "Replace a profile's editable fields (v1, deprecated)",
            )
            .permission(P::ProfileChange)
            .body()
            .if_match()
            .errors(&[
                E::REQUIRED,
                E::TOO_LONG,
                E::INVALID_CHARACTERS,
                E::INVALID_CUSTOMER_REF,
                E::INVALID_EMAIL,
                E::INVALID_LANGUAGE,
                E::INVALID_DATE,
                E::INVALID_DATE_OF_BIRTH,
                E::INVALID_TELEPHONE,
                E::ORGANISATION_MISMATCH,
                E::NOT_FOUND,
                E::DUPLICATE_EMAIL,
                E::DUPLICATE_CUSTOMER_REF,
            ]),
            &profiles::replace::<H::Db>,
        ),
        route(
            op(
                "PATCH",
                "/customers/v1/profiles/{customerNumber}",
                "patchProfileV1",
                "Change some of a profile's fields (JSON Merge Patch) (v1, deprecated)",
            )
            .permission(P::ProfileChange)
            .body()
            .if_match()
            .errors(&[
                E::REQUIRED,
                E::TOO_LONG,
                E::INVALID_CHARACTERS,
                E::INVALID_CUSTOMER_REF,
                E::INVALID_EMAIL,
                E::INVALID_LANGUAGE,
                E::INVALID_DATE,
                E::INVALID_DATE_OF_BIRTH,
                E::INVALID_TELEPHONE,
                E::ORGANISATION_MISMATCH,
                E::NOT_FOUND,
                E::DUPLICATE_EMAIL,
                E::DUPLICATE_CUSTOMER_REF,
            ]),
            &profiles::patch::<H::Db>,
        ),
        route(
            op(
                "DELETE",
                "/customers/v1/profiles/{customerNumber}",
                "eraseProfileV1",
                "Erase a profile (GDPR) (v1, deprecated)",
            )
            .permission(P::ProfileDelete)
            .if_match()
            .errors(&[E::NOT_FOUND]),
            &profiles::erase::<H::Db>,
        ),
    ];

    /// `catalogues`: the organisation's catalogues, its preference definitions and loyalty
    /// programs (contract §3). A component of their own: they change rarely, and `profiles`
    /// stays under its size budget without their handlers.
    pub const CATALOGUES: &'static [Row<H>] = &[
        route(
            op(
                "GET",
                "/customers/v2/preferences",
                "listPreferenceDefinitions",
                "List the organisation's preference definitions",
            )
            .permission(P::ProfileRead),
            &catalogue::preferences::<H::Db>,
        ),
        route(
            op(
                "POST",
                "/customers/v2/preferences",
                "createPreferenceDefinition",
                "Create a preference definition",
            )
            .permission(P::ProfileChange)
            .body()
            .idempotent()
            .errors(&[
                E::REQUIRED,
                E::INVALID_PREFERENCE_CODE,
                E::INVALID_PREFERENCE_TYPE,
                E::TOO_LONG,
                E::INVALID_CHARACTERS,
                E::ORGANISATION_MISMATCH,
                E::DUPLICATE_PREFERENCE_CODE,
            ]),
            &catalogue::create_preference::<H::Db>,
        ),
        route(
            op(
                "GET",
                "/customers/v2/preferences/{id}",
                "getPreferenceDefinition",
                "Get a preference definition",
            )
            .permission(P::ProfileRead)
            .errors(&[E::NOT_FOUND]),
            &catalogue::get_preference::<H::Db>,
        ),
        route(
            op(
                "PUT",
                "/customers/v2/preferences/{id}",
                "replacePreferenceDefinition",
                "Replace a preference definition",
            )
            .permission(P::ProfileChange)
            .body()
            .if_match()
            .errors(&[
                E::REQUIRED,
                E::INVALID_PREFERENCE_CODE,
                E::INVALID_PREFERENCE_TYPE,
                E::TOO_LONG,
                E::INVALID_CHARACTERS,
                E::ORGANISATION_MISMATCH,
                E::NOT_FOUND,
                E::DUPLICATE_PREFERENCE_CODE,
                E::PREFERENCE_IN_USE,
            ]),
            &catalogue::replace_preference::<H::Db>,
        ),
        route(
            op(
                "DELETE",
                "/customers/v2/preferences/{id}",
                "deletePreferenceDefinition",
                "Delete a preference definition",
            )
            .permission(P::ProfileDelete)
            .if_match()
            .errors(&[E::NOT_FOUND, E::PREFERENCE_IN_USE]),
            &catalogue::delete_preference::<H::Db>,
        ),
        route(
            op(
                "GET",
                "/customers/v2/loyalty-programs",
                "listLoyaltyPrograms",
                "List the organisation's loyalty programs",
            )
            .permission(P::ProfileRead),
            &catalogue::programs::<H::Db>,
        ),
        route(
            op("POST", "/customers/v2/loyalty-programs", "createLoyaltyProgram", "Create a loyalty program")
                .permission(P::ProfileChange)
                .body()
                .idempotent()
                .errors(&[
                    E::REQUIRED,
                    E::INVALID_PROGRAM_TYPE,
                    E::INVALID_DATE,
                    E::INVALID_VALIDITY_PERIOD,
                    E::TOO_LONG,
                    E::INVALID_CHARACTERS,
                    E::ORGANISATION_MISMATCH,
                ]),
            &catalogue::create_program::<H::Db>,
        ),
        route(
            op("GET", "/customers/v2/loyalty-programs/{id}", "getLoyaltyProgram", "Get a loyalty program")
                .permission(P::ProfileRead)
                .errors(&[E::NOT_FOUND]),
            &catalogue::get_program::<H::Db>,
        ),
        route(
            op(
                "PUT",
                "/customers/v2/loyalty-programs/{id}",
                "replaceLoyaltyProgram",
                "Replace a loyalty program",
            )
            .permission(P::ProfileChange)
            .body()
            .if_match()
            .errors(&[
                E::REQUIRED,
                E::INVALID_PROGRAM_TYPE,
                E::INVALID_DATE,
                E::INVALID_VALIDITY_PERIOD,
                E::TOO_LONG,
                E::INVALID_CHARACTERS,
                E::ORGANISATION_MISMATCH,
                E::NOT_FOUND,
                E::LOYALTY_PROGRAM_IN_USE,
            ]),
            &catalogue::replace_program::<H::Db>,
        ),
    ];

    /// `temporary-profiles`: temporary profiles (contract §4) and the purge (§5).
    pub const TEMPORARY_PROFILES: &'static [Row<H>] = &[
route(op("POST", "/customers/v2/profiles/temporary", "createTemporaryProfile", "Create a temporary profile").permission(P::ProfileCreate).body().idempotent().errors(&[E::REQUIRED, E::TOO_LONG, E::INVALID_CHARACTERS, E::INVALID_CUSTOMER_REF, E::INVALID_EMAIL, E::INVALID_LANGUAGE, E::INVALID_DATE, E::INVALID_DATE_OF_BIRTH, E::INVALID_TELEPHONE, E::INVALID_EXPIRATION_DATE, E::EXPIRATION_DATE_IN_THE_PAST, E::EXPIRATION_DATE_TOO_FAR, E::ORGANISATION_MISMATCH, E::DUPLICATE_CUSTOMER_REF]), &temporary::create::<H::Db>),
route(op("GET", "/customers/v2/profiles/temporary/{customerNumber}", "getTemporaryProfile", "Get a temporary profile").permission(P::ProfileRead).errors(&[E::NOT_FOUND]), &temporary::get::<H::Db>),
route(op("PUT", "/customers/v2/profiles/temporary/{customerNumber}", "replaceTemporaryProfile", "Replace a temporary profile").permission(P::ProfileChange).body().if_match().errors(&[E::REQUIRED, E::TOO_LONG, E::INVALID_CHARACTERS, E::INVALID_CUSTOMER_REF, E::INVALID_EMAIL, E::INVALID_LANGUAGE, E::INVALID_DATE, E::INVALID_DATE_OF_BIRTH, E::INVALID_TELEPHONE, E::INVALID_EXPIRATION_DATE, E::EXPIRATION_DATE_IN_THE_PAST, E::EXPIRATION_DATE_TOO_FAR, E::ORGANISATION_MISMATCH, E::NOT_FOUND, E::DUPLICATE_CUSTOMER_REF]), &temporary::replace::<H::Db>),
route(op("DELETE", "/customers/v2/profiles/temporary/{customerNumber}", "eraseTemporaryProfile", "Erase a temporary profile").permission(P::ProfileDelete).if_match().errors(&[E::NOT_FOUND]), &profiles::erase::<H::Db>),
route(op("POST", "/customers/v2/profiles/temporary/{customerNumber}/convert", "convertTemporaryProfile", "Make a temporary profile permanent").permission(P::ProfileChange).body().if_match().errors(&[E::REQUIRED, E::TOO_LONG, E::INVALID_CHARACTERS, E::INVALID_EMAIL, E::WEAK_PASSWORD, E::NOT_FOUND, E::DUPLICATE_EMAIL]), &temporary::convert::<H::Db>),
route(op("GET", "/customers/v2/profiles/temporary/{customerNumber}/postal-addresses", "listTemporaryPostalAddresses", "List the postal addresses of a temporary profile").permission(P::ProfileRead).errors(&[E::NOT_FOUND]), &addresses::list::<H::Db>),
route(op("POST", "/customers/v2/profiles/temporary/{customerNumber}/postal-addresses", "createTemporaryPostalAddress", "Add a postal address to a temporary profile").permission(P::ProfileCreate).body().idempotent().errors(&[E::REQUIRED, E::TOO_LONG, E::INVALID_CHARACTERS, E::INVALID_POST_CODE, E::INVALID_COUNTRY_CODE, E::NOT_FOUND, E::PROFILE_NOT_ACTIVE]), &addresses::create::<H::Db>),
route(op("GET", "/customers/v2/profiles/temporary/{customerNumber}/postal-addresses/{id}", "getTemporaryPostalAddress", "Get a postal address of a temporary profile").permission(P::ProfileRead).errors(&[E::NOT_FOUND]), &addresses::get::<H::Db>),
route(op("PUT", "/customers/v2/profiles/temporary/{customerNumber}/postal-addresses/{id}", "replaceTemporaryPostalAddress", "Replace a postal address of a temporary profile").permission(P::ProfileChange).body().if_match().errors(&[E::REQUIRED, E::TOO_LONG, E::INVALID_CHARACTERS, E::INVALID_POST_CODE, E::INVALID_COUNTRY_CODE, E::NOT_FOUND, E::PROFILE_NOT_ACTIVE]), &addresses::replace::<H::Db>),
route(op("DELETE", "/customers/v2/profiles/temporary/{customerNumber}/postal-addresses/{id}", "deleteTemporaryPostalAddress", "Remove a postal address of a temporary profile").permission(P::ProfileDelete).if_match().errors(&[E::NOT_FOUND, E::PROFILE_NOT_ACTIVE]), &addresses::delete::<H::Db>),
route(op("GET", "/customers/v2/profiles/temporary/{customerNumber}/preferences", "listTemporaryCustomerPreferences", "List the preference values of a temporary profile").permission(P::ProfileRead).errors(&[E::NOT_FOUND]), &preferences::list::<H::Db>),
route(op("PUT", "/customers/v2/profiles/temporary/{customerNumber}/preferences/{preferenceCode}", "setTemporaryCustomerPreference", "Set a preference value of a temporary profile").permission(P::ProfileChange).body().if_match().errors(&[E::UNKNOWN_PREFERENCE_CODE, E::PREFERENCE_INACTIVE, E::REQUIRED, E::INVALID_PREFERENCE_VALUE, E::TOO_LONG, E::INVALID_CHARACTERS, E::NOT_FOUND, E::PROFILE_NOT_ACTIVE]), &preferences::set::<H::Db>),
route(op("DELETE", "/customers/v2/profiles/temporary/{customerNumber}/preferences/{preferenceCode}", "deleteTemporaryCustomerPreference", "Remove a preference value of a temporary profile").permission(P::ProfileDelete).if_match().errors(&[E::NOT_FOUND, E::PROFILE_NOT_ACTIVE]), &preferences::delete::<H::Db>),
route(op("GET", "/customers/v2/profiles/temporary/{customerNumber}/ecards", "listTemporaryECards", "Ecards of a temporary profile (refused)").any_token().errors(&[E::NOT_ALLOWED_FOR_TEMPORARY_PROFILE]), &temporary::not_allowed::<H::Db>),
route(op("POST", "/customers/v2/profiles/temporary/{customerNumber}/ecards", "createTemporaryECard", "Register an ecard (refused)").any_token().errors(&[E::NOT_ALLOWED_FOR_TEMPORARY_PROFILE]), &temporary::not_allowed::<H::Db>),
route(op("DELETE", "/customers/v2/profiles/temporary/{customerNumber}/ecards/{id}", "deleteTemporaryECard", "Remove an ecard (refused)").any_token().errors(&[E::NOT_ALLOWED_FOR_TEMPORARY_PROFILE]), &temporary::not_allowed::<H::Db>),
route(op("GET", "/customers/v2/profiles/temporary/{customerNumber}/loyalty-programs", "listTemporaryLoyaltyMemberships", "Loyalty memberships of a temporary profile (refused)").any_token().errors(&[E::NOT_ALLOWED_FOR_TEMPORARY_PROFILE]), &temporary::not_allowed::<H::Db>),
route(op("POST", "/customers/v2/profiles/temporary/{customerNumber}/loyalty-programs", "joinTemporaryLoyaltyProgram", "Join a loyalty program (refused)").any_token().errors(&[E::NOT_ALLOWED_FOR_TEMPORARY_PROFILE]), &temporary::not_allowed::<H::Db>),
route(op("DELETE", "/customers/v2/profiles/temporary/{customerNumber}/loyalty-programs/{membershipId}", "leaveTemporaryLoyaltyProgram", "Leave a loyalty program (refused)").any_token().errors(&[E::NOT_ALLOWED_FOR_TEMPORARY_PROFILE]), &temporary::not_allowed::<H::Db>),
route(op("GET", "/customers/v2/profiles/temporary/{customerNumber}/loyalty-programs/{membershipId}/transactions", "listTemporaryLoyaltyTransactions", "Loyalty transactions (refused)").any_token().errors(&[E::NOT_ALLOWED_FOR_TEMPORARY_PROFILE]), &temporary::not_allowed::<H::Db>),
route(op("POST", "/customers/v2/profiles/temporary/{customerNumber}/loyalty-programs/{membershipId}/transactions", "addTemporaryLoyaltyTransaction", "Add a loyalty transaction (refused)").any_token().errors(&[E::NOT_ALLOWED_FOR_TEMPORARY_PROFILE]), &temporary::not_allowed::<H::Db>),
route(op("POST", "/customers/v2/admin/purge-expired", "purgeExpired", "Purge expired profiles now").permission(P::ProfileDelete), &purge_expired::<H>),
    ];

    /// `consents`: consents (contract §6), the change feed, the legacy consent model.
    pub const CONSENTS: &'static [Row<H>] = &[
        route(
            op("GET", "/customers/v2/events", "listEvents", "Follow the change feed")
                .any_of(&[P::ProfileRead, P::ConsentsRead])
                .query()
                .errors(&[
                    E::INVALID_LIMIT,
                    E::INVALID_CURSOR,
                    E::INVALID_EVENT_TYPE,
                    E::INVALID_CUSTOMER_NUMBER,
                ]),
            &events::list::<H::Db>,
        ),
        route(
            op(
                "POST",
                "/customers/v2/consents/admin/consent-bases",
                "createConsentBase",
                "Create a consent base",
            )
            .permission(P::ConsentsAdmin)
            .body()
            .idempotent()
            .errors(&[
                E::REQUIRED,
                E::TOO_LONG,
                E::INVALID_CHARACTERS,
                E::INVALID_LANGUAGE,
                E::DUPLICATE_LANGUAGE,
                E::INVALID_CONSENT_CODE,
                E::ORGANISATION_MISMATCH,
                E::DUPLICATE_CONSENT_CODE,
            ]),
            &admin::create_base::<H::Db>,
        ),
        route(
            op("GET", "/customers/v2/consents/admin/consent-bases", "listConsentBases", "List consent bases")
                .permission(P::ConsentsAdmin),
            &admin::list_bases::<H::Db>,
        ),
        route(
            op(
                "GET",
                "/customers/v2/consents/admin/consent-bases/{consentCode}",
                "getConsentBase",
                "Get a consent base (latest version)",
            )
            .permission(P::ConsentsAdmin)
            .errors(&[E::NOT_FOUND]),
            &admin::get_base::<H::Db>,
        ),
        route(
            op(
                "PUT",
                "/customers/v2/consents/admin/consent-bases/{consentCode}",
                "replaceConsentBase",
                "Change a consent base's terms",
            )
            .permission(P::ConsentsAdmin)
            .body()
            .if_match()
            .errors(&[
                E::REQUIRED,
                E::TOO_LONG,
                E::INVALID_CHARACTERS,
                E::INVALID_LANGUAGE,
                E::DUPLICATE_LANGUAGE,
                E::CONSENT_CODE_MISMATCH,
                E::ORGANISATION_MISMATCH,
                E::NOT_FOUND,
                E::CONSENT_BASE_NOT_OWNED,
            ]),
            &admin::replace_base::<H::Db>,
        ),
        route(
            op(
                "GET",
                "/customers/v2/consents/admin/consent-bases/{consentCode}/versions/{version}",
                "getConsentBaseVersion",
                "Get one version of a consent base",
            )
            .permission(P::ConsentsAdmin)
            .errors(&[E::NOT_FOUND]),
            &admin::get_base_version::<H::Db>,
        ),
        route(
            op("POST", "/customers/v2/consents/admin/consents", "createConsent", "Create a consent")
                .permission(P::ConsentsAdmin)
                .body()
                .idempotent()
                .errors(&[
                    E::REQUIRED,
                    E::TOO_LONG,
                    E::INVALID_CONSENT_CODE,
                    E::INVALID_VERSION,
                    E::INVALID_DATE_TIME,
                    E::VALID_TO_WITHOUT_VALID_FROM,
                    E::INVALID_PERIOD,
                    E::VALID_TO_IN_THE_PAST,
                    E::ORGANISATION_MISMATCH,
                    E::NOT_FOUND,
                    E::OVERLAPPING_CONSENT,
                ]),
            &admin::create_consent::<H::Db>,
        ),
        route(
            op(
                "GET",
                "/customers/v2/consents/admin/consents",
                "listConsentsAdmin",
                "List the organisation's consents, drafts included",
            )
            .query()
            .permission(P::ConsentsAdmin)
            .errors(&[
                E::TOO_LONG,
                E::INVALID_CONSENT_CODE,
                E::INVALID_VERSIONS,
                E::INVALID_BOOLEAN,
            ]),
            &admin::list_consents::<H::Db>,
        ),
        route(
            op("GET", "/customers/v2/consents/admin/consents/{id}", "getConsent", "Get a consent")
                .permission(P::ConsentsAdmin)
                .errors(&[E::NOT_FOUND]),
            &admin::get_consent::<H::Db>,
        ),
        route(
            op(
                "PUT",
                "/customers/v2/consents/admin/consents/{id}",
                "replaceConsent",
                "Replace a draft consent",
            )
            .permission(P::ConsentsAdmin)
            .body()
            .if_match()
            .errors(&[
                E::REQUIRED,
                E::TOO_LONG,
                E::INVALID_CONSENT_CODE,
                E::INVALID_VERSION,
                E::INVALID_DATE_TIME,
                E::VALID_TO_WITHOUT_VALID_FROM,
                E::INVALID_PERIOD,
                E::VALID_TO_IN_THE_PAST,
                E::ORGANISATION_MISMATCH,
                E::NOT_FOUND,
                E::CONSENT_NOT_DRAFT,
                E::OVERLAPPING_CONSENT,
            ]),
            &admin::replace_consent::<H::Db>,
        ),
        route(
            op(
                "PATCH",
                "/customers/v2/consents/admin/consents/{id}",
                "patchConsent",
                "Change a consent (JSON Merge Patch)",
            )
            .permission(P::ConsentsAdmin)
            .body()
            .if_match()
            .errors(&[
                E::REQUIRED,
                E::TOO_LONG,
                E::INVALID_CONSENT_CODE,
                E::INVALID_VERSION,
                E::INVALID_DATE_TIME,
                E::VALID_TO_WITHOUT_VALID_FROM,
                E::INVALID_PERIOD,
                E::VALID_TO_IN_THE_PAST,
                E::ORGANISATION_MISMATCH,
                E::NOT_FOUND,
                E::CONSENT_NOT_DRAFT,
                E::CONSENT_INACTIVE,
                E::OVERLAPPING_CONSENT,
            ]),
            &admin::patch_consent::<H::Db>,
        ),
        route(
            op(
                "GET",
                "/customers/v2/consents/client/consents",
                "listConsents",
                "List the organisation's consents",
            )
            .query()
            .permission(P::ConsentsRead)
            .errors(&[
                E::TOO_LONG,
                E::INVALID_CONSENT_CODE,
                E::INVALID_VERSIONS,
                E::INVALID_BOOLEAN,
            ]),
            &client::list_consents::<H::Db>,
        ),
        route(
            op(
                "POST",
                "/customers/v2/consents/client/given-consents",
                "giveConsent",
                "Record a customer's choice for a consent",
            )
            .permission(P::ConsentsChange)
            .body()
            .idempotent()
            .errors(&[
                E::REQUIRED,
                E::INVALID_CUSTOMER_NUMBER,
                E::INVALID_CONSENT_ID,
                E::TOO_LONG,
                E::INVALID_CHARACTERS,
                E::INVALID_EXPIRATION_DATE,
                E::INVALID_DATE,
                E::EXPIRATION_DATE_IN_THE_PAST,
                E::NOT_FOUND,
                E::CONSENT_NOT_ACTIVE,
            ]),
            &client::give::<H::Db>,
        ),
        route(
            op(
                "GET",
                "/customers/v2/consents/client/given-consents",
                "listGivenConsents",
                "List a customer's given consents",
            )
            .query()
            .permission(P::ConsentsRead)
            .errors(&[E::REQUIRED, E::INVALID_CUSTOMER_NUMBER, E::NOT_FOUND]),
            &client::list_given::<H::Db>,
        ),
        route(
            op(
                "GET",
                "/customers/v2/consents/client/given-consents/history",
                "getGivenConsentHistory",
                "A customer's consent history",
            )
            .query()
            .permission(P::ConsentsRead)
            .errors(&[E::REQUIRED, E::INVALID_CUSTOMER_NUMBER, E::NOT_FOUND]),
            &client::history::<H::Db>,
        ),
        route(
            op(
                "PUT",
                "/customers/v2/consents/client/given-consents/bulk",
                "bulkGiveConsents",
                "Record many choices at once",
            )
            .permission(P::ConsentsChange)
            .body()
            .errors(&[
                E::REQUIRED,
                E::INVALID_CUSTOMER_NUMBER,
                E::INVALID_CONSENT_ID,
                E::TOO_LONG,
                E::INVALID_CHARACTERS,
                E::INVALID_EXPIRATION_DATE,
                E::INVALID_DATE,
                E::EXPIRATION_DATE_IN_THE_PAST,
                E::INVALID_BULK_SIZE,
                E::DUPLICATE_GIVEN_CONSENT,
                E::NOT_FOUND,
                E::CONSENT_NOT_ACTIVE,
            ]),
            &client::bulk::<H::Db>,
        ),
        route(
            op(
                "GET",
                "/customers/v2/consents/client/given-consents/{id}",
                "getGivenConsent",
                "Get a given consent",
            )
            .permission(P::ConsentsRead)
            .errors(&[E::NOT_FOUND]),
            &client::get_given::<H::Db>,
        ),
        route(
            op(
                "DELETE",
                "/customers/v2/consents/client/given-consents/{id}",
                "deleteGivenConsent",
                "Delete a given consent",
            )
            .permission(P::ConsentsChange)
            .if_match()
            .errors(&[E::NOT_FOUND]),
            &client::delete_given::<H::Db>,
        ),
        route(
            op(
                "GET",
                "/customers/v2/consents/crm",
                "listConsentsForCrm",
                "CRM listing of the organisation's given consents",
            )
            .query()
            .permission(P::ConsentsRead)
            .errors(&[
                E::INVALID_ID_LIST,
                E::INVALID_BOOLEAN,
                E::INVALID_LIMIT,
                E::INVALID_CURSOR,
            ]),
            &crm::list::<H::Db>,
        ),
        route(
            op(
                "GET",
                "/customers/v2/consents/v1/{customerNumber}",
                "listLegacyConsents",
                "A customer's v1 consents",
            )
            .permission(P::ConsentsRead)
            .errors(&[E::NOT_FOUND]),
            &legacy::list::<H::Db>,
        ),
        route(
            op(
                "GET",
                "/customers/v2/consents/v1/{customerNumber}/{consentCode}",
                "getLegacyConsent",
                "A customer's v1 consent for one code",
            )
            .permission(P::ConsentsRead)
            .errors(&[E::NOT_FOUND]),
            &legacy::get::<H::Db>,
        ),
        route(
            op(
                "PUT",
                "/customers/v2/consents/v1/{customerNumber}/{consentCode}",
                "putLegacyConsent",
                "Record a customer's v1 choice",
            )
            .permission(P::ConsentsChange)
            .body()
            .if_match()
            .errors(&[E::REQUIRED, E::NOT_FOUND]),
            &legacy::put::<H::Db>,
        ),
        route(
            op(
                "DELETE",
                "/customers/v2/consents/v1/{customerNumber}/{consentCode}",
                "deleteLegacyConsent",
                "Delete a customer's v1 choice",
            )
            .permission(P::ConsentsChange)
            .if_match()
            .errors(&[E::NOT_FOUND]),
            &legacy::delete::<H::Db>,
        ),
        route(
            op(
                "GET",
                "/customers/v1/consents/{customerNumber}",
                "listLegacyConsentsV1Path",
                "A customer's v1 consents",
            )
            .permission(P::ConsentsRead)
            .errors(&[E::NOT_FOUND]),
            &legacy::list::<H::Db>,
        ),
        route(
            op(
                "GET",
                "/customers/v1/consents/{customerNumber}/{consentCode}",
                "getLegacyConsentV1Path",
                "A customer's v1 consent for one code",
            )
            .permission(P::ConsentsRead)
            .errors(&[E::NOT_FOUND]),
            &legacy::get::<H::Db>,
        ),
        route(
            op(
                "PUT",
                "/customers/v1/consents/{customerNumber}/{consentCode}",
                "putLegacyConsentV1Path",
                "Record a customer's v1 choice",
            )
            .permission(P::ConsentsChange)
            .body()
            .if_match()
            .errors(&[E::REQUIRED, E::NOT_FOUND]),
            &legacy::put::<H::Db>,
        ),
        route(
            op(
                "DELETE",
                "/customers/v1/consents/{customerNumber}/{consentCode}",
                "deleteLegacyConsentV1Path",
                "Delete a customer's v1 choice",
            )
            .permission(P::ConsentsChange)
            .if_match()
            .errors(&[E::NOT_FOUND]),
            &legacy::delete::<H::Db>,
        ),
    ];
}

// The paths a component answers without a token, before routing.
pub const HEALTH: Operation = op("GET", "/health", "getHealth", "Liveness and database check").public();
pub const PROFILES_HEALTH: Operation = op(
    "GET",
    "/health/profiles",
    "getProfilesHealth",
    "Liveness and database check of the profiles component",
)
.public();
pub const CATALOGUES_HEALTH: Operation = op(
    "GET",
    "/health/catalogues",
    "getCataloguesHealth",
    "Liveness and database check of the catalogues component",
)
.public();
pub const TEMPORARY_PROFILES_HEALTH: Operation = op(
    "GET",
    "/health/temporary-profiles",
    "getTemporaryProfilesHealth",
    "Liveness and database check of the temporary-profiles component",
)
.public();
pub const CONSENTS_HEALTH: Operation = op(
    "GET",
    "/health/consents",
    "getConsentsHealth",
    "Liveness and database check of the consents component",
)
.public();
pub const OPENAPI_DOCUMENT: Operation =
    op("GET", "/customers/v2/openapi.json", "getOpenApiDocument", "This OpenAPI document").public();
pub const ISSUE_TOKEN: Operation =
    op("POST", "/oauth/token", "issueToken", "Get a token (client credentials)")
        .public()
        .lenient_body()
        .errors(&[
            E::UNSUPPORTED_GRANT_TYPE,
            E::INVALID_AUDIENCE,
            E::INVALID_CLIENT,
            E::NOT_FOUND,
            E::INTERNAL_ERROR,
        ]);
pub const JWKS: Operation = op("GET", "/.well-known/jwks.json", "getJwks", "The local issuer's public keys")
    .public()
    .errors(&[E::NOT_FOUND, E::INTERNAL_ERROR]);

/// The health paths of each API component (`GET`, no token).
pub const PROFILES_PUBLIC: &[Operation] = &[HEALTH, PROFILES_HEALTH];
pub const CATALOGUES_PUBLIC: &[Operation] = &[CATALOGUES_HEALTH];
pub const TEMPORARY_PROFILES_PUBLIC: &[Operation] = &[TEMPORARY_PROFILES_HEALTH];
pub const CONSENTS_PUBLIC: &[Operation] = &[CONSENTS_HEALTH];

/// Every component (as `spin.toml` names it) with every operation it serves: public ones
/// first, then its route table. For the tests and the document generator.
pub fn components() -> Vec<(&'static str, Vec<&'static Operation>)> {
    fn ops(public: &'static [Operation], table: &'static [Row<NoHost>]) -> Vec<&'static Operation> {
        public.iter().chain(table.iter().map(|row| &row.op)).collect()
    }
    vec![
        ("profiles", ops(PROFILES_PUBLIC, Tables::<NoHost>::PROFILES)),
        ("catalogues", ops(CATALOGUES_PUBLIC, Tables::<NoHost>::CATALOGUES)),
        ("temporary-profiles", ops(TEMPORARY_PROFILES_PUBLIC, Tables::<NoHost>::TEMPORARY_PROFILES)),
        ("consents", ops(CONSENTS_PUBLIC, Tables::<NoHost>::CONSENTS)),
        ("openapi", vec![&OPENAPI_DOCUMENT]),
        ("token-issuer", vec![&ISSUE_TOKEN, &JWKS]),
    ]
}

/// The tables without a host, for reading their operations; never called.
struct NoHost;
struct NoDb;

impl Db for NoDb {
    async fn execute(&self, _: &str, _: &[domain::db::Value]) -> Result<domain::db::Rows, errors::DbError> {
        unreachable!("the table of operations is never served")
    }
}

impl Host for NoHost {
    type Db = NoDb;
    fn event_retention_days() -> Result<i64, ApiError> {
        unreachable!("the table of operations is never served")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_operation_is_served_once_and_named_once() {
        let (mut routes, mut ids) = (BTreeSet::new(), BTreeSet::new());
        for (component, operations) in components() {
            for op in operations {
                assert!(
                    routes.insert((op.method, op.template)),
                    "{component}: {} {} twice",
                    op.method,
                    op.template
                );
                assert!(ids.insert(op.id), "{component}: operationId {} twice", op.id);
            }
        }
    }

    #[test]
    fn every_code_but_three_is_raised_by_some_operation() {
        let raised: BTreeSet<E> = components()
            .into_iter()
            .flat_map(|(_, ops)| ops)
            .flat_map(|op| op.error_codes())
            .flat_map(|(_, codes)| codes)
            .collect();
        let outside = [E::CORS_ORIGIN_NOT_ALLOWED, E::METHOD_NOT_ALLOWED, E::VALIDATION_FAILED];
        let unraised: Vec<&E> =
            E::ALL.iter().filter(|c| !raised.contains(c) && !outside.contains(c)).collect();
        assert!(unraised.is_empty(), "codes no operation raises: {unraised:?}");
    }
}
