//! The table of every `errorCode` the service can produce: the code, its HTTP status and what
//! it means. Every place that raises an error names an entry ([`ErrorCode`]); the status of
//! an [`crate::ApiError`] is its code's, and the OpenAPI document's error-code list and each
//! operation's error responses are read from here (`openapi-gen`). The meanings are only read
//! by the generator, so they do not reach the components' `.wasm`.

use serde::{Serialize, Serializer};
use std::fmt;

macro_rules! error_codes {
    ($($variant:ident = $code:literal, $status:literal, $meaning:literal;)*) => {
        /// One row of the table. Variants are named as their code reads on the wire (the one
        /// exception: Entur's telephone code `605` is [`ErrorCode::INVALID_TELEPHONE`]).
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum ErrorCode {
            $($variant,)*
        }

        impl ErrorCode {
            /// Every code, in the order of the table.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as the wire spells it (`errorCode`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }

            /// The HTTP status of an error with this code.
            pub const fn status(self) -> u16 {
                match self {
                    $(ErrorCode::$variant => $status,)*
                }
            }

            /// What the code means, for the OpenAPI document.
            pub const fn meaning(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $meaning,)*
                }
            }
        }
    };
}

error_codes! {
    // The error as a whole (`ApiError::code`).
    VALIDATION_FAILED = "VALIDATION_FAILED", 400, "One or more fields are invalid. Appears only in `type` (`.../errors/validation-failed`); `errors[]` then holds one entry per bad field, each with its own code.";
    INVALID_JSON = "INVALID_JSON", 400, "The body is not JSON of the expected shape (a wrong type names its `field`).";
    UNKNOWN_FIELD = "UNKNOWN_FIELD", 400, "The body has a member the operation does not know; `field` names it.";
    UNKNOWN_PARAMETER = "UNKNOWN_PARAMETER", 400, "A query parameter the operation does not take; `field` names it.";
    REPEATED_PARAMETER = "REPEATED_PARAMETER", 400, "A query parameter that takes one value is given more than once; `field` names it.";
    MISSING_TOKEN = "MISSING_TOKEN", 401, "No bearer token (`WWW-Authenticate: Bearer`).";
    INVALID_TOKEN = "INVALID_TOKEN", 401, "The bearer token does not verify (`WWW-Authenticate: Bearer error=\"invalid_token\"`); the reason is only logged.";
    INVALID_CLIENT = "INVALID_CLIENT", 401, "Local issuer: unknown client or wrong client secret.";
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS", 401, "verify-credentials: wrong password or unknown email (one answer for both).";
    MISSING_ORGANISATION = "MISSING_ORGANISATION", 403, "A valid token without the organisation claim.";
    MISSING_PERMISSION = "MISSING_PERMISSION", 403, "The token lacks the permission the operation needs.";
    ORGANISATION_MISMATCH = "ORGANISATION_MISMATCH", 403, "`organisationId` (or `consentOwnerOrgId`) in the body is not the token's organisation.";
    CORS_ORIGIN_NOT_ALLOWED = "CORS_ORIGIN_NOT_ALLOWED", 403, "A CORS preflight (`OPTIONS`) from an origin that is not in `cors_allowed_origins`.";
    NOT_FOUND = "NOT_FOUND", 404, "No such resource in the caller's organisation (another organisation's resource answers the same).";
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED", 405, "The path exists, but not with this method.";
    PRECONDITION_FAILED = "PRECONDITION_FAILED", 412, "`If-Match` does not name the current version.";
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE", 413, "The body is larger than 64 KiB.";
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE", 415, "The body is not `application/json` (a PATCH may also send `application/merge-patch+json`; a POST or PUT may not).";
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED", 422, "The `Idempotency-Key` was used with a different request within 24 hours.";
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS", 429, "verify-credentials: 5 consecutive failures for this email in the organisation; the password was not checked. `Retry-After` says when to try again (1 minute, doubling with each further failure, at most 1 hour). Unknown emails are locked alike.";
    INTERNAL_ERROR = "INTERNAL_ERROR", 500, "An unexpected error; the cause is logged with the correlation id, never sent.";
    ISSUER_UNAVAILABLE = "ISSUER_UNAVAILABLE", 503, "No key to check the token with: the issuer's JWKS (`jwt_jwks_url`) has not been fetched yet or cannot be fetched now, and no other key is trusted. `Retry-After` says when to try again.";
    DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE", 503, "The database cannot be reached now, stayed locked by other writers past the wait (5 s), or the database server cancelled the statement; the request had no effect. `Retry-After` says when to try again (a request with an `Idempotency-Key` may be sent again with it).";
    // Field errors (400 VALIDATION_FAILED entries) and 400s naming one parameter.
    REQUIRED = "REQUIRED", 400, "A required field or parameter is absent, null or blank.";
    TOO_LONG = "TOO_LONG", 400, "A text is longer than its limit.";
    INVALID_CHARACTERS = "INVALID_CHARACTERS", 400, "A text contains control characters.";
    INVALID_IDEMPOTENCY_KEY = "INVALID_IDEMPOTENCY_KEY", 400, "`Idempotency-Key` is not 1 to 255 visible ASCII characters (`field` is `Idempotency-Key`).";
    INVALID_EMAIL = "INVALID_EMAIL", 400, "`email` is not an email address.";
    INVALID_LANGUAGE = "INVALID_LANGUAGE", 400, "A language is not one of the accepted codes.";
    INVALID_DATE = "INVALID_DATE", 400, "A date is not a real date in the form `YYYY-MM-DD`.";
    INVALID_DATE_OF_BIRTH = "INVALID_DATE_OF_BIRTH", 400, "`dateOfBirth` is in the future or before 1900-01-01.";
    INVALID_TELEPHONE = "605", 400, "Entur's code for every telephone error: `countryCode`, `telephoneNumberNoCountryCode`, `telephoneNumber`, `landlineNumber`.";
    INVALID_CUSTOMER_REF = "INVALID_CUSTOMER_REF", 400, "`customerRef` starts with `~` (reserved).";
    WEAK_PASSWORD = "WEAK_PASSWORD", 400, "The password is not 7 to 128 characters with a lower-case letter, an upper-case letter and a digit.";
    INVALID_EXPIRATION_DATE = "INVALID_EXPIRATION_DATE", 400, "`expirationDate` is neither a date nor an RFC 3339 date-time.";
    EXPIRATION_DATE_IN_THE_PAST = "EXPIRATION_DATE_IN_THE_PAST", 400, "`expirationDate` is not in the future.";
    EXPIRATION_DATE_TOO_FAR = "EXPIRATION_DATE_TOO_FAR", 400, "A temporary profile's `expirationDate` is more than 400 days ahead.";
    INVALID_BOOLEAN = "INVALID_BOOLEAN", 400, "A boolean query parameter is not `true` or `false`.";
    INVALID_LIMIT = "INVALID_LIMIT", 400, "`limit` / `maxResultSet` is not a whole number from 1 to 1000.";
    INVALID_CURSOR = "INVALID_CURSOR", 400, "`cursor` (the change feed's `after`) is not a cursor this API issued.";
    INVALID_EVENT_TYPE = "INVALID_EVENT_TYPE", 400, "`types` names something that is not an event type.";
    MISSING_SEARCH_CRITERIA = "MISSING_SEARCH_CRITERIA", 400, "A search without any criterion (`field` is `query`).";
    INVALID_CUSTOMER_NUMBER = "INVALID_CUSTOMER_NUMBER", 400, "A customer number in a body or query is not a positive number.";
    CANNOT_CONNECT_TO_ITSELF = "CANNOT_CONNECT_TO_ITSELF", 400, "connect: `customerNumberToConnect` is the profile itself.";
    NOT_ALLOWED_FOR_TEMPORARY_PROFILE = "NOT_ALLOWED_FOR_TEMPORARY_PROFILE", 400, "Ecards and loyalty programs of a temporary profile.";
    INVALID_POST_CODE = "INVALID_POST_CODE", 400, "`postCode` is not 1 to 10 letters, digits, spaces or dashes, or not 4 digits for `NO`.";
    INVALID_COUNTRY_CODE = "INVALID_COUNTRY_CODE", 400, "`countryCode` is not an assigned ISO 3166-1 alpha-2 code.";
    UNKNOWN_PREFERENCE_CODE = "UNKNOWN_PREFERENCE_CODE", 400, "The organisation has no preference with this `preferenceCode`.";
    PREFERENCE_INACTIVE = "PREFERENCE_INACTIVE", 400, "The preference is inactive and takes no new values.";
    INVALID_PREFERENCE_VALUE = "INVALID_PREFERENCE_VALUE", 400, "`value` does not fit the preference's `preferenceType`.";
    INVALID_PREFERENCE_CODE = "INVALID_PREFERENCE_CODE", 400, "`preferenceCode` is not 1 to 50 letters, digits, `_`, `-` or `.`.";
    INVALID_PREFERENCE_TYPE = "INVALID_PREFERENCE_TYPE", 400, "`preferenceType` is not `BOOLEAN`, `STRING` or `NUMBER`.";
    INVALID_ECARD_NUMBER = "INVALID_ECARD_NUMBER", 400, "`ecardNumber` is not 0 to 999999999999, or `ecardNumber16digits` is not 16 digits.";
    INVALID_ECARD_OPERATOR = "INVALID_ECARD_OPERATOR", 400, "`ecardOperator` is not 0 to 9999.";
    ECARD_NUMBER_MISMATCH = "ECARD_NUMBER_MISMATCH", 400, "`ecardNumber16digits` disagrees with `ecardOperator` and `ecardNumber`.";
    INVALID_TIMESTAMP = "INVALID_TIMESTAMP", 400, "`startOfOwnership` is not an RFC 3339 date-time.";
    UNKNOWN_LOYALTY_PROGRAM = "UNKNOWN_LOYALTY_PROGRAM", 400, "The organisation has no loyalty program with this `programId`.";
    LOYALTY_PROGRAM_ENDED = "LOYALTY_PROGRAM_ENDED", 400, "The loyalty program's `validTo` has passed.";
    INVALID_AMOUNT = "INVALID_AMOUNT", 400, "`amount` is 0 or more than 1000000000 either way.";
    TIMED_PROGRAM_HAS_NO_BALANCE = "TIMED_PROGRAM_HAS_NO_BALANCE", 400, "A transaction on a membership of a `TIMED` program.";
    LOYALTY_PROGRAM_NOT_VALID = "LOYALTY_PROGRAM_NOT_VALID", 400, "A transaction while the program is not valid today.";
    INVALID_PROGRAM_TYPE = "INVALID_PROGRAM_TYPE", 400, "`type` is not `TIMED`, `COUPONS` or `POINTS`.";
    INVALID_VALIDITY_PERIOD = "INVALID_VALIDITY_PERIOD", 400, "A loyalty program's `validTo` is before its `validFrom`.";
    INVALID_CONSENT_CODE = "INVALID_CONSENT_CODE", 400, "A consent code is not 1 to 20 of `A-Z a-z 0-9 _ -`.";
    DUPLICATE_LANGUAGE = "DUPLICATE_LANGUAGE", 400, "A language appears more than once in `terms`.";
    CONSENT_CODE_MISMATCH = "CONSENT_CODE_MISMATCH", 400, "`consentCode` in the body is not the one of the path.";
    INVALID_DATE_TIME = "INVALID_DATE_TIME", 400, "`validFrom` / `validTo` is neither an RFC 3339 date-time nor a date.";
    INVALID_VERSION = "INVALID_VERSION", 400, "`consentBaseVersion` is not a positive version number.";
    VALID_TO_WITHOUT_VALID_FROM = "VALID_TO_WITHOUT_VALID_FROM", 400, "A consent's `validTo` without a `validFrom`.";
    INVALID_PERIOD = "INVALID_PERIOD", 400, "A consent's `validTo` is not after its `validFrom`.";
    VALID_TO_IN_THE_PAST = "VALID_TO_IN_THE_PAST", 400, "A consent's `validTo` being set lies in the past.";
    INVALID_CONSENT_ID = "INVALID_CONSENT_ID", 400, "`consentId` is not a positive number.";
    DUPLICATE_GIVEN_CONSENT = "DUPLICATE_GIVEN_CONSENT", 400, "A bulk request repeats a customer and consent.";
    INVALID_BULK_SIZE = "INVALID_BULK_SIZE", 400, "A bulk request holds fewer than 1 or more than 500 items (`field` is empty).";
    INVALID_VERSIONS = "INVALID_VERSIONS", 400, "`versions` is not `ALL`, `CURRENT` or a list of versions.";
    INVALID_ID_LIST = "INVALID_ID_LIST", 400, "`consentIds` is not a comma-separated list of positive ids.";
    UNSUPPORTED_GRANT_TYPE = "UNSUPPORTED_GRANT_TYPE", 400, "Local issuer: `grant_type` is not `client_credentials`.";
    INVALID_AUDIENCE = "INVALID_AUDIENCE", 400, "Local issuer: `audience` is not the configured `jwt_audience`.";
    // Conflicts.
    DUPLICATE_EMAIL = "DUPLICATE_EMAIL", 409, "The email is used by another active permanent profile of the organisation (compared case-insensitively).";
    DUPLICATE_CUSTOMER_REF = "DUPLICATE_CUSTOMER_REF", 409, "The `customerRef` is used by another profile of the organisation.";
    PROFILE_NOT_ACTIVE = "PROFILE_NOT_ACTIVE", 409, "The profile is deactivated or merged and takes no changes.";
    IDEMPOTENCY_KEY_IN_USE = "IDEMPOTENCY_KEY_IN_USE", 409, "A concurrent request with the same `Idempotency-Key` is being processed; retry.";
    ECARD_ALREADY_OWNED = "ECARD_ALREADY_OWNED", 409, "The ecard is registered to a profile of the organisation already.";
    LOYALTY_PROGRAM_ALREADY_JOINED = "LOYALTY_PROGRAM_ALREADY_JOINED", 409, "The customer is a member of the program already.";
    INSUFFICIENT_BALANCE = "INSUFFICIENT_BALANCE", 409, "The transaction would take the balance below zero.";
    DUPLICATE_PREFERENCE_CODE = "DUPLICATE_PREFERENCE_CODE", 409, "The organisation has a preference with this `preferenceCode` already.";
    PREFERENCE_IN_USE = "PREFERENCE_IN_USE", 409, "Customers hold values for the preference: it cannot be deleted or change its type.";
    LOYALTY_PROGRAM_IN_USE = "LOYALTY_PROGRAM_IN_USE", 409, "The program has members: its type cannot change.";
    DUPLICATE_CONSENT_CODE = "DUPLICATE_CONSENT_CODE", 409, "The organisation already sees a consent base of this code: its own, or a shared one (codes are unique within an organisation).";
    CONSENT_BASE_NOT_OWNED = "CONSENT_BASE_NOT_OWNED", 409, "A shared consent base cannot be changed through the API.";
    CONSENT_NOT_DRAFT = "CONSENT_NOT_DRAFT", 409, "Only a draft consent can be replaced; an active one can change only its channels and `validTo`.";
    CONSENT_INACTIVE = "CONSENT_INACTIVE", 409, "An inactive consent cannot be changed.";
    OVERLAPPING_CONSENT = "OVERLAPPING_CONSENT", 409, "Another consent with this code is valid in part of the period.";
    CONSENT_NOT_ACTIVE = "CONSENT_NOT_ACTIVE", 409, "A choice can be given only while the consent is active (withdrawn also when inactive).";
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Tests compare codes with what a response carried.
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_code_is_listed_once_with_an_error_status_and_a_meaning() {
        let mut seen = BTreeSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert!((400..600).contains(&code.status()), "{code}");
            assert!(!code.meaning().is_empty(), "{code}");
            let upper_snake =
                code.as_str().chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            assert!(upper_snake, "{code} is not UPPER_SNAKE");
        }
    }
}
