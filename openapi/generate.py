#!/usr/bin/env python3
"""Builds the OpenAPI 3.1 document of the Customers API: `openapi/openapi.json`.

    python3 openapi/generate.py           writes openapi/openapi.json
    python3 openapi/generate.py --check   exits 1 when openapi/openapi.json is not what it would write
    python3 openapi/generate.py --stdout  prints the document instead of writing it

Standard library only. The document is what `GET /customers/v2/openapi.json` serves (the
profiles component `include_str!`s it), and `tests/api/openapi.rs` checks that it names exactly
the routes of the components' route tables and that it is up to date with this script.

Layout of this file, top to bottom:
  1. constants mirrored from the code (permissions, languages, limits),
  2. small schema helpers (`string`, `integer`, `obj`, ...),
  3. the errorCode table (every code the service can produce),
  4. reusable headers, parameters and responses,
  5. the schemas (request wire structs, response views, the problem body),
  6. the operation builder `op(...)`, and one small function per operation, registered with
     `@operation(METHOD, TEMPLATE)` in the order of the components' route tables,
  7. assembly, self-checks, output.

When the code changes, change the matching definition here and run the script; the key order
of the output is the order of construction, which is fixed, so the file only changes when the
document does.
"""

import argparse
import json
import re
import sys
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent / "openapi.json"

# --------------------------------------------------------------------------------------------
# 1. Constants mirrored from the code
# --------------------------------------------------------------------------------------------

# crates/auth/src/caller.rs `Permission::as_str`
READ = "customers-profile:les"
CREATE = "customers-profile:opprett"
CHANGE = "customers-profile:endre"
DELETE = "customers-profile:slett"
CONSENTS_READ = "consents:les"
CONSENTS_CHANGE = "consents:endre"
CONSENTS_ADMIN = "consents:admin"

# crates/domain/src/profile/values.rs `LANGUAGES` (served normalised: two letters upper case,
# three letters lower case; accepted in any case).
LANGUAGES = [
    "NO", "EN", "SV", "DA", "FI", "DE", "FR", "ES", "nob", "nno", "nor", "eng", "sme", "sma",
    "smj", "swe", "dan", "fin", "deu", "fra", "spa",
]

# crates/web/src/deprecation.rs: every v1 path (profiles and the legacy consent model)
V1_DEPRECATION = "@1767225600"
V1_SUNSET = "Fri, 01 Jan 2027 00:00:00 GMT"

PROBLEM_TYPE_BASE = "https://customers-api.dev/errors/"  # crates/errors/src/problem.rs

# crates/errors/src/problem.rs `reason_phrase`
REASON = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}

# --------------------------------------------------------------------------------------------
# 2. Schema helpers
# --------------------------------------------------------------------------------------------


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _put(schema, **members):
    for key, value in members.items():
        if value is not None:
            schema[key] = value
    return schema


def string(description=None, *, null=False, min_length=None, max_length=None, pattern=None,
           fmt=None, enum=None, const=None, examples=None):
    schema = {"type": ["string", "null"] if null else "string"}
    return _put(schema, description=description, minLength=min_length, maxLength=max_length,
                pattern=pattern, format=fmt, enum=enum, const=const, examples=examples)


def integer(description=None, *, null=False, minimum=None, maximum=None, fmt="int64",
            const=None, default=None):
    schema = {"type": ["integer", "null"] if null else "integer"}
    return _put(schema, description=description, format=fmt, minimum=minimum, maximum=maximum,
                const=const, default=default)


def boolean(description=None, *, null=False, default=None):
    schema = {"type": ["boolean", "null"] if null else "boolean"}
    return _put(schema, description=description, default=default)


def array(items, description=None, *, min_items=None, max_items=None):
    schema = {"type": "array"}
    return _put(schema, description=description, items=items, minItems=min_items,
                maxItems=max_items)


def obj(properties, required=(), description=None, *, additional=False, extra=None):
    """An object; `additional=False` (our own objects) refuses members not listed."""
    missing = [name for name in required if name not in properties]
    assert not missing, f"required members without a property: {missing}"
    schema = {"type": "object"}
    if description:
        schema["description"] = description
    if required:
        schema["required"] = list(required)
    schema["properties"] = properties
    if additional is False:
        schema["additionalProperties"] = False
    if extra:
        schema.update(extra)
    return schema


def trimmed(max_length, *, required):
    """A pattern for text the service trims before checking it: at most `max_length`
    characters once trimmed (so surrounding whitespace does not count, and `maxLength`, which
    would count it, is not used), and not blank when `required`."""
    core = r"\S" if max_length == 1 else rf"\S(?:[\s\S]{{0,{max_length - 2}}}\S)?"
    return rf"^\s*{core}\s*$" if required else rf"^\s*(?:{core})?\s*$"


def nonblank(description=None, *, max_length=None, pattern=None):
    """A required string: absent, null, empty or only whitespace is 400 `REQUIRED`. Strings
    are trimmed before they are checked, so the limits apply to the trimmed value: a `pattern`
    given here bounds the length itself (surrounding whitespace allowed)."""
    if pattern is None:
        pattern = trimmed(max_length, required=True) if max_length else r"\S"
    return string(description, min_length=1, pattern=pattern)


def optional_text(description=None, *, max_length=None):
    """An optional string: absent, null or blank (only whitespace) counts as absent; the limit
    applies to the trimmed value."""
    return string(description, null=True,
                  pattern=trimmed(max_length, required=False) if max_length else None)


def optional_pattern(body, max_length=None):
    """A pattern for an optional string: blank (absent) or the value's own pattern, with the
    surrounding whitespace the service trims; `max_length` bounds a value without whitespace."""
    bound = rf"(?=\S{{1,{max_length}}}\s*$)" if max_length else ""
    return rf"^\s*(?:{bound}(?:{body})\s*)?$"


# Values served by the API.
TIMESTAMP = ref("Timestamp")
DATE = ref("Date")
ID = integer("Server-assigned id.", minimum=1)
VERSION = integer("The resource's version; its `ETag` is this number in quotes.", minimum=1)
ORGANISATION_ID = integer("The organisation (from the token's organisation claim).", minimum=1)
CUSTOMER_NUMBER = integer("Customer number: server-assigned, never reused.", minimum=1)

# Values accepted in request bodies.
PHONE_DIGITS = r"(?:[ -]*[0-9]){4,15}[ -]*"  # 4 to 15 digits, spaces and dashes ignored
COUNTRY_CALLING_CODE = r"\+[0-9]{1,3}"
EMAIL = r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+"
LANGUAGE_TEXT = (
    "One of " + ", ".join(f"`{code}`" for code in LANGUAGES)
    + " (any case in; two-letter codes are stored upper case, three-letter codes lower case)."
)
ACTOR_TEXT = "At most 100 characters, no control characters."
REQUEST_ORGANISATION_ID = integer(
    "Optional; when present it must be the token's organisation, else 403 "
    "`ORGANISATION_MISMATCH`.",
    null=True,
)
DATE_OR_DATE_TIME = (
    "A date (`YYYY-MM-DD`, valid through that day: it ends at the start of the next day, UTC) "
    "or an RFC 3339 date-time."
)


# An optional value that is blank (empty or only whitespace) counts as absent.
BLANK = {"pattern": r"^\s*$"}


def optional_date(description):
    """An optional date: `null` and blank count as absent."""
    return {"type": ["string", "null"], "description": description + " Blank counts as absent.",
            "anyOf": [{"format": "date"}, BLANK]}


def optional_date_time(description):
    """An optional RFC 3339 date-time: `null` and blank count as absent."""
    return {"type": ["string", "null"], "description": description + " Blank counts as absent.",
            "anyOf": [{"format": "date-time"}, BLANK]}


def date_or_date_time(description, *, required):
    alternatives = [{"format": "date"}, {"format": "date-time"}]
    if not required:
        alternatives.append(BLANK)
    schema = {"type": "string" if required else ["string", "null"], "description": description,
              "anyOf": alternatives}
    if required:
        schema["minLength"] = 1
    return schema


# --------------------------------------------------------------------------------------------
# 3. Every errorCode the service can produce: (code, status, meaning)
# --------------------------------------------------------------------------------------------

ERROR_CODES = [
    # The error as a whole (crates/errors/src/lib.rs `ApiError::error_code`).
    ("VALIDATION_FAILED", 400, "One or more fields are invalid. Appears only in `type` "
     "(`.../errors/validation-failed`); `errors[]` then holds one entry per bad field, each "
     "with its own code."),
    ("INVALID_JSON", 400, "The body is not JSON of the expected shape (a wrong type names its "
     "`field`)."),
    ("UNKNOWN_FIELD", 400, "The body has a member the operation does not know; `field` names it."),
    ("UNKNOWN_PARAMETER", 400, "A query parameter the operation does not take; `field` names "
     "it."),
    ("REPEATED_PARAMETER", 400, "A query parameter that takes one value is given more than "
     "once; `field` names it."),
    ("MISSING_TOKEN", 401, "No bearer token (`WWW-Authenticate: Bearer`)."),
    ("INVALID_TOKEN", 401, "The bearer token does not verify (`WWW-Authenticate: Bearer "
     "error=\"invalid_token\"`); the reason is only logged."),
    ("INVALID_CLIENT", 401, "Local issuer: unknown client or wrong client secret."),
    ("INVALID_CREDENTIALS", 401, "verify-credentials: wrong password or unknown email (one "
     "answer for both)."),
    ("MISSING_ORGANISATION", 403, "A valid token without the organisation claim."),
    ("MISSING_PERMISSION", 403, "The token lacks the permission the operation needs."),
    ("ORGANISATION_MISMATCH", 403, "`organisationId` (or `consentOwnerOrgId`) in the body is not "
     "the token's organisation."),
    ("CORS_ORIGIN_NOT_ALLOWED", 403, "A CORS preflight (`OPTIONS`) from an origin that is not in "
     "`cors_allowed_origins`."),
    ("NOT_FOUND", 404, "No such resource in the caller's organisation (another organisation's "
     "resource answers the same)."),
    ("METHOD_NOT_ALLOWED", 405, "The path exists, but not with this method."),
    ("PRECONDITION_FAILED", 412, "`If-Match` does not name the current version."),
    ("PAYLOAD_TOO_LARGE", 413, "The body is larger than 64 KiB."),
    ("UNSUPPORTED_MEDIA_TYPE", 415, "The body is not `application/json` (a PATCH may also send "
     "`application/merge-patch+json`; a POST or PUT may not)."),
    ("IDEMPOTENCY_KEY_REUSED", 422, "The `Idempotency-Key` was used with a different request "
     "within 24 hours."),
    ("TOO_MANY_ATTEMPTS", 429, "verify-credentials: 5 consecutive failures for this email in the "
     "organisation; the password was not checked. `Retry-After` says when to try again (1 minute, "
     "doubling with each further failure, at most 1 hour). Unknown emails are locked alike."),
    ("INTERNAL_ERROR", 500, "An unexpected error; the cause is logged with the correlation id, "
     "never sent."),
    ("ISSUER_UNAVAILABLE", 503, "No key to check the token with: the issuer's JWKS "
     "(`jwt_jwks_url`) has not been fetched yet or cannot be fetched now, and no other key is "
     "trusted. `Retry-After` says when to try again."),
    # Field errors (400 VALIDATION_FAILED entries) and 400s naming one parameter.
    ("REQUIRED", 400, "A required field or parameter is absent, null or blank."),
    ("TOO_LONG", 400, "A text is longer than its limit."),
    ("INVALID_CHARACTERS", 400, "A text contains control characters."),
    ("INVALID_IDEMPOTENCY_KEY", 400, "`Idempotency-Key` is not 1 to 255 visible ASCII characters "
     "(`field` is `Idempotency-Key`)."),
    ("INVALID_EMAIL", 400, "`email` is not an email address."),
    ("INVALID_LANGUAGE", 400, "A language is not one of the accepted codes."),
    ("INVALID_DATE", 400, "A date is not a real date in the form `YYYY-MM-DD`."),
    ("INVALID_DATE_OF_BIRTH", 400, "`dateOfBirth` is in the future or before 1900-01-01."),
    ("605", 400, "Entur's code for every telephone error: `countryCode`, "
     "`telephoneNumberNoCountryCode`, `telephoneNumber`, `landlineNumber`."),
    ("INVALID_CUSTOMER_REF", 400, "`customerRef` starts with `~` (reserved)."),
    ("WEAK_PASSWORD", 400, "The password is not 7 to 128 characters with a lower-case letter, an "
     "upper-case letter and a digit."),
    ("INVALID_EXPIRATION_DATE", 400, "`expirationDate` is neither a date nor an RFC 3339 "
     "date-time."),
    ("EXPIRATION_DATE_IN_THE_PAST", 400, "`expirationDate` is not in the future."),
    ("EXPIRATION_DATE_TOO_FAR", 400, "A temporary profile's `expirationDate` is more than 400 days "
     "ahead."),
    ("INVALID_BOOLEAN", 400, "A boolean query parameter is not `true` or `false`."),
    ("INVALID_LIMIT", 400, "`limit` / `maxResultSet` is not a whole number from 1 to 1000."),
    ("INVALID_CURSOR", 400, "`cursor` (the change feed's `after`) is not a cursor this API "
     "issued."),
    ("INVALID_EVENT_TYPE", 400, "`types` names something that is not an event type."),
    ("MISSING_SEARCH_CRITERIA", 400, "A search without any criterion (`field` is `query`)."),
    ("INVALID_CUSTOMER_NUMBER", 400, "A customer number in a body or query is not a positive "
     "number."),
    ("CANNOT_CONNECT_TO_ITSELF", 400, "connect: `customerNumberToConnect` is the profile itself."),
    ("NOT_ALLOWED_FOR_TEMPORARY_PROFILE", 400, "Ecards and loyalty programs of a temporary "
     "profile."),
    ("INVALID_POST_CODE", 400, "`postCode` is not 1 to 10 letters, digits, spaces or dashes, or "
     "not 4 digits for `NO`."),
    ("INVALID_COUNTRY_CODE", 400, "`countryCode` is not an assigned ISO 3166-1 alpha-2 code."),
    ("UNKNOWN_PREFERENCE_CODE", 400, "The organisation has no preference with this "
     "`preferenceCode`."),
    ("PREFERENCE_INACTIVE", 400, "The preference is inactive and takes no new values."),
    ("INVALID_PREFERENCE_VALUE", 400, "`value` does not fit the preference's `preferenceType`."),
    ("INVALID_PREFERENCE_CODE", 400, "`preferenceCode` is not 1 to 50 letters, digits, `_`, `-` "
     "or `.`."),
    ("INVALID_PREFERENCE_TYPE", 400, "`preferenceType` is not `BOOLEAN`, `STRING` or `NUMBER`."),
    ("INVALID_ECARD_NUMBER", 400, "`ecardNumber` is not 0 to 999999999999, or "
     "`ecardNumber16digits` is not 16 digits."),
    ("INVALID_ECARD_OPERATOR", 400, "`ecardOperator` is not 0 to 9999."),
    ("ECARD_NUMBER_MISMATCH", 400, "`ecardNumber16digits` disagrees with `ecardOperator` and "
     "`ecardNumber`."),
    ("INVALID_TIMESTAMP", 400, "`startOfOwnership` is not an RFC 3339 date-time."),
    ("UNKNOWN_LOYALTY_PROGRAM", 400, "The organisation has no loyalty program with this "
     "`programId`."),
    ("LOYALTY_PROGRAM_ENDED", 400, "The loyalty program's `validTo` has passed."),
    ("INVALID_AMOUNT", 400, "`amount` is 0 or more than 1000000000 either way."),
    ("TIMED_PROGRAM_HAS_NO_BALANCE", 400, "A transaction on a membership of a `TIMED` program."),
    ("LOYALTY_PROGRAM_NOT_VALID", 400, "A transaction while the program is not valid today."),
    ("INVALID_PROGRAM_TYPE", 400, "`type` is not `TIMED`, `COUPONS` or `POINTS`."),
    ("INVALID_VALIDITY_PERIOD", 400, "A loyalty program's `validTo` is before its `validFrom`."),
    ("INVALID_CONSENT_CODE", 400, "A consent code is not 1 to 20 of `A-Z a-z 0-9 _ -`."),
    ("DUPLICATE_LANGUAGE", 400, "A language appears more than once in `terms`."),
    ("CONSENT_CODE_MISMATCH", 400, "`consentCode` in the body is not the one of the path."),
    ("INVALID_DATE_TIME", 400, "`validFrom` / `validTo` is neither an RFC 3339 date-time nor a "
     "date."),
    ("INVALID_VERSION", 400, "`consentBaseVersion` is not a positive version number."),
    ("VALID_TO_WITHOUT_VALID_FROM", 400, "A consent's `validTo` without a `validFrom`."),
    ("INVALID_PERIOD", 400, "A consent's `validTo` is not after its `validFrom`."),
    ("VALID_TO_IN_THE_PAST", 400, "A consent's `validTo` being set lies in the past."),
    ("INVALID_CONSENT_ID", 400, "`consentId` is not a positive number."),
    ("DUPLICATE_GIVEN_CONSENT", 400, "A bulk request repeats a customer and consent."),
    ("INVALID_BULK_SIZE", 400, "A bulk request holds fewer than 1 or more than 500 items "
     "(`field` is empty)."),
    ("INVALID_VERSIONS", 400, "`versions` is not `ALL`, `CURRENT` or a list of versions."),
    ("INVALID_ID_LIST", 400, "`consentIds` is not a comma-separated list of positive ids."),
    ("UNSUPPORTED_GRANT_TYPE", 400, "Local issuer: `grant_type` is not `client_credentials`."),
    ("INVALID_AUDIENCE", 400, "Local issuer: `audience` is not the configured `jwt_audience`."),
    # Conflicts.
    ("DUPLICATE_EMAIL", 409, "The email is used by another active permanent profile of the "
     "organisation (compared case-insensitively)."),
    ("DUPLICATE_CUSTOMER_REF", 409, "The `customerRef` is used by another profile of the "
     "organisation."),
    ("PROFILE_NOT_ACTIVE", 409, "The profile is deactivated or merged and takes no changes."),
    ("IDEMPOTENCY_KEY_IN_USE", 409, "A concurrent request with the same `Idempotency-Key` is "
     "being processed; retry."),
    ("ECARD_ALREADY_OWNED", 409, "The ecard is registered to a profile of the organisation "
     "already."),
    ("LOYALTY_PROGRAM_ALREADY_JOINED", 409, "The customer is a member of the program already."),
    ("INSUFFICIENT_BALANCE", 409, "The transaction would take the balance below zero."),
    ("DUPLICATE_PREFERENCE_CODE", 409, "The organisation has a preference with this "
     "`preferenceCode` already."),
    ("PREFERENCE_IN_USE", 409, "Customers hold values for the preference: it cannot be deleted or "
     "change its type."),
    ("LOYALTY_PROGRAM_IN_USE", 409, "The program has members: its type cannot change."),
    ("DUPLICATE_CONSENT_CODE", 409, "The organisation already sees a consent base of this code: "
     "its own, or a shared one (codes are unique within an organisation)."),
    ("CONSENT_BASE_NOT_OWNED", 409, "A shared consent base cannot be changed through the API."),
    ("CONSENT_NOT_DRAFT", 409, "Only a draft consent can be replaced; an active one can change "
     "only its channels and `validTo`."),
    ("CONSENT_INACTIVE", 409, "An inactive consent cannot be changed."),
    ("OVERLAPPING_CONSENT", 409, "Another consent with this code is valid in part of the period."),
    ("CONSENT_NOT_ACTIVE", 409, "A choice can be given only while the consent is active "
     "(withdrawn also when inactive)."),
]

CODE_STATUS = {code: status for code, status, _ in ERROR_CODES}
assert len(CODE_STATUS) == len(ERROR_CODES), "an errorCode is listed twice"

# Codes that belong to no operation of the document (preflights, wrong methods, and the
# whole-error code that only appears in `type`).
CODES_OUTSIDE_OPERATIONS = {"CORS_ORIGIN_NOT_ALLOWED", "METHOD_NOT_ALLOWED", "VALIDATION_FAILED"}

# Field-error codes shared by many bodies.
TEXT = ["TOO_LONG", "INVALID_CHARACTERS"]
PROFILE_FIELDS = ["REQUIRED", *TEXT, "INVALID_CUSTOMER_REF", "INVALID_EMAIL", "INVALID_LANGUAGE",
                  "INVALID_DATE", "INVALID_DATE_OF_BIRTH", "605"]
EXPIRATION = ["INVALID_EXPIRATION_DATE", "INVALID_DATE", "EXPIRATION_DATE_IN_THE_PAST"]
PAGING = ["INVALID_LIMIT", "INVALID_CURSOR"]
# The change feed's event types (crates/domain/src/event.rs, TYPES).
EVENT_TYPES = ["profile.created", "profile.updated", "profile.deactivated", "profile.merged",
               "profile.erased", "profile.expired", "temporary.converted", "address.created",
               "address.updated", "address.deleted", "preference.created", "preference.updated",
               "preference.deleted", "ecard.created", "ecard.deleted", "loyalty.created",
               "loyalty.updated", "loyalty.deleted", "consent.given", "consent.withdrawn"]


def error_code_schema():
    rows = ["| errorCode | status | meaning |", "|---|---|---|"]
    rows += [f"| `{code}` | {status} | {meaning} |" for code, status, meaning in ERROR_CODES]
    return string(
        "The stable, UPPER_SNAKE code of one entry of `errors` (the telephone code `605` is "
        "Entur's). The problem's `type` ends in the whole error's code, lower case with dashes "
        "(`.../errors/duplicate-email`).\n\n" + "\n".join(rows),
        enum=sorted(CODE_STATUS),
    )


# --------------------------------------------------------------------------------------------
# 4. Reusable headers, parameters and responses
# --------------------------------------------------------------------------------------------

# Response headers: component id -> (header name, definition).
HEADERS = {
    "X-Correlation-Id": ("X-Correlation-Id", {
        "description": "The request's `X-Correlation-Id` when it was 1 to 128 of `A-Z a-z 0-9 - "
                       "_ . :`, else a fresh UUID. Also in the problem body and the log line.",
        "required": True,
        "schema": string(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$"),
    }),
    "Cache-Control": ("Cache-Control", {
        "description": "Every response: `no-store`.",
        "required": True,
        "schema": string(const="no-store"),
    }),
    "ETag": ("ETag", {
        "description": "The resource's version as a strong entity tag; send it back in "
                       "`If-Match`.",
        "required": True,
        "schema": string(pattern=r'^"[0-9]+"$', examples=['"3"']),
    }),
    "Location": ("Location", {
        "description": "The path of the resource.",
        "required": True,
        "schema": string(fmt="uri-reference"),
    }),
    "Content-Location": ("Content-Location", {
        "description": "The converted profile's path as a permanent profile.",
        "required": True,
        "schema": string(fmt="uri-reference"),
    }),
    "Link": ("Link", {
        "description": "The next page, when there is one: `<path?…&cursor=…>; rel=\"next\"` "
                       "(every other query parameter kept).",
        "schema": string(pattern=r'^<[^>]*[?&]cursor=[^>]*>; rel="next"$'),
    }),
    "FeedLink": ("Link", {
        "description": "Always: `<path?…&after=…>; rel=\"next\"` (every other query parameter "
                       "kept); on the last page, where to poll from later.",
        "required": True,
        "schema": string(pattern=r'^<[^>]*[?&]after=[^>]*>; rel="next"$'),
    }),
    "Idempotent-Replayed": ("Idempotent-Replayed", {
        "description": "`true` when this is the stored response of an earlier request with the "
                       "same `Idempotency-Key` and the same request (same status and body).",
        "schema": string(const="true"),
    }),
    "Deprecation": ("Deprecation", {
        "description": "This v1 operation is deprecated (RFC 9745: `@` and the Unix time it "
                       "was deprecated). On every response of a v1 operation, errors included.",
        "required": True,
        "schema": string(const=V1_DEPRECATION),
    }),
    "Sunset": ("Sunset", {
        "description": "When the v1 operations go away (RFC 8594 HTTP-date).",
        "required": True,
        "schema": string(const=V1_SUNSET),
    }),
    "SuccessorLink": ("Link", {
        "description": "The successor: `</customers/v2/consents/client/given-consents?"
                       "customerNumber=N>; rel=\"successor-version\"` (without the query when "
                       "the path's customer number is not a number).",
        "required": True,
        "schema": string(pattern=r'^</customers/v2/consents/client/given-consents'
                                 r'(?:\?customerNumber=[0-9]+)?>; rel="successor-version"$'),
    }),
    "ProfileSuccessorLink": ("Link", {
        "description": "The successor: the same path under `/customers/v2/profiles` "
                       "(`</customers/v2/profiles/7>; rel=\"successor-version\"`). A search page "
                       "with a next page announces it first in the same field: "
                       "`<…&cursor=…>; rel=\"next\", </customers/v2/profiles>; "
                       "rel=\"successor-version\"`.",
        "required": True,
        "schema": string(pattern=r'^(?:<[^>]*[?&]cursor=[^>]*>; rel="next", )?'
                                 r'</customers/v2/profiles(?:/[^>]*)?>; rel="successor-version"$'),
    }),
    "Retry-After": ("Retry-After", {
        "description": "Seconds until the request may succeed: until the email unlocks (429), "
                       "or until the issuer's keys are fetched again (503).",
        "required": True,
        "schema": string(pattern=r"^[0-9]+$"),
    }),
    "WWW-Authenticate": ("WWW-Authenticate", {
        "description": "`Bearer` without a token; `Bearer error=\"invalid_token\", "
                       "error_description=\"…\"` with an invalid one (RFC 6750). Absent on "
                       "`INVALID_CREDENTIALS` and `INVALID_CLIENT`.",
        "schema": string(),
    }),
}


def header_refs(ids):
    return {HEADERS[i][0]: {"$ref": f"#/components/headers/{i}"} for i in ids}


COMMON_RESPONSE_HEADERS = ["X-Correlation-Id", "Cache-Control"]
# The headers of every response of a v1 operation (crates/web/src/deprecation.rs).
V1_PROFILE_HEADERS = ["Deprecation", "Sunset", "ProfileSuccessorLink"]
V1_CONSENT_HEADERS = ["Deprecation", "Sunset", "SuccessorLink"]

# What an HTTP header field value can carry (RFC 9110 §5.5: visible ASCII, space, tab and
# obs-text); the service accepts any such value for the informational request headers.
HEADER_TEXT = r"^[\t\u0020-\u007e\u0080-\u00ff]*$"

# Parameters: component id -> definition.
PARAMETERS = {
    # Request headers.
    "X-Correlation-Id": {
        "name": "X-Correlation-Id", "in": "header",
        "description": "Echoed in the response and logged; a fresh UUID is used when it is "
                       "absent or not 1 to 128 of `A-Z a-z 0-9 - _ . :` (any value is accepted).",
        "schema": string(pattern=HEADER_TEXT),
    },
    "ET-Client-Name": {
        "name": "ET-Client-Name", "in": "header",
        "description": "The calling application's name (Entur convention), logged.",
        "schema": string(pattern=HEADER_TEXT),
    },
    "If-Match": {
        "name": "If-Match", "in": "header",
        "description": "Optimistic concurrency: the `ETag` read earlier (`\"3\"`, also weak "
                       "`W/\"3\"`), or `*`. A stale or unreadable one is 412; without it the "
                       "write goes through.",
        "schema": string(examples=['"3"']),
    },
    "Idempotency-Key": {
        "name": "Idempotency-Key", "in": "header",
        "description": "Makes a create safe to retry: for 24 hours a request with the same key "
                       "and the same method, path and body replays the first response (with "
                       "`Idempotent-Replayed: true`); the same key with another request is 422. "
                       "Keys are scoped to the organisation; 1 to 255 visible ASCII characters, "
                       "else 400.",
        # HTTP drops a field value's surrounding whitespace before the service sees it.
        "schema": string(min_length=1, pattern=r"^[!-~]{1,255}[ \t]*$"),
    },
    # Path parameters.
    "customerNumber": {
        "name": "customerNumber", "in": "path", "required": True,
        "description": "The customer number. Anything but a positive number names no customer "
                       "(404).",
        "schema": integer(minimum=1),
    },
    "customerRef": {
        "name": "customerRef", "in": "path", "required": True,
        "description": "The organisation's own reference of the customer (percent-encoded).",
        "schema": string(min_length=1, max_length=40),
    },
    "id": {
        "name": "id", "in": "path", "required": True,
        "description": "The resource's id. Anything but a positive number is 404.",
        "schema": integer(minimum=1),
    },
    "membershipId": {
        "name": "membershipId", "in": "path", "required": True,
        "description": "The membership's id (`id` of a `LoyaltyMembership`).",
        "schema": integer(minimum=1),
    },
    "preferenceCode": {
        "name": "preferenceCode", "in": "path", "required": True,
        "description": "The `preferenceCode` of one of the organisation's preference "
                       "definitions.",
        "schema": string(pattern=r"^[A-Za-z0-9_.-]{1,50}$"),
    },
    "consentCode": {
        "name": "consentCode", "in": "path", "required": True,
        "description": "The consent code.",
        "schema": string(pattern=r"^[A-Za-z0-9_-]{1,20}$"),
    },
    "version": {
        "name": "version", "in": "path", "required": True,
        "description": "A version of the consent base's terms.",
        "schema": integer(minimum=1),
    },
    # Query parameters.
    "limit": {
        "name": "limit", "in": "query", "allowEmptyValue": True,
        "description": "Page size, 1 to 1000 (else 400 `INVALID_LIMIT`).",
        "schema": integer(minimum=1, maximum=1000, default=100, fmt=None),
    },
    "after": {
        "name": "after", "in": "query", "allowEmptyValue": True,
        "description": "Events after this cursor: the `id` of the last event processed, or the "
                       "`after` of the `Link` header of the previous page. Absent: from the "
                       "oldest event kept. A foreign one is 400 `INVALID_CURSOR`.",
        "schema": string(),
    },
    "eventTypes": {
        "name": "types", "in": "query", "allowEmptyValue": True, "style": "form",
        "explode": False,
        "description": "Only events of these types, comma-separated or repeated (else 400 "
                       "`INVALID_EVENT_TYPE`); a type the token may not read is 403. Absent: "
                       "every type the token may read.",
        "schema": array(string(enum=EVENT_TYPES)),
    },
    "customerNumberFilter": {
        "name": "customerNumber", "in": "query", "allowEmptyValue": True,
        "description": "Only this customer's events (none for a customer of another "
                       "organisation); not a positive number: 400.",
        "schema": integer(minimum=1),
    },
    "cursor": {
        "name": "cursor", "in": "query", "allowEmptyValue": True,
        "description": "Opaque cursor from the `Link` header of the previous page (keyset: "
                       "stable under concurrent inserts); a foreign one is 400 `INVALID_CURSOR`.",
        "schema": string(),
    },
    "maxResultSet": {
        "name": "maxResultSet", "in": "query", "allowEmptyValue": True,
        "description": "Page size, 1 to 1000 (else 400 `INVALID_LIMIT`).",
        "schema": integer(minimum=1, maximum=1000, default=100, fmt=None),
    },
    "includeTemporary": {
        "name": "includeTemporary", "in": "query", "allowEmptyValue": True,
        "description": "Also find temporary profiles (exactly `true` or `false`).",
        "schema": boolean(default=False),
    },
    "includeECards": {
        "name": "includeECards", "in": "query", "allowEmptyValue": True,
        "description": "Add the profile's `ecards` (exactly `true` or `false`, else 400 "
                       "`INVALID_BOOLEAN`).",
        "schema": boolean(default=False),
    },
    "consentCodes": {
        "name": "consentCodes", "in": "query", "allowEmptyValue": True, "style": "form", "explode": False,
        "description": "Only these consent codes: comma-separated or the parameter repeated.",
        "schema": array(string(pattern=r"^[A-Za-z0-9_-]{1,20}$")),
    },
    "versions": {
        "name": "versions", "in": "query", "allowEmptyValue": True,
        "description": "`ALL` (default), `CURRENT` (the base's latest version) or a "
                       "comma-separated list of versions.",
        "schema": string(pattern=r"^\s*(?:[Aa][Ll][Ll]|[Cc][Uu][Rr][Rr][Ee][Nn][Tt]|"
                                 r"[0-9]+(?:\s*,\s*[0-9]+)*)?\s*$", examples=["CURRENT", "1,2"]),
    },
    "includeInactive": {
        "name": "includeInactive", "in": "query", "allowEmptyValue": True,
        "description": "Also list inactive consents (exactly `true` or `false`).",
        "schema": boolean(default=False),
    },
    "customerNumberQuery": {
        "name": "customerNumber", "in": "query", "required": True,
        "description": "The customer (permanent or temporary) in the caller's organisation; a "
                       "missing or invisible one is 404, a malformed one 400.",
        "schema": integer(minimum=1),
    },
    "consentIds": {
        "name": "consentIds", "in": "query", "allowEmptyValue": True, "style": "form", "explode": False,
        "description": "Only given consents of these consents (ids), comma-separated or "
                       "repeated.",
        "schema": array(integer(minimum=1)),
    },
    "includeEmail": {
        "name": "includeEmail", "in": "query", "allowEmptyValue": True,
        "description": "Add the customer's `email` (exactly `true` or `false`).",
        "schema": boolean(default=False),
    },
    "includeTelephoneNumber": {
        "name": "includeTelephoneNumber", "in": "query", "allowEmptyValue": True,
        "description": "Add the customer's `countryCode` and `telephoneNumber` (exactly "
                       "`true` or `false`).",
        "schema": boolean(default=False),
    },
}


def search_parameters():
    """The criteria of `GET /profiles` and `GET /profiles-search` (profile/search.rs): trimmed,
    and blank counts as absent."""
    crit = "Criterion (all given criteria must match)."
    return [
        q("firstName", f"{crit} Exact, case-insensitive for all of Unicode.", string()),
        q("surname", f"{crit} Exact, case-insensitive for all of Unicode.", string()),
        q("email", f"{crit} Exact, case-insensitive.", string()),
        q("customerRef", f"{crit} Exact.", string()),
        q("countryCode", "With `telephoneNumberNoCountryCode` (default `+47`): `+` and 1 to 3 "
                         "digits; alone it is 400 `605`.",
          string(pattern=optional_pattern(COUNTRY_CALLING_CODE))),
        q("telephoneNumberNoCountryCode", f"{crit} Mobile number; spaces and dashes ignored.",
          string(pattern=optional_pattern(PHONE_DIGITS))),
        q("telephoneNumber", f"{crit} Full mobile number with country code (`+47 912 34 567`); "
                             "wins over the two above.",
          string(pattern=optional_pattern(rf"\+*{PHONE_DIGITS}"))),
        q("landlineNumber", f"{crit} Spaces and dashes ignored.",
          string(pattern=optional_pattern(PHONE_DIGITS))),
        q("dateOfBirth", f"{crit} `YYYY-MM-DD`.",
          string(pattern=optional_pattern("[0-9]{4}-[0-9]{2}-[0-9]{2}"))),
        q("postalAddress", f"{crit} `addressLine1` of one of the profile's postal addresses, "
                           "exact but case-insensitive.", string()),
        q("postCode", f"{crit} Post code of one of the profile's postal addresses.", string()),
        {"$ref": "#/components/parameters/maxResultSet"},
        {"$ref": "#/components/parameters/includeTemporary"},
        {"$ref": "#/components/parameters/cursor"},
    ]


def q(name, description, schema):
    """A search criterion: blank counts as absent, so an empty value is allowed."""
    return {"name": name, "in": "query", "description": description, "allowEmptyValue": True,
            "schema": schema}


def param_ref(name):
    assert name in PARAMETERS, name
    return {"$ref": f"#/components/parameters/{name}"}


def problem_response(status):
    return {
        "description": REASON[status],
        "headers": header_refs(COMMON_RESPONSE_HEADERS + (["WWW-Authenticate"] if status == 401 else [])
                               + (["Retry-After"] if status in (429, 503) else [])),
        "content": {"application/problem+json": {"schema": {
            "allOf": [ref("Problem")],
            "properties": {"status": {"const": status}, "title": {"const": REASON[status]}},
        }}},
    }


RESPONSE_NAMES = {
    400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict",
    412: "PreconditionFailed", 413: "ContentTooLarge", 415: "UnsupportedMediaType",
    422: "UnprocessableContent", 429: "TooManyRequests", 500: "InternalServerError",
    503: "ServiceUnavailable",
}

# Error responses of deprecated operations carry their deprecation headers too; a reference
# cannot add headers, so each set has its own error responses (`V1Profiles...`), made as used.
DEPRECATED_RESPONSE_PREFIX = {"ProfileSuccessorLink": "V1Profiles", "SuccessorLink": "V1Consents"}
DEPRECATED_RESPONSES = {}  # name -> response, filled by `error_response_name`


def error_response_name(status, deprecation):
    name = RESPONSE_NAMES[status]
    if not deprecation:
        return name
    prefix = next(DEPRECATED_RESPONSE_PREFIX[h] for h in deprecation if h in DEPRECATED_RESPONSE_PREFIX)
    if prefix + name not in DEPRECATED_RESPONSES:
        error = problem_response(status)
        error["headers"].update(header_refs(deprecation))
        DEPRECATED_RESPONSES[prefix + name] = error
    return prefix + name


def response(description, schema=None, *, headers=(), media="application/json"):
    """A success response with the headers every response carries plus `headers`."""
    result = {"description": description, "headers": header_refs(COMMON_RESPONSE_HEADERS + list(headers))}
    if schema is not None:
        result["content"] = {media: {"schema": schema}}
    return result


def no_content(description="Done; no body.", headers=()):
    return response(description, headers=headers)


# --------------------------------------------------------------------------------------------
# 5. Schemas
# --------------------------------------------------------------------------------------------


def profile_request(*, names_required, who, expiration=False, password=False, patch=False,
                    description=None):
    """A profile body (profile/create.rs, replace.rs, temporary.rs wire structs).

    `who` is "created" or "changed"; `patch` gives the merge-patch form (null clears)."""
    def name(label):
        if names_required:
            # In a merge patch a name may be left out (it keeps its value) but not cleared.
            if patch:
                return string(f"{label}. At most 100 characters; cannot be cleared.",
                              min_length=1, pattern=trimmed(100, required=True))
            return nonblank(f"{label}. At most 100 characters.", max_length=100)
        return optional_text(f"{label}. At most 100 characters.", max_length=100)

    clears = " `null` clears it." if patch else ""
    props = {
        "organisationId": REQUEST_ORGANISATION_ID,
        "customerRef": string(
            "The organisation's own reference, unique in the organisation, at most 40 characters, "
            "not starting with `~`. Absent: the customer number as a string." + clears,
            null=True, pattern=r"^\s*(?:[^~\s](?:[\s\S]{0,38}\S)?)?\s*$"),
        "firstName": name("First name"),
        "surname": name("Surname"),
        "email": string(
            "Email, at most 254 characters; unique (case-insensitively) among the organisation's "
            "active permanent profiles." + clears,
            null=True, pattern=optional_pattern(EMAIL, max_length=254)),
        "languagePreference": string(LANGUAGE_TEXT + clears, null=True,
                                     pattern=optional_pattern("[A-Za-z]{2,3}")),
        "dateOfBirth": optional_date("Date of birth, 1900-01-01 to today." + clears),
        "countryCode": string(
            "Country calling code of the mobile number: `+` and 1 to 3 digits (`+47`). A number "
            "without one is Norwegian (`+47`)." + clears,
            null=True, pattern=optional_pattern(COUNTRY_CALLING_CODE)),
        "telephoneNumberNoCountryCode": string(
            "Mobile number without country code: 4 to 15 digits, spaces and dashes allowed "
            "(errors: `605`)." + clears,
            null=True, pattern=optional_pattern(PHONE_DIGITS)),
        "landlineNumber": string(
            "Landline number: 4 to 15 digits, spaces and dashes allowed (errors: `605`)." + clears,
            null=True, pattern=optional_pattern(PHONE_DIGITS)),
    }
    required = ["firstName", "surname"] if names_required and not patch else []
    if expiration:
        props["expirationDate"] = date_or_date_time(
            DATE_OR_DATE_TIME + " In the future, at most 400 days ahead.", required=True)
        required.append("expirationDate")
    if password:
        props["password"] = string(
            "Optional password: 7 to 128 characters with a lower-case letter, an upper-case "
            "letter and a digit (`abcD123`). Taken as typed (not trimmed); empty counts as "
            "absent. Stored only as an Argon2id hash, never returned.",
            null=True, max_length=128)
        props["postalAddresses"] = {
            "type": ["array", "null"],
            "description": "Postal addresses to add with the profile, in the same transaction; "
                           "errors name them as `postalAddresses[i].field`.",
            "items": ref("PostalAddressRequest"),
        }
    props[f"{who}By"] = nonblank(f"Who {who} it. {ACTOR_TEXT}", max_length=100)
    props[f"{who}ByChannel"] = nonblank(f"Through which channel. {ACTOR_TEXT}", max_length=100)
    required += [f"{who}By", f"{who}ByChannel"]
    return obj(props, required, description)


def customer_schema():
    props = {
        "customerNumber": CUSTOMER_NUMBER,
        "uuid": string("32 random alphanumeric characters.", pattern=r"^[A-Za-z0-9]{32}$"),
        "organisationId": ORGANISATION_ID,
        "customerRef": string("Unique in the organisation; defaults to the customer number.",
                              min_length=1, max_length=40),
        "status": string("`A` active, `P` passive (merged into another), `D` deactivated.",
                         enum=["A", "P", "D"]),
        "profileType": string("`S` standard (permanent), `T` temporary.", enum=["S", "T"]),
        "firstName": string(max_length=100),
        "surname": string(max_length=100),
        "email": string(max_length=254, pattern=rf"^{EMAIL}$"),
        "languagePreference": string(enum=LANGUAGES),
        "dateOfBirth": DATE,
        "countryCode": string("Country calling code of the mobile number.",
                              pattern=rf"^{COUNTRY_CALLING_CODE}$"),
        "telephoneNumberNoCountryCode": string(pattern=rf"^{PHONE_DIGITS}$"),
        "landlineNumber": string(pattern=rf"^{PHONE_DIGITS}$"),
        "expirationDate": {"description": "When a temporary or deactivated profile expires, as it "
                                          "was given: a date (valid through that day) or the "
                                          "instant of a date-time, in UTC with milliseconds.",
                           "anyOf": [DATE, TIMESTAMP]},
        "postalAddresses": array(ref("PostalAddress"),
                                 "Postal addresses (see the `postal-addresses` sub-resource)."),
        "ecards": array(ref("ECard"), "Only with `includeECards=true`."),
        "createdAt": TIMESTAMP,
        "createdBy": string(max_length=100),
        "createdByChannel": string(max_length=100),
        "changedAt": TIMESTAMP,
        "changedBy": string(max_length=100),
        "changedByChannel": string(max_length=100),
        "version": VERSION,
    }
    required = ["customerNumber", "uuid", "organisationId", "customerRef", "status", "profileType",
                "postalAddresses", "createdAt", "createdBy", "createdByChannel", "changedAt",
                "changedBy", "changedByChannel", "version"]
    return obj(props, required,
               "A customer profile (`Customer`). Optional members without a value are left out, "
               "never `null`; `password` and anything derived from it never appear.")


def postal_address_schema():
    return obj({
        "id": ID,
        "addressLine1": string(min_length=1, max_length=100),
        "addressLine2": string(max_length=100),
        "postCode": string("Upper case.", pattern=r"^[A-Z0-9 -]{1,10}$"),
        "city": string(max_length=100),
        "countryCode": string("ISO 3166-1 alpha-2.", pattern=r"^[A-Z]{2}$"),
        "createdAt": TIMESTAMP,
        "changedAt": TIMESTAMP,
        "version": VERSION,
    }, ["id", "addressLine1", "postCode", "countryCode", "createdAt", "changedAt", "version"],
        "A postal address of a profile; absent optional members are left out.")


def postal_address_request():
    line = "At most 100 characters."
    return obj({
        "addressLine1": nonblank(line, max_length=100),
        "addressLine2": optional_text(line, max_length=100),
        "postCode": nonblank("1 to 10 letters, digits, spaces or dashes (stored upper case); "
                             "exactly 4 digits when `countryCode` is `NO`.",
                             max_length=10, pattern=r"^\s*[A-Za-z0-9 -]{1,10}\s*$"),
        "city": optional_text(line, max_length=100),
        "countryCode": string("ISO 3166-1 alpha-2, any case; default `NO`.", null=True,
                              pattern=optional_pattern("[A-Za-z]{2}")),
    }, ["addressLine1", "postCode"], "POST and PUT (full replacement) of a postal address.")


PREFERENCE_TYPE = string("How values are checked and served.", enum=["BOOLEAN", "STRING", "NUMBER"])
PREFERENCE_VALUE = {"type": ["boolean", "number", "string"],
                    "description": "`BOOLEAN`: a boolean; `NUMBER`: a number; `STRING`: a string."}


def customer_preference_schema():
    return obj({
        "preferenceCode": string(pattern=r"^[A-Za-z0-9_.-]{1,50}$"),
        "preferenceType": PREFERENCE_TYPE,
        "preferenceDescription": string(max_length=500),
        "isActive": boolean("Whether the definition takes new values."),
        "value": PREFERENCE_VALUE,
        "createdAt": TIMESTAMP,
        "changedAt": TIMESTAMP,
        "version": VERSION,
    }, ["preferenceCode", "preferenceType", "isActive", "value", "createdAt", "changedAt", "version"],
        "A profile's value for one of the organisation's preference definitions.")


def preference_definition_schema():
    return obj({
        "id": ID,
        "organisationId": ORGANISATION_ID,
        "preferenceCode": string(pattern=r"^[A-Za-z0-9_.-]{1,50}$"),
        "preferenceType": PREFERENCE_TYPE,
        "preferenceDescription": string(max_length=500),
        "isActive": boolean(),
        "createdAt": TIMESTAMP,
        "changedAt": TIMESTAMP,
        "version": VERSION,
    }, ["id", "organisationId", "preferenceCode", "preferenceType", "isActive", "createdAt",
        "changedAt", "version"], "One of the organisation's preference definitions.")


def preference_definition_request():
    return obj({
        "organisationId": REQUEST_ORGANISATION_ID,
        "preferenceCode": nonblank("1 to 50 letters, digits, `_`, `-` or `.`; unique in the "
                                   "organisation.", max_length=50,
                                   pattern=r"^\s*[A-Za-z0-9_.-]{1,50}\s*$"),
        "preferenceType": nonblank("`BOOLEAN`, `STRING` or `NUMBER`, any case.",
                                   pattern=r"^\s*(?:[Bb][Oo][Oo][Ll][Ee][Aa][Nn]|[Ss][Tt][Rr][Ii]"
                                           r"[Nn][Gg]|[Nn][Uu][Mm][Bb][Ee][Rr])\s*$"),
        "preferenceDescription": optional_text("At most 500 characters.", max_length=500),
        "isActive": boolean("Default `true`.", null=True),
    }, ["preferenceCode", "preferenceType"],
        "POST and PUT (full replacement) of a preference definition.")


def ecard_schema():
    return obj({
        "id": ID,
        "ecardNumber": integer(minimum=0, maximum=999_999_999_999),
        "ecardOperator": integer(minimum=0, maximum=9999, fmt="int32"),
        "ecardNumber16digits": string("The operator as 4 digits and the number as 12.",
                                      pattern=r"^[0-9]{16}$"),
        "ecardName": string(max_length=100),
        "bookingDate": DATE,
        "startOfOwnership": TIMESTAMP,
        "createdAt": TIMESTAMP,
        "changedAt": TIMESTAMP,
        "version": VERSION,
    }, ["id", "ecardNumber", "ecardOperator", "ecardNumber16digits", "startOfOwnership",
        "createdAt", "changedAt", "version"], "An ecard (travel card) owned by the profile.")


def ecard_request():
    return obj({
        "ecardNumber": integer("0 to 999999999999 (12 digits).", null=True, minimum=0,
                               maximum=999_999_999_999),
        "ecardOperator": integer("0 to 9999.", null=True, minimum=0, maximum=9999, fmt="int32"),
        "ecardNumber16digits": string(
            "The card as 16 digits: operator (4) then number (12). When given with "
            "`ecardOperator`/`ecardNumber` they must agree.",
            null=True, pattern=optional_pattern("[0-9]{16}")),
        "ecardName": optional_text("At most 100 characters.", max_length=100),
        "bookingDate": optional_date("Booking date."),
        "startOfOwnership": optional_date_time("RFC 3339 date-time with offset; default: now."),
    }, [], "The card is given as `ecardOperator` + `ecardNumber`, or as `ecardNumber16digits`.",
        # Each alternative names its members with their non-null types: `null` (and a blank
        # `ecardNumber16digits`) counts as absent, so it satisfies neither.
        extra={"anyOf": [
            {"required": ["ecardOperator", "ecardNumber"],
             "properties": {"ecardOperator": {"type": "integer"}, "ecardNumber": {"type": "integer"}}},
            {"required": ["ecardNumber16digits"],
             "properties": {"ecardNumber16digits": {"type": "string", "pattern": r"\S"}}},
        ]})


PROGRAM_TYPE = string("`TIMED` (no balance), `COUPONS` or `POINTS` (a balance that never goes "
                      "below zero).", enum=["TIMED", "COUPONS", "POINTS"])


def loyalty_program_schema():
    return obj({
        "id": ID,
        "organisationId": ORGANISATION_ID,
        "name": string(min_length=1, max_length=100),
        "type": PROGRAM_TYPE,
        "validFrom": DATE,
        "validTo": {"$ref": "#/components/schemas/Date", "description": "Absent: open-ended."},
        "createdAt": TIMESTAMP,
        "changedAt": TIMESTAMP,
        "version": VERSION,
    }, ["id", "organisationId", "name", "type", "validFrom", "createdAt", "changedAt", "version"],
        "One of the organisation's loyalty programs.")


def loyalty_program_request():
    return obj({
        "organisationId": REQUEST_ORGANISATION_ID,
        "name": nonblank("At most 100 characters.", max_length=100),
        "type": nonblank("`TIMED`, `COUPONS` or `POINTS`, any case.",
                         pattern=r"^\s*(?:[Tt][Ii][Mm][Ee][Dd]|[Cc][Oo][Uu][Pp][Oo][Nn][Ss]|"
                                 r"[Pp][Oo][Ii][Nn][Tt][Ss])\s*$"),
        "validFrom": string("First day of validity.", min_length=1, fmt="date"),
        "validTo": optional_date("Last day of validity, not before `validFrom`; absent: "
                                 "open-ended."),
    }, ["name", "type", "validFrom"], "POST and PUT (full replacement) of a loyalty program.")


def membership_schema(with_transactions):
    props = {
        "id": integer("The membership id (`membershipId`).", minimum=1),
        "programId": integer(minimum=1),
        "programName": string(min_length=1, max_length=100),
        "type": PROGRAM_TYPE,
        "validFrom": DATE,
        "validTo": DATE,
        "balance": integer("`COUPONS` and `POINTS` only.", minimum=0),
        "createdAt": TIMESTAMP,
        "changedAt": TIMESTAMP,
        "version": VERSION,
    }
    required = ["id", "programId", "programName", "type", "validFrom", "createdAt", "changedAt",
                "version"]
    description = "A profile's membership of a loyalty program."
    if with_transactions:
        props["transactions"] = array(ref("LoyaltyTransaction"), "Every transaction, oldest first.")
        required.append("transactions")
        description = "A membership with all its transactions (GDPR export)."
    return obj(props, required, description)


def loyalty_transaction_schema():
    return obj({
        "id": ID,
        "membershipId": integer(minimum=1),
        "amount": integer("Positive earns, negative spends.", minimum=-1_000_000_000,
                          maximum=1_000_000_000),
        "balanceAfter": integer(minimum=0),
        "reference": string(max_length=100),
        "createdAt": TIMESTAMP,
    }, ["id", "membershipId", "amount", "balanceAfter", "createdAt"],
        "A change of a membership's balance.")


def customer_event_schema():
    return obj({
        "id": string("The event's cursor: pass it as `after` to continue after this event.",
                     min_length=1),
        "type": string("`consent.*` need `consents:les`, the others `customers-profile:les`.",
                       enum=EVENT_TYPES),
        "occurredAt": TIMESTAMP,
        "customerNumber": integer("The customer the event is about (`profile.merged`: the "
                                  "profile merged into).", minimum=1),
        "fields": array(string(), "The names of the fields the change set, never their values."),
        "fromCustomerNumber": integer("`profile.merged`: the profile merged (now only a "
                                      "redirect).", minimum=1),
        "consentId": integer(minimum=1),
        "consentCode": CONSENT_CODE,
        "choice": boolean("`consent.*`: the choice; absent when a given consent was deleted "
                          "(`consent.withdrawn`)."),
        "clientId": string("The token's client id of the change.", null=True),
        "changedBy": string("`createdBy`/`changedBy` of the request, for profile changes."),
        "channel": string("The profile change's channel, or the consent's distribution "
                          "channel."),
    }, ["id", "type", "occurredAt", "customerNumber", "clientId"],
        "One change to a customer. It never holds a personal value.")


def audit_event_schema():
    actions = ["CREATED", "UPDATED", "DEACTIVATED", "PASSWORD_CHANGED", "CONVERTED",
               "MERGED_INTO", "CONNECTED", "ERASED", "PURGED", "POSTAL_ADDRESS_ADDED",
               "POSTAL_ADDRESS_CHANGED", "POSTAL_ADDRESS_REMOVED", "PREFERENCE_ADDED",
               "PREFERENCE_CHANGED", "PREFERENCE_REMOVED", "ECARD_ADDED", "ECARD_REMOVED",
               "LOYALTY_PROGRAM_JOINED", "LOYALTY_PROGRAM_LEFT", "LOYALTY_TRANSACTION_ADDED"]
    return obj({
        "action": string(enum=actions),
        "changedFields": array(string(), "The names of the fields the change touched, never "
                                         "their values."),
        "changedBy": string("`createdBy`/`changedBy` of the request; null for sub-resource "
                            "changes.", null=True),
        "changedByChannel": string(null=True),
        "clientId": string("The token's client id.", null=True),
        "timestamp": TIMESTAMP,
    }, ["action", "changedFields", "changedBy", "changedByChannel", "clientId", "timestamp"],
        "One entry of a profile's audit trail: who, when, what, which fields.")


LANGUAGE_CODE = string("Language code as stored.", enum=LANGUAGES)
CONSENT_CODE = string(pattern=r"^[A-Za-z0-9_-]{1,20}$")


def consent_base_schema():
    return obj({
        "consentCode": CONSENT_CODE,
        "version": integer("The version of the terms shown.", minimum=1),
        "latestVersion": integer(minimum=1),
        "terms": array(ref("Term"), min_items=1),
        "internalDescription": string(max_length=1000),
        "consentOwnerOrgId": integer("The owning organisation; absent for a shared base.",
                                     minimum=1),
        "createdAt": TIMESTAMP,
        "changedAt": TIMESTAMP,
    }, ["consentCode", "version", "latestVersion", "terms", "createdAt", "changedAt"],
        "A consent base: legal terms, versioned. Its `ETag` is the base's revision, bumped by "
        "every change.")


def consent_base_request(create):
    props = {
        "consentCode": (nonblank("1 to 20 of `A-Z a-z 0-9 _ -`, unique within the organisation.",
                                 max_length=20, pattern=r"^\s*[A-Za-z0-9_-]{1,20}\s*$")
                        if create else
                        string("Optional; when given it must be the path's consent code.",
                               null=True, pattern=trimmed(20, required=False))),
        "terms": array(ref("TermRequest"), "The terms, at least one language, each once.",
                       min_items=1),
        "internalDescription": optional_text("At most 1000 characters.", max_length=1000),
        "consentOwnerOrgId": integer("Optional; when present it must be the token's organisation.",
                                     null=True),
    }
    required = ["consentCode", "terms"] if create else ["terms"]
    description = ("Create a consent base (version 1)." if create else
                   "New terms and description. Changed or dropped texts make a new version; "
                   "texts in further languages join the latest version.")
    return obj(props, required, description)


def consent_schema():
    return obj({
        "id": ID,
        "consentCode": CONSENT_CODE,
        "consentBaseVersion": integer(minimum=1),
        "organisationId": ORGANISATION_ID,
        "isSmsSupported": boolean(),
        "isEmailSupported": boolean(),
        "validFrom": TIMESTAMP,
        "validTo": TIMESTAMP,
        "state": string("`DRAFT` (no or a future `validFrom`), `ACTIVE`, `INACTIVE` (`validTo` "
                        "passed), at the time of the request.", enum=["DRAFT", "ACTIVE", "INACTIVE"]),
        "createdAt": TIMESTAMP,
        "changedAt": TIMESTAMP,
    }, ["id", "consentCode", "consentBaseVersion", "organisationId", "isSmsSupported",
        "isEmailSupported", "state", "createdAt", "changedAt"],
        "A consent: the organisation offering one version of a consent base for a period.")


def consent_request(patch):
    instant = ("An RFC 3339 date-time, or a date (its start, 00:00 UTC).")
    if patch:
        cannot_clear = " Cannot be cleared (`null` is 400 `REQUIRED`)."
        props = {
            "organisationId": REQUEST_ORGANISATION_ID,
            "consentCode": string("A new code takes the new base's latest version unless "
                                  "`consentBaseVersion` is given." + cannot_clear, null=True,
                                  pattern=trimmed(20, required=False)),
            "consentBaseVersion": integer(cannot_clear.strip(), null=True, minimum=1),
            "isSmsSupported": boolean(cannot_clear.strip(), null=True),
            "isEmailSupported": boolean(cannot_clear.strip(), null=True),
            "validFrom": string(instant + " `null` clears it.", null=True),
            "validTo": string(instant + " `null` clears it; one being set must not lie in the "
                              "past.", null=True),
        }
        return obj(props, [], "JSON Merge Patch (RFC 7396) of a consent: absent keeps a member, "
                              "`null` clears it. In `DRAFT` anything may change, in `ACTIVE` only "
                              "`isSmsSupported`, `isEmailSupported` and `validTo`, in `INACTIVE` "
                              "nothing.")
    return obj({
        "organisationId": REQUEST_ORGANISATION_ID,
        "consentCode": nonblank("The consent base's code.", max_length=20,
                                pattern=r"^\s*[A-Za-z0-9_-]{1,20}\s*$"),
        "consentBaseVersion": integer("Default: the base's latest version.", null=True, minimum=1),
        "isSmsSupported": boolean("Default `false`.", null=True),
        "isEmailSupported": boolean("Default `false`.", null=True),
        "validFrom": string(instant + " Absent: a draft.", null=True),
        "validTo": string(instant + " After `validFrom`, not in the past; absent: open-ended.",
                          null=True),
    }, ["consentCode"], "POST and PUT (full replacement, only in `DRAFT`) of a consent.")


def given_consent_schema():
    return obj({
        "id": ID,
        "customerNumber": CUSTOMER_NUMBER,
        "consentId": integer(minimum=1),
        "consentChoice": boolean(),
        "distributionChannel": string(max_length=100),
        "expirationDate": TIMESTAMP,
        "createdByOrgId": integer(minimum=1),
        "createdAt": TIMESTAMP,
        "changedAt": TIMESTAMP,
    }, ["id", "customerNumber", "consentId", "consentChoice", "createdByOrgId", "createdAt",
        "changedAt"], "A customer's choice for one of the organisation's consents.")


def given_consent_request():
    return obj({
        "customerNumber": integer("A profile (permanent or temporary) of the caller's "
                                  "organisation, else 404.", minimum=1),
        "consentId": integer("One of the organisation's consents, else 404.", minimum=1),
        "consentChoice": boolean("`true` gives consent, `false` withdraws it."),
        "distributionChannel": nonblank("How the customer gave the choice (`WEB`, `APP`, ...). "
                                        "At most 100 characters.", max_length=100),
        "expirationDate": date_or_date_time(DATE_OR_DATE_TIME + " In the future. Blank counts "
                                            "as absent.", required=False),
    }, ["customerNumber", "consentId", "consentChoice", "distributionChannel"],
        "A customer's choice (creates the given consent or replaces the existing one).")


def history_entry_schema():
    return obj({
        "id": ID,
        "givenConsentId": integer(minimum=1),
        "customerNumber": CUSTOMER_NUMBER,
        "consentId": integer(minimum=1),
        "consentCode": CONSENT_CODE,
        "consentBaseVersion": integer("The version of the terms.", minimum=1),
        "action": string(enum=["GIVEN", "CHANGED", "DELETED"]),
        "consentChoice": boolean("Absent for `DELETED`."),
        "distributionChannel": string(max_length=100),
        "expirationDate": TIMESTAMP,
        "changedByOrgId": integer(minimum=1),
        "changedByClientId": string("The token's client id."),
        "api": string("Which interface recorded it.", enum=["v2", "v1"]),
        "at": TIMESTAMP,
    }, ["id", "givenConsentId", "customerNumber", "consentId", "consentCode",
        "consentBaseVersion", "action", "changedByOrgId", "api", "at"],
        "One immutable entry of the proof of consent (GDPR Art. 7(1)).")


def consent_crm_schema():
    return obj({
        "givenConsentId": integer(minimum=1),
        "consentId": integer(minimum=1),
        "consentCode": CONSENT_CODE,
        "consentBaseVersion": integer(minimum=1),
        "consentOrganisationId": integer(minimum=1),
        "createdByOrgId": integer(minimum=1),
        "customerNumber": CUSTOMER_NUMBER,
        "customerRef": string(min_length=1, max_length=40),
        "consentChoice": boolean(),
        "createdAt": TIMESTAMP,
        "changedAt": TIMESTAMP,
        "email": string("Only with `includeEmail=true` (and when the profile has one).",
                        max_length=254),
        "countryCode": string("Only with `includeTelephoneNumber=true`.",
                              pattern=rf"^{COUNTRY_CALLING_CODE}$"),
        "telephoneNumber": string("Only with `includeTelephoneNumber=true`; without country "
                                  "code.", pattern=rf"^{PHONE_DIGITS}$"),
    }, ["givenConsentId", "consentId", "consentCode", "consentBaseVersion",
        "consentOrganisationId", "createdByOrgId", "customerNumber", "customerRef",
        "consentChoice", "createdAt", "changedAt"], "One line of the CRM listing.")


def problem_schema():
    statuses = sorted(REASON)
    return obj({
        "type": string("`https://customers-api.dev/errors/` and the error's code, lower case "
                       "with dashes.", fmt="uri", pattern=rf"^{re.escape(PROBLEM_TYPE_BASE)}[a-z0-9-]+$"),
        "title": string("The status's reason phrase.", enum=[REASON[s] for s in statuses]),
        "status": integer("The HTTP status.", fmt="int32", minimum=400, maximum=599),
        "detail": string("What went wrong, for people (the entries' messages joined for a 400)."),
        "instance": string("The request path.", min_length=1),
        "path": string("The request path (Entur's member).", min_length=1),
        "error": string("The reason phrase (Entur's member).", enum=[REASON[s] for s in statuses]),
        "message": string("Same as `detail` (Entur's member)."),
        "timestamp": TIMESTAMP,
        "correlationId": string("The response's `X-Correlation-Id`.", min_length=1,
                                max_length=128),
        "errors": array(ref("FieldError"), "One entry per bad field for a 400 with field errors, "
                        "else one entry for the error.", min_items=1),
    }, ["type", "title", "status", "detail", "instance", "path", "error", "message", "timestamp",
        "correlationId", "errors"],
        "Every error: RFC 9457 problem details and Entur's `ErrorResponse` members in one body, "
        "served as `application/problem+json`. A 5xx never carries internal details.")


def schemas():
    return {
        "Timestamp": string("RFC 3339 UTC with milliseconds.", fmt="date-time",
                            pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$",
                            examples=["2026-11-28T06:17:43.123Z"]),
        "Date": string("`YYYY-MM-DD`.", fmt="date", pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
        # Profiles.
        "Customer": customer_schema(),
        "CreateProfileRequest": profile_request(names_required=True, who="created", password=True),
        "ReplaceProfileRequest": profile_request(names_required=True, who="changed"),
        "ProfilePatch": profile_request(
            names_required=True, who="changed", patch=True,
            description="JSON Merge Patch (RFC 7396) of the editable fields: an absent member "
                        "keeps its value, `null` clears an optional one. `changedBy` and "
                        "`changedByChannel` are required."),
        "DeactivateRequest": obj({
            "expirationDate": date_or_date_time(
                DATE_OR_DATE_TIME + " In the future: the profile stays readable (status `D`) "
                "until then, and is then erased.", required=True),
            "changedBy": nonblank(ACTOR_TEXT, max_length=100),
            "changedByChannel": nonblank(ACTOR_TEXT, max_length=100),
        }, ["expirationDate", "changedBy", "changedByChannel"]),
        "ConnectRequest": obj({
            "customerNumberToConnect": integer(
                "The profile (permanent or temporary, same organisation) to merge into this one.",
                minimum=1),
            "changedBy": nonblank(ACTOR_TEXT, max_length=100),
            "changedByChannel": nonblank(ACTOR_TEXT, max_length=100),
        }, ["customerNumberToConnect", "changedBy", "changedByChannel"]),
        "VerifyCredentialsRequest": obj({
            "email": nonblank("Compared case-insensitively."),
            "password": string("Taken as typed.", min_length=1),
            "lastSignInFrom": optional_text("Where the customer signs in from. " + ACTOR_TEXT,
                                            max_length=100),
        }, ["email", "password"]),
        "ChangePasswordRequest": obj({
            "password": string("7 to 128 characters with a lower-case letter, an upper-case "
                               "letter and a digit (`abcD123`); taken as typed.",
                               min_length=7, max_length=128),
            "changedBy": nonblank(ACTOR_TEXT, max_length=100),
            "changedByChannel": nonblank(ACTOR_TEXT, max_length=100),
        }, ["password", "changedBy", "changedByChannel"]),
        "ProfileExport": obj({
            "exportedAt": TIMESTAMP,
            "profile": ref("Customer"),
            "postalAddresses": array(ref("PostalAddress")),
            "preferences": array(ref("CustomerPreference")),
            "ecards": array(ref("ECard")),
            "loyaltyPrograms": array(ref("LoyaltyMembershipExport")),
            "consents": ref("ConsentExport"),
            "history": array(ref("AuditEvent"), "The whole audit trail, oldest first."),
        }, ["exportedAt", "profile", "postalAddresses", "preferences", "ecards", "loyaltyPrograms",
            "consents", "history"], "Everything the service holds on the customer (GDPR access)."),
        "ConsentExport": obj({
            "givenConsents": array(ref("GivenConsent")),
            "history": array(ref("GivenConsentHistoryEntry")),
        }, ["givenConsents", "history"], "The customer's given consents and their history."),
        "AuditEvent": audit_event_schema(),
        "CustomerEvent": customer_event_schema(),
        # Temporary profiles and purge.
        "CreateTemporaryProfileRequest": profile_request(names_required=False, who="created",
                                                         expiration=True),
        "ReplaceTemporaryProfileRequest": profile_request(
            names_required=False, who="changed", expiration=True,
            description="Overwrites every field, `expirationDate` included (Entur semantics)."),
        "ConvertTemporaryProfileRequest": obj({
            "firstName": nonblank("At most 100 characters.", max_length=100),
            "surname": nonblank("At most 100 characters.", max_length=100),
            "email": string("Replaces the temporary profile's email when given; at most 254 "
                            "characters.", null=True,
                            pattern=optional_pattern(EMAIL, max_length=254)),
            "password": string("Optional password, as for a create; empty counts as absent.",
                               null=True, max_length=128),
            "changedBy": nonblank(ACTOR_TEXT, max_length=100),
            "changedByChannel": nonblank(ACTOR_TEXT, max_length=100),
        }, ["firstName", "surname", "changedBy", "changedByChannel"]),
        "PurgeResult": obj({
            "temporaryProfiles": integer("Expired temporary profiles deleted.", minimum=0),
            "deactivatedProfiles": integer("Deactivated profiles past their expiration deleted.",
                                           minimum=0),
            "idempotencyRecords": integer("Stored idempotent responses deleted.", minimum=0),
            "complete": boolean("`false`: the call stopped after its batch limit; call again."),
        }, ["temporaryProfiles", "deactivatedProfiles", "idempotencyRecords", "complete"]),
        # Sub-resources.
        "PostalAddress": postal_address_schema(),
        "PostalAddressRequest": postal_address_request(),
        "CustomerPreference": customer_preference_schema(),
        "PreferenceValueRequest": obj({
            "value": {"type": ["boolean", "number", "string"],
                      "description": "`BOOLEAN`: `true`/`false` (or the strings); `NUMBER`: a "
                                     "number (or a string holding one); `STRING`: a non-blank "
                                     "string of at most 500 characters (trimmed)."},
        }, ["value"]),
        "ECard": ecard_schema(),
        "ECardRequest": ecard_request(),
        "LoyaltyMembership": membership_schema(False),
        "LoyaltyMembershipExport": membership_schema(True),
        "LoyaltyTransaction": loyalty_transaction_schema(),
        "JoinLoyaltyProgramRequest": obj({
            "programId": integer("One of the organisation's loyalty programs.", minimum=1),
        }, ["programId"]),
        "LoyaltyTransactionRequest": obj({
            "amount": integer("A whole number other than 0, at most 1000000000 either way; "
                              "negative spends.", minimum=-1_000_000_000,
                              maximum=1_000_000_000) | {"not": {"const": 0}},
            "reference": optional_text("At most 100 characters.", max_length=100),
        }, ["amount"]),
        # Catalogue.
        "PreferenceDefinition": preference_definition_schema(),
        "PreferenceDefinitionRequest": preference_definition_request(),
        "LoyaltyProgram": loyalty_program_schema(),
        "LoyaltyProgramRequest": loyalty_program_request(),
        # Consents.
        "Term": obj({"language": LANGUAGE_CODE, "text": string(max_length=20000)},
                    ["language", "text"], "The terms in one language (Markdown allowed)."),
        "TermRequest": obj({
            "language": nonblank(LANGUAGE_TEXT, pattern=r"^\s*[A-Za-z]{2,3}\s*$"),
            "text": nonblank("At most 20000 characters; line breaks and tabs allowed, other "
                             "control characters not.", max_length=20000),
        }, ["language", "text"]),
        "ConsentBase": consent_base_schema(),
        "ConsentBaseRequest": consent_base_request(True),
        "ConsentBaseReplaceRequest": consent_base_request(False),
        "Consent": consent_schema(),
        "ConsentRequest": consent_request(False),
        "ConsentPatch": consent_request(True),
        "GivenConsent": given_consent_schema(),
        "GivenConsentRequest": given_consent_request(),
        "GivenConsentHistoryEntry": history_entry_schema(),
        "ConsentCrm": consent_crm_schema(),
        "LegacyConsent": obj({
            "customerId": CUSTOMER_NUMBER,
            "consentCode": CONSENT_CODE,
            "consentChoice": boolean(),
            "createdAt": TIMESTAMP,
            "changedAt": TIMESTAMP,
        }, ["customerId", "consentCode", "consentChoice", "createdAt", "changedAt"],
            "The legacy v1 consent: the customer's choice for the organisation's active consent "
            "of that code."),
        "LegacyConsentRequest": obj({"consentChoice": boolean()}, ["consentChoice"]),
        # Platform and local issuer.
        "Health": obj({
            "status": string(enum=["UP", "DOWN"]),
            "database": string(enum=["UP", "DOWN"]),
        }, ["status", "database"]),
        "TokenRequest": obj({
            "grant_type": string(enum=["client_credentials"]),
            "client_id": string(),
            "client_secret": string(),
            "audience": string("Optional; must be the configured `jwt_audience`.", null=True),
        }, ["grant_type", "client_id", "client_secret"],
            "OAuth 2.0 client credentials. Members it does not know are ignored.",
            additional=True),
        "TokenResponse": obj({
            "access_token": string("A JWT signed with EdDSA (Ed25519)."),
            "token_type": string(const="Bearer"),
            "expires_in": integer("Seconds.", const=86400, fmt="int32"),
        }, ["access_token", "token_type", "expires_in"]),
        "Jwks": obj({
            "keys": array(obj({
                "kty": string(const="OKP"),
                "crv": string(const="Ed25519"),
                "x": string("The public key, base64url.", pattern=r"^[A-Za-z0-9_-]+$"),
                "kid": string(pattern=r"^[A-Za-z0-9_-]+$"),
                "alg": string(const="EdDSA"),
                "use": string(const="sig"),
            }, ["kty", "crv", "x", "kid", "alg", "use"]), min_items=1),
        }, ["keys"], "The local issuer's public keys (RFC 7517)."),
        "Problem": problem_schema(),
        "FieldError": obj({
            "errorCode": ref("ErrorCode"),
            "field": string("The field or parameter concerned (`postalAddresses[1].postCode`, "
                            "`[2].consentId` in a bulk request), when there is one."),
            "message": string(),
        }, ["errorCode", "message"]),
        "ErrorCode": error_code_schema(),
    }


# --------------------------------------------------------------------------------------------
# 6. Operations
# --------------------------------------------------------------------------------------------

OPERATIONS = []  # (method, template, function), in registration order


def operation(method, template):
    def register(function):
        OPERATIONS.append((method, template, function))
        return function
    return register


def body(schema_name, *, media=("application/json",), strict=True, items=None,
         description=None):
    """A JSON request body of `schema_name` (`items=(min, max)`: an array of them); `strict`:
    unknown members are 400 `UNKNOWN_FIELD` (serde `deny_unknown_fields`)."""
    return {"schema": schema_name, "media": media, "strict": strict, "items": items,
            "required": True, "description": description}


JSON_PATCH = ("application/merge-patch+json", "application/json")


def op(op_id, tags, summary, description="", *, permission=None, public=False, any_token=False,
       query=(), request=None, if_match=False, idempotent=False, ok=None, errors=None,
       not_found=True, deprecated=None):
    """One operation. `permission` is what the token must grant (`public`: no token at all;
    `any_token`: a valid token, no permission checked). `ok` maps success statuses to
    responses; `errors` maps error statuses to the errorCodes the operation itself adds (the
    common ones are added here). A templated path adds 404 `NOT_FOUND` unless `not_found` is
    false. `deprecated`: the header ids every response of a deprecated operation carries."""
    assert [bool(permission), public, any_token].count(True) == 1, f"{op_id}: who may call it?"
    spec = {"op_id": op_id, "tags": [tags] if isinstance(tags, str) else list(tags),
            "summary": summary, "description": description, "permission": permission,
            "public": public, "query": list(query), "request": request, "if_match": if_match,
            "idempotent": idempotent, "ok": ok or {}, "errors": {}, "not_found": not_found,
            "deprecated": deprecated}
    codes = spec["errors"]

    def add(status, *more):
        codes.setdefault(status, [])
        codes[status] += [c for c in more if c not in codes[status]]

    if not public:
        add(401, "MISSING_TOKEN", "INVALID_TOKEN")
        add(403, "MISSING_ORGANISATION", *([] if any_token else ["MISSING_PERMISSION"]))
    if query:
        add(400, "UNKNOWN_PARAMETER", "REPEATED_PARAMETER")  # web::Query
    if request is not None:
        add(400, "INVALID_JSON", *(["UNKNOWN_FIELD"] if request["strict"] else []))
        add(413, "PAYLOAD_TOO_LARGE")
        add(415, "UNSUPPORTED_MEDIA_TYPE")
    if idempotent:
        add(400, "INVALID_IDEMPOTENCY_KEY")
        add(409, "IDEMPOTENCY_KEY_IN_USE")
        add(422, "IDEMPOTENCY_KEY_REUSED")
    if if_match:
        add(412, "PRECONDITION_FAILED")
    for status, more in (errors or {}).items():
        add(status, *more)
    if not public:
        add(500, "INTERNAL_ERROR")
        add(503, "ISSUER_UNAVAILABLE")
    return spec


def build_operation(method, template, spec):
    """The OpenAPI Operation Object of a spec from `op`."""
    path_names = re.findall(r"\{([^}]+)\}", template)
    if path_names and spec["not_found"]:
        spec["errors"].setdefault(404, [])
        if "NOT_FOUND" not in spec["errors"][404]:
            spec["errors"][404].insert(0, "NOT_FOUND")
    parameters = [param_ref(name) for name in path_names]
    for item in spec["query"]:
        parameters.append(param_ref(item) if isinstance(item, str) else item)
    if spec["if_match"]:
        parameters.append(param_ref("If-Match"))
    if spec["idempotent"]:
        parameters.append(param_ref("Idempotency-Key"))
    parameters += [param_ref("X-Correlation-Id"), param_ref("ET-Client-Name")]

    description = spec["description"].strip()
    permission = spec["permission"]
    if spec["public"]:
        who = "Public: no token needed."
    elif isinstance(permission, tuple):
        who = "Permission: " + " or ".join(f"`{p}`" for p in permission) + "."
    elif permission:
        who = f"Permission: `{permission}`."
    else:
        who = "Any valid token; no permission is checked."
    description += ("\n\n" if description else "") + who
    result = {"operationId": spec["op_id"], "tags": spec["tags"], "summary": spec["summary"],
              "description": description}
    deprecation = header_refs(spec["deprecated"] or [])
    if spec["deprecated"]:
        result["deprecated"] = True
    result["x-permissions"] = (list(permission) if isinstance(permission, tuple)
                               else [permission] if permission else [])
    if spec["public"]:
        result["security"] = []
    result["parameters"] = parameters

    request = spec["request"]
    if request is not None:
        schema = ref(request["schema"])
        if request["items"]:
            schema = array(schema, min_items=request["items"][0], max_items=request["items"][1])
        content = {media: {"schema": schema} for media in request["media"]}
        result["requestBody"] = {"required": request["required"], "content": content}
        if request["description"]:
            result["requestBody"]["description"] = request["description"]

    responses = {}
    for status, ok_response in spec["ok"].items():
        if spec["idempotent"] and 200 <= status < 300:
            ok_response["headers"].update(header_refs(["Idempotent-Replayed"]))
        ok_response["headers"].update(deprecation)
        responses[str(status)] = ok_response
    for status in sorted(spec["errors"]):
        codes = spec["errors"][status]
        for code in codes:
            assert CODE_STATUS.get(code) == status, f"{spec['op_id']}: {code} is not a {status}"
        responses[str(status)] = {
            "$ref": f"#/components/responses/{error_response_name(status, spec['deprecated'])}",
            "description": "errorCode: " + ", ".join(f"`{c}`" for c in codes) + ".",
        }
    for status, targets in LINKS.get(spec["op_id"].removesuffix("V1"), {}).items():
        responses[str(status)]["links"] = {
            target[0].upper() + target[1:]: {"operationId": target, "parameters": dict(parameters)}
            for target, parameters in targets
        }
    result["responses"] = responses
    return result


# OpenAPI links: what a created resource's answer leads to (clients and schemathesis's
# stateful phase follow them), by the creating operation and its status. The v1 create
# (`createProfileV1`) links like `createProfile`.
IN_BODY = "$response.body#/"
CUSTOMER = {"customerNumber": IN_BODY + "customerNumber"}
PATH_CUSTOMER = {"customerNumber": "$request.path.customerNumber"}
BODY_ID = {"id": IN_BODY + "id"}


def link_all(op_ids, parameters):
    return [(op_id, parameters) for op_id in op_ids]


LINKS = {
    "createProfile": {201: link_all(
        ["getProfile", "replaceProfile", "patchProfile", "eraseProfile", "deactivateProfile",
         "exportProfile", "getProfileHistory", "changePassword", "listPostalAddresses",
         "createPostalAddress", "listCustomerPreferences", "listECards", "createECard",
         "listLoyaltyMemberships", "joinLoyaltyProgram"], CUSTOMER)},
    "createTemporaryProfile": {201: link_all(
        ["getTemporaryProfile", "replaceTemporaryProfile", "eraseTemporaryProfile",
         "convertTemporaryProfile", "listTemporaryPostalAddresses",
         "createTemporaryPostalAddress", "listTemporaryCustomerPreferences"], CUSTOMER)},
    "createPostalAddress": {201: link_all(
        ["getPostalAddress", "replacePostalAddress", "deletePostalAddress"],
        PATH_CUSTOMER | BODY_ID)},
    "createTemporaryPostalAddress": {201: link_all(
        ["getTemporaryPostalAddress", "replaceTemporaryPostalAddress",
         "deleteTemporaryPostalAddress"], PATH_CUSTOMER | BODY_ID)},
    "createECard": {201: link_all(["deleteECard"], PATH_CUSTOMER | BODY_ID)},
    "joinLoyaltyProgram": {201: link_all(
        ["leaveLoyaltyProgram", "listLoyaltyTransactions", "addLoyaltyTransaction"],
        PATH_CUSTOMER | {"membershipId": IN_BODY + "id"})},
    "createPreferenceDefinition": {201: link_all(
        ["getPreferenceDefinition", "replacePreferenceDefinition", "deletePreferenceDefinition"],
        BODY_ID)},
    "createLoyaltyProgram": {201: link_all(["getLoyaltyProgram", "replaceLoyaltyProgram"],
                                           BODY_ID)},
    "createConsentBase": {201: link_all(["getConsentBase", "replaceConsentBase"],
                                        {"consentCode": IN_BODY + "consentCode"})
                          + [("getConsentBaseVersion", {"consentCode": IN_BODY + "consentCode",
                                                        "version": IN_BODY + "version"})]},
    "createConsent": {201: link_all(["getConsent", "replaceConsent", "patchConsent"], BODY_ID)},
    "giveConsent": {status: link_all(["getGivenConsent", "deleteGivenConsent"], BODY_ID)
                    + link_all(["listGivenConsents", "getGivenConsentHistory"],
                               {"customerNumber": IN_BODY + "customerNumber"})
                    for status in (200, 201)},
}


# Success-response shorthands.
def one(schema_name, description, *, etag=True, more=()):
    return response(description, ref(schema_name), headers=(["ETag"] if etag else []) + list(more))


def many(schema_name, description, *, paged=False, more=()):
    return response(description, array(ref(schema_name)),
                    headers=(["Link"] if paged else []) + list(more))


def created(schema_name, description, *, location=True, etag=True, more=()):
    headers = (["Location"] if location else []) + (["ETag"] if etag else []) + list(more)
    return response(description, ref(schema_name), headers=headers)


# ---------------------------------------------------------------- profiles (components/profiles)

PROFILE_404 = ("404 for a profile of another organisation, a temporary or expired one, or one "
               "that does not exist.")


@operation("POST", "/customers/v2/profiles")
def create_profile():
    return op("createProfile", "profiles", "Create a permanent profile",
              "Required `firstName`, `surname`, `createdBy`, `createdByChannel`. Of two "
              "concurrent creates with the same email or `customerRef` exactly one wins.",
              permission=CREATE, request=body("CreateProfileRequest"), idempotent=True,
              ok={201: created("Customer", "Created.")},
              errors={400: PROFILE_FIELDS + ["WEAK_PASSWORD"], 403: ["ORGANISATION_MISMATCH"],
                      409: ["DUPLICATE_EMAIL", "DUPLICATE_CUSTOMER_REF"]})


def search(op_id, summary):
    return op(op_id, "profiles", summary,
              "The AND of every criterion given; at least one is needed (else 400 "
              "`MISSING_SEARCH_CRITERIA`). "
              "Ordered by customer number; `maxResultSet` per page and the next page in `Link`. "
              "Passive (merged) and expired profiles are never found. A profile is findable the "
              "moment its create returned.",
              permission=READ, query=search_parameters(),
              ok={200: many("Customer", "The matching profiles (a bare array, maybe empty).",
                            paged=True)},
              errors={400: ["MISSING_SEARCH_CRITERIA", "INVALID_DATE",
                            "INVALID_BOOLEAN", "605", *PAGING]})


@operation("GET", "/customers/v2/profiles")
def search_profiles():
    return search("searchProfiles", "Search profiles")


@operation("GET", "/customers/v2/profiles-search")
def search_profiles_alias():
    return search("searchProfilesAlias", "Search profiles (Entur's `profiles-search` path)")


@operation("POST", "/customers/v2/profiles/verify-credentials")
def verify_credentials():
    return op("verifyCredentials", "profiles", "Verify a customer's email and password",
              "200 with the profile when the password is right; 401 `INVALID_CREDENTIALS` for a "
              "wrong password and an unknown email alike, after the same work. After 5 "
              "consecutive failures for one email in the organisation, attempts for it are 429 "
              "`TOO_MANY_ATTEMPTS` with `Retry-After` (1 minute, doubling with each further "
              "failure, at most 1 hour) without checking the password; a success resets the "
              "count; unknown emails are counted and locked exactly like known ones.",
              permission=READ, request=body("VerifyCredentialsRequest"),
              ok={200: one("Customer", "The password is right.")},
              errors={400: ["REQUIRED", *TEXT], 401: ["INVALID_CREDENTIALS"], 429: ["TOO_MANY_ATTEMPTS"]})


@operation("GET", "/customers/v2/profiles/by-customer-ref/{customerRef}")
def get_profile_by_ref():
    return op("getProfileByCustomerRef", "profiles", "Get a profile by its customerRef",
              "A passive (merged) profile answers with the active profile it was merged into.",
              permission=READ, ok={200: one("Customer", "The profile.")})


@operation("GET", "/customers/v2/profiles/{customerNumber}")
def get_profile():
    return op("getProfile", "profiles", "Get a permanent profile",
              "A passive (merged) profile answers with the active profile it was merged into. "
              + PROFILE_404,
              permission=READ, query=["includeECards"],
              ok={200: one("Customer", "The profile (with `ecards` when asked).")},
              errors={400: ["INVALID_BOOLEAN"]})


@operation("PUT", "/customers/v2/profiles/{customerNumber}")
def replace_profile():
    return op("replaceProfile", "profiles", "Replace a profile's editable fields",
              "Every optional field left out is cleared; a left-out `customerRef` goes back to "
              "the customer number.",
              permission=CHANGE, request=body("ReplaceProfileRequest"), if_match=True,
              ok={200: one("Customer", "The new state.")},
              errors={400: PROFILE_FIELDS, 403: ["ORGANISATION_MISMATCH"],
                      409: ["DUPLICATE_EMAIL", "DUPLICATE_CUSTOMER_REF"]})


@operation("PATCH", "/customers/v2/profiles/{customerNumber}")
def patch_profile():
    return op("patchProfile", "profiles", "Change some of a profile's fields (JSON Merge Patch)",
              "RFC 7396: `null` clears an optional field; `changedBy` and `changedByChannel` "
              "are required. The body must be a JSON object.",
              permission=CHANGE, request=body("ProfilePatch", media=JSON_PATCH), if_match=True,
              ok={200: one("Customer", "The new state.")},
              errors={400: PROFILE_FIELDS, 403: ["ORGANISATION_MISMATCH"],
                      409: ["DUPLICATE_EMAIL", "DUPLICATE_CUSTOMER_REF"]})


@operation("DELETE", "/customers/v2/profiles/{customerNumber}")
def erase_profile():
    return op("eraseProfile", "profiles", "Erase a profile (GDPR)",
              "Immediate and irrecoverable: the profile, the profiles merged into it and "
              "everything hanging off them. An audit record without personal data remains.",
              permission=DELETE, if_match=True, ok={204: no_content("Erased.")})


@operation("POST", "/customers/v2/profiles/{customerNumber}/deactivate")
def deactivate_profile():
    return op("deactivateProfile", "profiles", "Deactivate a profile",
              "Status becomes `D` and the email is released; the profile stays readable until "
              "`expirationDate`, then all its personal data is erased.",
              permission=CHANGE, request=body("DeactivateRequest"), if_match=True,
              ok={200: one("Customer", "The deactivated profile.")},
              errors={400: ["REQUIRED", *EXPIRATION, *TEXT]})


@operation("POST", "/customers/v2/profiles/{customerNumber}/connect")
def connect_profile():
    return op("connectProfile", "profiles", "Merge another profile into this one",
              "`customerNumberToConnect` (permanent or temporary, same organisation) is merged "
              "into this profile: its consents, addresses, preferences, ecards and loyalty "
              "memberships move over; it becomes `P` and reads of its number answer with this "
              "profile. 404 also when the other profile does not exist.",
              permission=CHANGE, request=body("ConnectRequest"), if_match=True,
              ok={200: one("Customer", "This profile.")},
              errors={400: ["REQUIRED", "INVALID_CUSTOMER_NUMBER", "CANNOT_CONNECT_TO_ITSELF",
                            *TEXT],
                      409: ["PROFILE_NOT_ACTIVE"]})


@operation("GET", "/customers/v2/profiles/{customerNumber}/export")
def export_profile():
    return op("exportProfile", "profiles", "Export everything held on a customer (GDPR)",
              "One document: the profile and everything attached to it.",
              permission=READ, ok={200: response("The export.", ref("ProfileExport"))})


@operation("GET", "/customers/v2/profiles/{customerNumber}/history")
def profile_history():
    return op("getProfileHistory", "profiles", "A profile's audit trail",
              "Who, when, which action, which fields changed — never the values. Oldest first; "
              "`limit` and `cursor` page it.",
              permission=READ, query=["limit", "cursor"],
              ok={200: many("AuditEvent", "The entries (a bare array).", paged=True)},
              errors={400: PAGING})


@operation("GET", "/customers/v2/events")
def list_events():
    return op("listEvents", "events", "Follow the change feed",
              "The caller's organisation's events, oldest first: creates, changes, merges, "
              "erasures, expiries and consent choices, with the names of the fields changed but "
              "never a personal value. Each event's `id` is a cursor; the `Link` header's "
              "`next` is always there, and on the last page it is where to poll from later. "
              "Events are kept `event_retention_days` (35 by default). Profile events need "
              "`customers-profile:les`, consent events `consents:les`; a token with one of them "
              "sees those types only.",
              permission=(READ, CONSENTS_READ),
              query=["after", "limit", "eventTypes", "customerNumberFilter"],
              ok={200: many("CustomerEvent", "The events (a bare array).", more=["FeedLink"])},
              errors={400: ["INVALID_LIMIT", "INVALID_CURSOR", "INVALID_EVENT_TYPE",
                            "INVALID_CUSTOMER_NUMBER"]},
              not_found=False)


@operation("PUT", "/customers/v2/profiles/{customerNumber}/password")
def change_password():
    return op("changePassword", "profiles", "Set a profile's password",
              "Stored only as an Argon2id hash.",
              permission=CHANGE, request=body("ChangePasswordRequest"), if_match=True,
              ok={204: no_content("Changed.")},
              errors={400: ["REQUIRED", "WEAK_PASSWORD", *TEXT]})


# Sub-resources, shared by permanent and temporary profiles.

def address_ops(prefix, temporary):
    tags = ["postal-addresses"] + (["temporary-profiles"] if temporary else [])
    kind = "Temporary" if temporary else ""
    who = "a temporary profile" if temporary else "a permanent profile"
    base = f"{prefix}/{{customerNumber}}/postal-addresses"
    writes = {409: ["PROFILE_NOT_ACTIVE"]}
    fields = {400: ["REQUIRED", *TEXT, "INVALID_POST_CODE", "INVALID_COUNTRY_CODE"]}

    @operation("GET", base)
    def list_addresses():
        return op(f"list{kind}PostalAddresses", tags, f"List the postal addresses of {who}",
                  "Oldest first.", permission=READ,
                  ok={200: many("PostalAddress", "The addresses (a bare array).")})

    @operation("POST", base)
    def create_address():
        return op(f"create{kind}PostalAddress", tags, f"Add a postal address to {who}",
                  permission=CREATE, request=body("PostalAddressRequest"), idempotent=True,
                  ok={201: created("PostalAddress", "Added.")}, errors=fields | writes)

    @operation("GET", base + "/{id}")
    def get_address():
        return op(f"get{kind}PostalAddress", tags, f"Get a postal address of {who}",
                  permission=READ, ok={200: one("PostalAddress", "The address.")})

    @operation("PUT", base + "/{id}")
    def replace_address():
        return op(f"replace{kind}PostalAddress", tags, f"Replace a postal address of {who}",
                  "Every field is replaced (same body as POST).",
                  permission=CHANGE, request=body("PostalAddressRequest"), if_match=True,
                  ok={200: one("PostalAddress", "The new state.")}, errors=fields | writes)

    @operation("DELETE", base + "/{id}")
    def delete_address():
        return op(f"delete{kind}PostalAddress", tags, f"Remove a postal address of {who}",
                  permission=DELETE, if_match=True, ok={204: no_content("Removed.")},
                  errors=writes)


def preference_ops(prefix, temporary):
    tags = ["preferences"] + (["temporary-profiles"] if temporary else [])
    kind = "Temporary" if temporary else ""
    who = "a temporary profile" if temporary else "a permanent profile"
    base = f"{prefix}/{{customerNumber}}/preferences"

    @operation("GET", base)
    def list_preferences():
        return op(f"list{kind}CustomerPreferences", tags, f"List the preference values of {who}",
                  "By code; values of inactive definitions too.", permission=READ,
                  ok={200: many("CustomerPreference", "The values (a bare array).")})

    @operation("PUT", base + "/{preferenceCode}")
    def set_preference():
        return op(f"set{kind}CustomerPreference", tags, f"Set a preference value of {who}",
                  "Checked against the definition's `preferenceType`. 201 (with `Location`) when "
                  "the profile had no value for the code, else 200. `If-Match` on a value that "
                  "does not exist yet is 412.",
                  permission=CHANGE, request=body("PreferenceValueRequest"), if_match=True,
                  ok={200: one("CustomerPreference", "Changed."),
                      201: created("CustomerPreference", "Set for the first time.")},
                  errors={400: ["UNKNOWN_PREFERENCE_CODE", "PREFERENCE_INACTIVE", "REQUIRED",
                                "INVALID_PREFERENCE_VALUE", *TEXT],
                          409: ["PROFILE_NOT_ACTIVE"]})

    @operation("DELETE", base + "/{preferenceCode}")
    def delete_preference():
        return op(f"delete{kind}CustomerPreference", tags, f"Remove a preference value of {who}",
                  "404 also when the profile has no value for the code.",
                  permission=DELETE, if_match=True, ok={204: no_content("Removed.")},
                  errors={409: ["PROFILE_NOT_ACTIVE"]})


P = "/customers/v2/profiles"
address_ops(P, temporary=False)
preference_ops(P, temporary=False)


@operation("GET", "/customers/v2/profiles/{customerNumber}/ecards")
def list_ecards():
    return op("listECards", "ecards", "List a profile's ecards", "Oldest first.",
              permission=READ, ok={200: many("ECard", "The ecards (a bare array).")})


@operation("POST", "/customers/v2/profiles/{customerNumber}/ecards")
def create_ecard():
    return op("createECard", "ecards", "Register an ecard to a profile",
              "An ecard is owned by one profile at a time per organisation (409 "
              "`ECARD_ALREADY_OWNED`, also for this profile).",
              permission=CREATE, request=body("ECardRequest"), idempotent=True,
              ok={201: created("ECard", "Registered.")},
              errors={400: ["REQUIRED", "INVALID_ECARD_NUMBER", "INVALID_ECARD_OPERATOR",
                            "ECARD_NUMBER_MISMATCH", *TEXT, "INVALID_DATE", "INVALID_TIMESTAMP"],
                      409: ["ECARD_ALREADY_OWNED", "PROFILE_NOT_ACTIVE"]})


@operation("DELETE", "/customers/v2/profiles/{customerNumber}/ecards/{id}")
def delete_ecard():
    return op("deleteECard", "ecards", "Remove an ecard from a profile",
              "The card may then be registered again.",
              permission=DELETE, if_match=True, ok={204: no_content("Removed.")},
              errors={409: ["PROFILE_NOT_ACTIVE"]})


@operation("GET", "/customers/v2/profiles/{customerNumber}/loyalty-programs")
def list_memberships():
    return op("listLoyaltyMemberships", "loyalty-programs", "List a profile's loyalty memberships",
              "Oldest first.", permission=READ,
              ok={200: many("LoyaltyMembership", "The memberships (a bare array).")})


@operation("POST", "/customers/v2/profiles/{customerNumber}/loyalty-programs")
def join_program():
    return op("joinLoyaltyProgram", "loyalty-programs", "Join a loyalty program",
              "`COUPONS` and `POINTS` memberships start with balance 0.",
              permission=CREATE, request=body("JoinLoyaltyProgramRequest"), idempotent=True,
              ok={201: created("LoyaltyMembership", "Joined.")},
              errors={400: ["REQUIRED", "UNKNOWN_LOYALTY_PROGRAM", "LOYALTY_PROGRAM_ENDED"],
                      409: ["LOYALTY_PROGRAM_ALREADY_JOINED", "PROFILE_NOT_ACTIVE"]})


@operation("DELETE", "/customers/v2/profiles/{customerNumber}/loyalty-programs/{membershipId}")
def leave_program():
    return op("leaveLoyaltyProgram", "loyalty-programs", "Leave a loyalty program",
              "The membership's balance and transactions are deleted with it.",
              permission=DELETE, if_match=True, ok={204: no_content("Left.")},
              errors={409: ["PROFILE_NOT_ACTIVE"]})


@operation("GET",
           "/customers/v2/profiles/{customerNumber}/loyalty-programs/{membershipId}/transactions")
def list_transactions():
    return op("listLoyaltyTransactions", "loyalty-programs", "List a membership's transactions",
              "Oldest first; `limit` and `cursor` page it.",
              permission=READ, query=["limit", "cursor"],
              ok={200: many("LoyaltyTransaction", "The transactions (a bare array).", paged=True)},
              errors={400: PAGING})


@operation("POST",
           "/customers/v2/profiles/{customerNumber}/loyalty-programs/{membershipId}/transactions")
def add_transaction():
    return op("addLoyaltyTransaction", "loyalty-programs", "Change a membership's balance",
              "The balance never goes below zero, also under concurrent transactions (409 "
              "`INSUFFICIENT_BALANCE`). `Idempotency-Key` makes a retried spend safe.",
              permission=CREATE, request=body("LoyaltyTransactionRequest"), idempotent=True,
              ok={201: response("Recorded; `balanceAfter` is the new balance.",
                                ref("LoyaltyTransaction"))},
              errors={400: ["REQUIRED", "INVALID_AMOUNT", *TEXT, "TIMED_PROGRAM_HAS_NO_BALANCE",
                            "LOYALTY_PROGRAM_NOT_VALID"],
                      409: ["INSUFFICIENT_BALANCE", "PROFILE_NOT_ACTIVE"]})


# Organisation catalogues.

CATALOGUE_WRITE = ("The contract names no catalogue permission: writes need "
                   "`customers-profile:endre` (DELETE `customers-profile:slett`).")


@operation("GET", "/customers/v2/preferences")
def list_definitions():
    return op("listPreferenceDefinitions", "catalogue", "List the organisation's preference "
              "definitions", "By code.", permission=READ,
              ok={200: many("PreferenceDefinition", "The definitions (a bare array).")},
              not_found=False)


@operation("POST", "/customers/v2/preferences")
def create_definition():
    return op("createPreferenceDefinition", "catalogue", "Create a preference definition",
              CATALOGUE_WRITE, permission=CHANGE, request=body("PreferenceDefinitionRequest"),
              idempotent=True, ok={201: created("PreferenceDefinition", "Created.")},
              errors={400: ["REQUIRED", "INVALID_PREFERENCE_CODE", "INVALID_PREFERENCE_TYPE",
                            *TEXT],
                      403: ["ORGANISATION_MISMATCH"], 409: ["DUPLICATE_PREFERENCE_CODE"]})


@operation("GET", "/customers/v2/preferences/{id}")
def get_definition():
    return op("getPreferenceDefinition", "catalogue", "Get a preference definition",
              permission=READ, ok={200: one("PreferenceDefinition", "The definition.")})


@operation("PUT", "/customers/v2/preferences/{id}")
def replace_definition():
    return op("replacePreferenceDefinition", "catalogue", "Replace a preference definition",
              "Full replacement; the type of a definition customers hold values for cannot "
              "change. " + CATALOGUE_WRITE,
              permission=CHANGE, request=body("PreferenceDefinitionRequest"), if_match=True,
              ok={200: one("PreferenceDefinition", "The new state.")},
              errors={400: ["REQUIRED", "INVALID_PREFERENCE_CODE", "INVALID_PREFERENCE_TYPE",
                            *TEXT],
                      403: ["ORGANISATION_MISMATCH"],
                      409: ["DUPLICATE_PREFERENCE_CODE", "PREFERENCE_IN_USE"]})


@operation("DELETE", "/customers/v2/preferences/{id}")
def delete_definition():
    return op("deletePreferenceDefinition", "catalogue", "Delete a preference definition",
              "Refused while customers hold values for it (deactivate it instead).",
              permission=DELETE, if_match=True, ok={204: no_content("Deleted.")},
              errors={409: ["PREFERENCE_IN_USE"]})


@operation("GET", "/customers/v2/loyalty-programs")
def list_programs():
    return op("listLoyaltyPrograms", "catalogue", "List the organisation's loyalty programs",
              "Oldest first.", permission=READ,
              ok={200: many("LoyaltyProgram", "The programs (a bare array).")}, not_found=False)


@operation("POST", "/customers/v2/loyalty-programs")
def create_program():
    return op("createLoyaltyProgram", "catalogue", "Create a loyalty program", CATALOGUE_WRITE,
              permission=CHANGE, request=body("LoyaltyProgramRequest"), idempotent=True,
              ok={201: created("LoyaltyProgram", "Created.")},
              errors={400: ["REQUIRED", "INVALID_PROGRAM_TYPE", "INVALID_DATE",
                            "INVALID_VALIDITY_PERIOD", *TEXT],
                      403: ["ORGANISATION_MISMATCH"]})


@operation("GET", "/customers/v2/loyalty-programs/{id}")
def get_program():
    return op("getLoyaltyProgram", "catalogue", "Get a loyalty program", permission=READ,
              ok={200: one("LoyaltyProgram", "The program.")})


@operation("PUT", "/customers/v2/loyalty-programs/{id}")
def replace_program():
    return op("replaceLoyaltyProgram", "catalogue", "Replace a loyalty program",
              "Full replacement; programs are not deleted (end one with `validTo`), and the type "
              "of a program with members cannot change. " + CATALOGUE_WRITE,
              permission=CHANGE, request=body("LoyaltyProgramRequest"), if_match=True,
              ok={200: one("LoyaltyProgram", "The new state.")},
              errors={400: ["REQUIRED", "INVALID_PROGRAM_TYPE", "INVALID_DATE",
                            "INVALID_VALIDITY_PERIOD", *TEXT],
                      403: ["ORGANISATION_MISMATCH"], 409: ["LOYALTY_PROGRAM_IN_USE"]})


# v1 profiles (contract §8): the v2 operations v1 had, at their v1 paths.

V1 = "/customers/v1/profiles"


def v1(spec, op_id, v2_path):
    """A v2 profile operation at its v1 path: same behaviour, deprecated, with the v1 headers."""
    spec.update(op_id=op_id, tags=["profiles-v1"], deprecated=V1_PROFILE_HEADERS,
                summary=spec["summary"] + " (v1, deprecated)")
    spec["description"] = (f"Deprecated: use `{v2_path}`, which this v1 path serves with the "
                           "same behaviour. Every response carries `Deprecation`, `Sunset` and a "
                           "`successor-version` link to the v2 path. " + spec["description"])
    return spec


@operation("POST", V1)
def create_profile_v1():
    return v1(create_profile(), "createProfileV1", P)


@operation("GET", V1)
def search_profiles_v1():
    return v1(search("searchProfilesV1", "Search profiles"), "searchProfilesV1", P)


@operation("GET", V1 + "/by-customer-ref/{customerRef}")
def get_profile_by_ref_v1():
    return v1(get_profile_by_ref(), "getProfileByCustomerRefV1", P + "/by-customer-ref/{customerRef}")


@operation("GET", V1 + "/{customerNumber}")
def get_profile_v1():
    return v1(get_profile(), "getProfileV1", P + "/{customerNumber}")


@operation("PUT", V1 + "/{customerNumber}")
def replace_profile_v1():
    return v1(replace_profile(), "replaceProfileV1", P + "/{customerNumber}")


@operation("PATCH", V1 + "/{customerNumber}")
def patch_profile_v1():
    return v1(patch_profile(), "patchProfileV1", P + "/{customerNumber}")


@operation("DELETE", V1 + "/{customerNumber}")
def erase_profile_v1():
    return v1(erase_profile(), "eraseProfileV1", P + "/{customerNumber}")


# ------------------------------------------------- temporary profiles (components/temporary-profiles)

T = "/customers/v2/profiles/temporary"
TEMPORARY_404 = "404 from the instant its `expirationDate` passes, purged or not."


@operation("POST", T)
def create_temporary():
    return op("createTemporaryProfile", "temporary-profiles", "Create a temporary profile",
              "Required `expirationDate` (in the future, at most 400 days ahead), `createdBy`, "
              "`createdByChannel`; no password. Temporary profiles may share an email.",
              permission=CREATE, request=body("CreateTemporaryProfileRequest"), idempotent=True,
              ok={201: created("Customer", "Created, with `profileType` `T` and "
                                           "`expirationDate`.")},
              errors={400: PROFILE_FIELDS + EXPIRATION + ["EXPIRATION_DATE_TOO_FAR"],
                      403: ["ORGANISATION_MISMATCH"], 409: ["DUPLICATE_CUSTOMER_REF"]})


@operation("GET", T + "/{customerNumber}")
def get_temporary():
    return op("getTemporaryProfile", "temporary-profiles", "Get a temporary profile",
              TEMPORARY_404, permission=READ, ok={200: one("Customer", "The profile.")})


@operation("PUT", T + "/{customerNumber}")
def replace_temporary():
    return op("replaceTemporaryProfile", "temporary-profiles", "Replace a temporary profile",
              "Overwrites every field, `expirationDate` included (Entur semantics).",
              permission=CHANGE, request=body("ReplaceTemporaryProfileRequest"), if_match=True,
              ok={200: one("Customer", "The new state.")},
              errors={400: PROFILE_FIELDS + EXPIRATION + ["EXPIRATION_DATE_TOO_FAR"],
                      403: ["ORGANISATION_MISMATCH"], 409: ["DUPLICATE_CUSTOMER_REF"]})


@operation("DELETE", T + "/{customerNumber}")
def erase_temporary():
    return op("eraseTemporaryProfile", "temporary-profiles", "Erase a temporary profile",
              "Immediate and irrecoverable, with everything attached.",
              permission=DELETE, if_match=True, ok={204: no_content("Erased.")})


@operation("POST", T + "/{customerNumber}/convert")
def convert_temporary():
    return op("convertTemporaryProfile", "temporary-profiles",
              "Make a temporary profile permanent",
              "Same `customerNumber`, keeping its consents, addresses and preferences; only "
              "before expiry. 409 when the email is taken by a permanent profile.",
              permission=CHANGE, request=body("ConvertTemporaryProfileRequest"), if_match=True,
              ok={200: one("Customer", "The profile, now permanent (`profileType` `S`).",
                           more=["Content-Location"])},
              errors={400: ["REQUIRED", *TEXT, "INVALID_EMAIL", "WEAK_PASSWORD"],
                      409: ["DUPLICATE_EMAIL"]})


address_ops(T, temporary=True)
preference_ops(T, temporary=True)


def refused(op_id, tag, summary):
    return op(op_id, [tag, "temporary-profiles"], summary,
              "Temporary profiles have no ecards or loyalty programs: always 400 "
              "`NOT_ALLOWED_FOR_TEMPORARY_PROFILE` (convert the profile first). The body, if any, "
              "is not read.",
              any_token=True, not_found=False,
              errors={400: ["NOT_ALLOWED_FOR_TEMPORARY_PROFILE"]})


TEMPORARY_REFUSED = [
    ("GET", "/ecards", "listTemporaryECards", "ecards", "Ecards of a temporary profile (refused)"),
    ("POST", "/ecards", "createTemporaryECard", "ecards", "Register an ecard (refused)"),
    ("DELETE", "/ecards/{id}", "deleteTemporaryECard", "ecards", "Remove an ecard (refused)"),
    ("GET", "/loyalty-programs", "listTemporaryLoyaltyMemberships", "loyalty-programs",
     "Loyalty memberships of a temporary profile (refused)"),
    ("POST", "/loyalty-programs", "joinTemporaryLoyaltyProgram", "loyalty-programs",
     "Join a loyalty program (refused)"),
    ("DELETE", "/loyalty-programs/{membershipId}", "leaveTemporaryLoyaltyProgram",
     "loyalty-programs", "Leave a loyalty program (refused)"),
    ("GET", "/loyalty-programs/{membershipId}/transactions", "listTemporaryLoyaltyTransactions",
     "loyalty-programs", "Loyalty transactions (refused)"),
    ("POST", "/loyalty-programs/{membershipId}/transactions", "addTemporaryLoyaltyTransaction",
     "loyalty-programs", "Add a loyalty transaction (refused)"),
]
for _method, _suffix, _op_id, _tag, _summary in TEMPORARY_REFUSED:
    operation(_method, T + "/{customerNumber}" + _suffix)(
        lambda op_id=_op_id, tag=_tag, summary=_summary: refused(op_id, tag, summary))


@operation("POST", "/customers/v2/admin/purge-expired")
def purge_expired():
    return op("purgeExpired", "admin", "Purge expired profiles now",
              "Deletes the organisation's expired temporary profiles and deactivated profiles "
              "past their `expirationDate`, with everything attached (and expired idempotency "
              "records), in bounded batches, and returns the counts. For a scheduler (cron, "
              "Kubernetes CronJob); purging also runs by itself, piggy-backed on requests. No "
              "body is read.",
              permission=DELETE, ok={200: response("What was deleted.", ref("PurgeResult"))})


# ---------------------------------------------------------------- consents (components/consents)

C = "/customers/v2/consents"
ADMIN_TAG = "consents-admin"
CLIENT_TAG = "consents-client"
BASE_FIELDS = ["REQUIRED", *TEXT, "INVALID_LANGUAGE", "DUPLICATE_LANGUAGE"]
CONSENT_FIELDS = ["REQUIRED", "TOO_LONG", "INVALID_CONSENT_CODE", "INVALID_VERSION",
                  "INVALID_DATE_TIME", "VALID_TO_WITHOUT_VALID_FROM", "INVALID_PERIOD",
                  "VALID_TO_IN_THE_PAST"]
CONSENT_FILTER = ["consentCodes", "versions", "includeInactive"]
CONSENT_FILTER_CODES = ["TOO_LONG", "INVALID_CONSENT_CODE", "INVALID_VERSIONS", "INVALID_BOOLEAN"]
GIVEN_FIELDS = ["REQUIRED", "INVALID_CUSTOMER_NUMBER", "INVALID_CONSENT_ID", *TEXT,
                *EXPIRATION]


@operation("POST", C + "/admin/consent-bases")
def create_base():
    return op("createConsentBase", ADMIN_TAG, "Create a consent base",
              "Version 1 of its terms. The base is owned by the caller's organisation; its code "
              "must differ from the organisation's other bases and the shared ones, and another "
              "organisation may have a base of the same code.",
              permission=CONSENTS_ADMIN, request=body("ConsentBaseRequest"), idempotent=True,
              ok={201: created("ConsentBase", "Created.")},
              errors={400: BASE_FIELDS + ["INVALID_CONSENT_CODE"], 403: ["ORGANISATION_MISMATCH"],
                      409: ["DUPLICATE_CONSENT_CODE"]})


@operation("GET", C + "/admin/consent-bases")
def list_bases():
    return op("listConsentBases", ADMIN_TAG, "List consent bases",
              "The organisation's own bases and the shared ones, each with its latest terms, by "
              "code.", permission=CONSENTS_ADMIN,
              ok={200: many("ConsentBase", "The bases (a bare array).")}, not_found=False)


@operation("GET", C + "/admin/consent-bases/{consentCode}")
def get_base():
    return op("getConsentBase", ADMIN_TAG, "Get a consent base (latest version)",
              permission=CONSENTS_ADMIN, ok={200: one("ConsentBase", "The latest version.")})


@operation("PUT", C + "/admin/consent-bases/{consentCode}")
def replace_base():
    return op("replaceConsentBase", ADMIN_TAG, "Change a consent base's terms",
              "Changed or dropped texts make a new version (old versions stay readable); texts "
              "in further languages join the latest version; a PUT that changes nothing writes "
              "nothing. Shared bases cannot be changed. `If-Match` is checked against the base's "
              "revision.",
              permission=CONSENTS_ADMIN, request=body("ConsentBaseReplaceRequest"), if_match=True,
              ok={200: one("ConsentBase", "The latest version.")},
              errors={400: BASE_FIELDS + ["CONSENT_CODE_MISMATCH"],
                      403: ["ORGANISATION_MISMATCH"], 409: ["CONSENT_BASE_NOT_OWNED"]})


@operation("GET", C + "/admin/consent-bases/{consentCode}/versions/{version}")
def get_base_version():
    return op("getConsentBaseVersion", ADMIN_TAG, "Get one version of a consent base",
              permission=CONSENTS_ADMIN, ok={200: one("ConsentBase", "That version.")})


@operation("POST", C + "/admin/consents")
def create_consent():
    return op("createConsent", ADMIN_TAG, "Create a consent",
              "The organisation offers a version of a consent base for a period. Consents of one "
              "code must not overlap in time. 404 when the base or version is not visible.",
              permission=CONSENTS_ADMIN, request=body("ConsentRequest"), idempotent=True,
              ok={201: created("Consent", "Created.")},
              errors={400: CONSENT_FIELDS, 403: ["ORGANISATION_MISMATCH"], 404: ["NOT_FOUND"],
                      409: ["OVERLAPPING_CONSENT"]})


@operation("GET", C + "/admin/consents")
def list_admin_consents():
    return op("listConsentsAdmin", ADMIN_TAG, "List the organisation's consents, drafts included",
              "By code, version and id.", permission=CONSENTS_ADMIN, query=CONSENT_FILTER,
              ok={200: many("Consent", "The consents (a bare array).")},
              errors={400: CONSENT_FILTER_CODES}, not_found=False)


@operation("GET", C + "/admin/consents/{id}")
def get_consent():
    return op("getConsent", ADMIN_TAG, "Get a consent", permission=CONSENTS_ADMIN,
              ok={200: one("Consent", "The consent.")})


@operation("PUT", C + "/admin/consents/{id}")
def replace_consent():
    return op("replaceConsent", ADMIN_TAG, "Replace a draft consent",
              "Only in `DRAFT` (else 409 `CONSENT_NOT_DRAFT`).",
              permission=CONSENTS_ADMIN, request=body("ConsentRequest"), if_match=True,
              ok={200: one("Consent", "The new state.")},
              errors={400: CONSENT_FIELDS, 403: ["ORGANISATION_MISMATCH"],
                      409: ["CONSENT_NOT_DRAFT", "OVERLAPPING_CONSENT"]})


@operation("PATCH", C + "/admin/consents/{id}")
def patch_consent():
    return op("patchConsent", ADMIN_TAG, "Change a consent (JSON Merge Patch)",
              "In `DRAFT` anything may change; in `ACTIVE` only `isSmsSupported`, "
              "`isEmailSupported` and `validTo`; in `INACTIVE` nothing. A patch that changes "
              "nothing passes.",
              permission=CONSENTS_ADMIN, request=body("ConsentPatch", media=JSON_PATCH),
              if_match=True, ok={200: one("Consent", "The new state.")},
              errors={400: CONSENT_FIELDS, 403: ["ORGANISATION_MISMATCH"],
                      409: ["CONSENT_NOT_DRAFT", "CONSENT_INACTIVE", "OVERLAPPING_CONSENT"]})


@operation("GET", C + "/client/consents")
def list_client_consents():
    return op("listConsents", CLIENT_TAG, "List the organisation's consents",
              "`ACTIVE` ones (and `INACTIVE` ones with `includeInactive=true`), never drafts.",
              permission=CONSENTS_READ, query=CONSENT_FILTER,
              ok={200: many("Consent", "The consents (a bare array).")},
              errors={400: CONSENT_FILTER_CODES}, not_found=False)


@operation("POST", C + "/client/given-consents")
def give_consent():
    return op("giveConsent", CLIENT_TAG, "Record a customer's choice for a consent",
              "Creates the given consent (201) or replaces the customer's existing choice for "
              "that consent (200, same id); either way a history entry is appended. The customer "
              "must exist in the caller's organisation (temporary profiles included) and the "
              "consent be the organisation's, else 404.",
              permission=CONSENTS_CHANGE, request=body("GivenConsentRequest"), idempotent=True,
              ok={200: created("GivenConsent", "Replaced the existing choice."),
                  201: created("GivenConsent", "Created.")},
              errors={400: GIVEN_FIELDS, 404: ["NOT_FOUND"], 409: ["CONSENT_NOT_ACTIVE"]})


@operation("GET", C + "/client/given-consents")
def list_given():
    return op("listGivenConsents", CLIENT_TAG, "List a customer's given consents",
              "In the order they were first given.", permission=CONSENTS_READ,
              query=["customerNumberQuery"],
              ok={200: many("GivenConsent", "The given consents (a bare array).")},
              errors={400: ["REQUIRED", "INVALID_CUSTOMER_NUMBER"], 404: ["NOT_FOUND"]})


@operation("GET", C + "/client/given-consents/history")
def given_history():
    return op("getGivenConsentHistory", CLIENT_TAG, "A customer's consent history",
              "Every change of the customer's choices, oldest first: who, when, which terms "
              "version, which choice and channel — proof of consent (GDPR Art. 7(1)).",
              permission=CONSENTS_READ, query=["customerNumberQuery"],
              ok={200: many("GivenConsentHistoryEntry", "The entries (a bare array).")},
              errors={400: ["REQUIRED", "INVALID_CUSTOMER_NUMBER"], 404: ["NOT_FOUND"]})


@operation("PUT", C + "/client/given-consents/bulk")
def bulk_given():
    return op("bulkGiveConsents", CLIENT_TAG, "Record many choices at once",
              "A JSON array of 1 to 500 choices (no customer and consent twice), recorded all or "
              "nothing; field errors name `[index].field`.",
              permission=CONSENTS_CHANGE,
              request=body("GivenConsentRequest", items=(1, 500),
                           description="An array of 1 to 500 choices."),
              ok={200: many("GivenConsent", "The recorded given consents, in request order.")},
              errors={400: GIVEN_FIELDS + ["INVALID_BULK_SIZE", "DUPLICATE_GIVEN_CONSENT"],
                      404: ["NOT_FOUND"], 409: ["CONSENT_NOT_ACTIVE"]})


@operation("GET", C + "/client/given-consents/{id}")
def get_given():
    return op("getGivenConsent", CLIENT_TAG, "Get a given consent", permission=CONSENTS_READ,
              ok={200: one("GivenConsent", "The given consent.")})


@operation("DELETE", C + "/client/given-consents/{id}")
def delete_given():
    return op("deleteGivenConsent", CLIENT_TAG, "Delete a given consent",
              "The history keeps the choice and records the deletion.",
              permission=CONSENTS_CHANGE, if_match=True, ok={204: no_content("Deleted.")})


@operation("GET", C + "/crm")
def crm_list():
    return op("listConsentsForCrm", CLIENT_TAG, "CRM listing of the organisation's given consents",
              "Joined with `customerRef`; contact data only when asked. Customers past their "
              "expiration date are left out. Paged by `limit` and `cursor`.",
              permission=CONSENTS_READ,
              query=["consentIds", "includeEmail", "includeTelephoneNumber", "limit", "cursor"],
              ok={200: many("ConsentCrm", "The lines (a bare array).", paged=True)},
              errors={400: ["INVALID_ID_LIST", "INVALID_BOOLEAN", *PAGING]}, not_found=False)


def legacy_ops(prefix, suffix, note):
    tag = "consents-legacy"
    deprecation = V1_CONSENT_HEADERS
    intro = ("Legacy v1 model" + note + ": a view over the same given consents as v2, through "
             "the organisation's consent of that code that is `ACTIVE` now. Every response "
             "carries `Deprecation`, `Sunset` and a `successor-version` link.")
    base = prefix + "/{customerNumber}"

    @operation("GET", base)
    def legacy_list():
        return op(f"listLegacyConsents{suffix}", tag, "A customer's v1 consents",
                  intro + " 404 when the customer is not visible.",
                  permission=CONSENTS_READ, deprecated=deprecation,
                  ok={200: many("LegacyConsent", "One line per consent code.")})

    @operation("GET", base + "/{consentCode}")
    def legacy_get():
        return op(f"getLegacyConsent{suffix}", tag, "A customer's v1 consent for one code",
                  intro + " 404 also when the customer has no choice for it.",
                  permission=CONSENTS_READ, deprecated=deprecation,
                  ok={200: one("LegacyConsent", "The line.")})

    @operation("PUT", base + "/{consentCode}")
    def legacy_put():
        return op(f"putLegacyConsent{suffix}", tag, "Record a customer's v1 choice",
                  intro + " 201 when the choice was created, else 200; 404 when the organisation "
                  "has no active consent with that code. Recorded without `distributionChannel` "
                  "and marked `api: \"v1\"` in the history.",
                  permission=CONSENTS_CHANGE, deprecated=deprecation,
                  request=body("LegacyConsentRequest"), if_match=True,
                  ok={200: one("LegacyConsent", "Changed."),
                      201: created("LegacyConsent", "Created.")},
                  errors={400: ["REQUIRED"]})

    @operation("DELETE", base + "/{consentCode}")
    def legacy_delete():
        return op(f"deleteLegacyConsent{suffix}", tag, "Delete a customer's v1 choice",
                  intro + " 404 when the customer has no choice for the active consent.",
                  permission=CONSENTS_CHANGE, deprecated=deprecation, if_match=True,
                  ok={204: no_content("Deleted.")})


legacy_ops(C + "/v1", "", "")
legacy_ops("/customers/v1/consents", "V1Path",
           " at its old path (moved to `/customers/v2/consents/v1`)")


# ------------------------------------------------------------- public paths (profiles, token-issuer)

@operation("GET", "/health")
def health():
    return op("getHealth", "platform", "Liveness and database check",
              "Usable as a Kubernetes liveness and readiness probe.", public=True,
              ok={200: response("Up: the database answers.", ref("Health")),
                  503: response("Down: the database does not answer.", ref("Health"))})


def component_health(op_id, component):
    """`GET /health/{component}`: the same check, answered by that component itself, so a
    deployment of that component alone (SpinKube `components`, `spin up --component-id`)
    has a probe path; Spin routes are unique per application, so each has its own."""
    return op(op_id, "platform", f"Liveness and database check of the {component} component",
              f"Answered by the `{component}` component; its probe path when it is deployed "
              "alone (deploy/kubernetes).", public=True,
              ok={200: response("Up: the database answers.", ref("Health")),
                  503: response("Down: the database does not answer.", ref("Health"))})


@operation("GET", "/health/profiles")
def health_of_profiles():
    return component_health("getProfilesHealth", "profiles")


@operation("GET", "/health/temporary-profiles")
def health_of_temporary_profiles():
    return component_health("getTemporaryProfilesHealth", "temporary-profiles")


@operation("GET", "/health/consents")
def health_of_consents():
    return component_health("getConsentsHealth", "consents")


@operation("GET", "/customers/v2/openapi.json")
def openapi_document():
    return op("getOpenApiDocument", "platform", "This OpenAPI document", public=True,
              ok={200: response("The OpenAPI 3.1 document.", {"type": "object"})})


ISSUER_NOTE = ("Local development issuer: answers only while `dev_issuer_enabled` is `true`, "
               "`jwt_issuer` is a plain-HTTP URL of this machine (`localhost`, 127.0.0.0/8, "
               "`[::1]`) and the caller is on this machine too; otherwise 404, as in every "
               "production configuration.")


@operation("POST", "/oauth/token")
def token():
    return op("issueToken", "auth", "Get a token (client credentials)",
              ISSUER_NOTE + " Grants a JWT for a client of `dev_clients`, with `iss` = "
              "`jwt_issuer`, `aud` = `jwt_audience`, the client's organisation and permissions.",
              public=True,
              request=body("TokenRequest", media=("application/json",
                                                   "application/x-www-form-urlencoded"),
                           strict=False),
              ok={200: response("The token.", ref("TokenResponse"))},
              errors={400: ["UNSUPPORTED_GRANT_TYPE", "INVALID_AUDIENCE"],
                      401: ["INVALID_CLIENT"], 404: ["NOT_FOUND"], 500: ["INTERNAL_ERROR"]})


@operation("GET", "/.well-known/jwks.json")
def jwks():
    return op("getJwks", "auth", "The local issuer's public keys", ISSUER_NOTE, public=True,
              ok={200: response("The JWKS.", ref("Jwks"))},
              errors={404: ["NOT_FOUND"], 500: ["INTERNAL_ERROR"]})


# --------------------------------------------------------------------------------------------
# 7. Assembly
# --------------------------------------------------------------------------------------------

INFO_DESCRIPTION = """\
Customer profiles, temporary profiles and consents of a public-transport sales platform: an
open-source re-implementation of Entur's Customers API (customers/v2) as Spin WebAssembly
components. Partners' back-end services call it with client-credentials JWTs; every read and
write is scoped to the caller's organisation.

## Authentication and authorisation

Every `/customers/**` operation needs `Authorization: Bearer <JWT>` (except this document). A
token is valid when its signature verifies with a trusted key (RS256, PS256, ES256 or EdDSA;
`none` and HMAC refused), `iss` is the configured issuer, `aud` contains the configured
audience, `exp` is in the future and `nbf`/`iat` are not (60 s leeway), and it is at most 8 KiB.
No token is 401 `MISSING_TOKEN`, an invalid one 401 `INVALID_TOKEN` (`WWW-Authenticate`, RFC
6750); a header `typ` other than `JWT` or `at+jwt` (RFC 9068) is invalid too. While the
issuer's keys have never been fetched and none can be, a token is 503 `ISSUER_UNAVAILABLE`
with `Retry-After`. The organisation comes from the claim `https://entur.io/organisationID` (configurable;
an integer or a string of digits); a valid token without it is 403 `MISSING_ORGANISATION`. A
resource of another organisation answers exactly like one that does not exist (404). Each
operation needs one permission from the `permissions` claim (listed in its description and in
`x-permissions`); without it: 403 `MISSING_PERMISSION`.

## Errors

Every error is `application/problem+json`: RFC 9457 members (`type`, `title`, `status`,
`detail`, `instance`) and Entur's `ErrorResponse` members (`path`, `error`, `message`,
`timestamp`) in one body, plus `correlationId` and `errors[]`, each entry with a stable
`errorCode` (see the `ErrorCode` schema for all of them), the `field` it concerns and a
`message`. A 400 with field errors names every bad field at once. A 5xx never carries internal
details.

## Conventions

- JSON in and out, camelCase, UTF-8. Timestamps are RFC 3339 UTC with milliseconds, dates
  `YYYY-MM-DD`.
- Request bodies: `application/json` (PATCH: `application/merge-patch+json` too), else 415; at
  most 64 KiB, else 413; unknown members are 400 `UNKNOWN_FIELD`. Strings are trimmed before
  they are checked (limits apply to the trimmed value) and a blank optional string counts as
  absent; `null` for an optional member counts as absent too.
- Query parameters: a parameter the operation does not list is 400 `UNKNOWN_PARAMETER`, one that
  takes a single value given twice 400 `REPEATED_PARAMETER` (`field` names it); booleans are
  exactly `true` or `false` (else 400 `INVALID_BOOLEAN`); lists take their items
  comma-separated or repeated. Values are trimmed, and a blank one counts as absent.
- Every response carries `X-Correlation-Id` (echoed or generated) and `Cache-Control: no-store`.
  `ET-Client-Name` is read and logged.
- Single resources carry `ETag` (their version); PUT, PATCH and DELETE accept `If-Match` (stale:
  412; without it the write goes through).
- Creating POSTs accept `Idempotency-Key` (replay for 24 h with `Idempotent-Replayed: true`; the
  same key with another request: 422).
- Collections are bare JSON arrays; long ones take `limit` (or `maxResultSet`) and `cursor`, and
  announce the next page in `Link: <…>; rel="next"`.
- CORS: no `Access-Control-Allow-*` headers unless the `Origin` is in `cors_allowed_origins`
  (empty by default); a preflight from any other origin is 403 `CORS_ORIGIN_NOT_ALLOWED`.
- A path that exists with another method is 405 `METHOD_NOT_ALLOWED` with `Allow` naming the
  methods it has; an unknown path 404.
- Creates link to what can be done with the new resource (OpenAPI `links`).

## Versions

`/customers/v1/profiles/**` (create, search, get, get by `customerRef`, replace, merge patch,
erase) serves the v2 behaviour at the v1 paths, and the legacy v1 consent model is served at
`/customers/v2/consents/v1/**` and its old home `/customers/v1/consents/**`. These operations
are `deprecated`: every response on them, errors included, carries `Deprecation`
(RFC 9745, `@<unix time>`), `Sunset` (RFC 8594) and `Link: <…>; rel="successor-version"`
naming the v2 replacement.
"""

BEARER_DESCRIPTION = """\
A JWT from the configured issuer (for example an Auth0 tenant, Entur's partner issuer, or the
local development issuer at `/oauth/token`). Claims read:

- `iss`: must equal the configured `jwt_issuer`;
- `aud`: a string or an array that must contain the configured `jwt_audience`;
- `exp` (required), `nbf`, `iat`: checked with 60 s leeway;
- `https://entur.io/organisationID` (the `organisation_claim` setting): the caller's
  organisation, an integer or a string of digits — required (else 403);
- `permissions`: array of strings, e.g. `customers-profile:les`, `customers-profile:opprett`,
  `customers-profile:endre`, `customers-profile:slett`, `consents:les`, `consents:endre`,
  `consents:admin`;
- `azp`/`client_id`/`sub`: logged as the client id.
"""

TAGS = [
    ("profiles", "Permanent customer profiles (contract §3)."),
    ("profiles-v1", "The v1 profile paths (contract §8), deprecated: the v2 behaviour for what v1 "
                    "had, with `Deprecation`, `Sunset` and a `successor-version` link."),
    ("temporary-profiles", "Temporary profiles for a journey or a ticket (contract §4)."),
    ("postal-addresses", "Postal addresses of a profile."),
    ("preferences", "A profile's values for the organisation's preference definitions."),
    ("ecards", "Ecards (travel cards) of a permanent profile."),
    ("loyalty-programs", "Loyalty-program memberships of a permanent profile and their "
                         "transactions."),
    ("catalogue", "The organisation's preference definitions and loyalty programs."),
    ("consents-admin", "Consent bases (legal terms) and consents (contract §6), `consents:admin`."),
    ("consents-client", "The organisation's consents, customers' given consents, their history "
                        "and the CRM listing."),
    ("consents-legacy", "The legacy v1 consent model, deprecated."),
    ("events", "The change feed: what happened to the organisation's customers."),
    ("admin", "Operations for schedulers and operators (contract §5)."),
    ("auth", "The local development token issuer (contract §2)."),
    ("platform", "Health and this document."),
]

METHOD_ORDER = ["get", "put", "post", "delete", "patch"]


def check_request_schemas(all_schemas):
    """Request bodies: a required member never admits `null` (serde reads it as absent, and the
    code then answers 400 `REQUIRED`)."""
    for name, schema in all_schemas.items():
        if not name.endswith(("Request", "Patch")):
            continue
        for member in schema.get("required", []):
            kind = schema["properties"][member].get("type")
            assert not (isinstance(kind, list) and "null" in kind), f"{name}.{member} admits null"


def build_document():
    paths = {}
    operation_ids = set()
    used_codes = set()
    for method, template, function in OPERATIONS:
        spec = function()
        built = build_operation(method, template, spec)
        assert built["operationId"] not in operation_ids, built["operationId"]
        operation_ids.add(built["operationId"])
        for status, codes in spec["errors"].items():
            used_codes.update(codes)
        item = paths.setdefault(template, {})
        key = method.lower()
        assert key not in item, f"{method} {template} is defined twice"
        item[key] = built
    for template, item in paths.items():
        paths[template] = {m: item[m] for m in METHOD_ORDER if m in item}

    unused = set(CODE_STATUS) - used_codes - CODES_OUTSIDE_OPERATIONS
    assert not unused, f"errorCodes no operation produces: {sorted(unused)}"

    all_schemas = schemas()
    check_request_schemas(all_schemas)
    components = {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                           "bearerFormat": "JWT",
                                           "description": BEARER_DESCRIPTION}},
        "schemas": all_schemas,
        "parameters": PARAMETERS,
        "headers": {name: definition for name, (_, definition) in HEADERS.items()},
        "responses": {name: problem_response(status) for status, name in RESPONSE_NAMES.items()}
        | dict(sorted(DEPRECATED_RESPONSES.items())),
    }
    document = {
        "openapi": "3.1.0",
        "info": {
            "title": "Customers API",
            "version": "0.1.0",
            "summary": "Customer profiles, temporary profiles and consents (Entur customers/v2).",
            "description": INFO_DESCRIPTION,
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "servers": [{"url": "http://localhost:3000", "description": "`spin up` on this machine"}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": name, "description": description} for name, description in TAGS],
        "paths": paths,
        "components": components,
    }
    check_references(document)
    return document


def check_references(document):
    """Every `$ref` names something that exists; every tag used is declared."""
    def walk(node):
        if isinstance(node, dict):
            target = node.get("$ref")
            if isinstance(target, str):
                assert target.startswith("#/"), target
                found = document
                for part in target[2:].split("/"):
                    assert isinstance(found, dict) and part in found, f"dangling $ref {target}"
                    found = found[part]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(document)
    operations = {built["operationId"]: (template, built)
                  for template, item in document["paths"].items() for built in item.values()}
    for template, built in operations.values():
        for response in built["responses"].values():
            for name, link in response.get("links", {}).items():
                # A link names its target's parameters, and every path parameter of it.
                target_template, target = operations[link["operationId"]]
                names = {(document["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]
                          if "$ref" in p else p)["name"] for p in target["parameters"]}
                assert set(link["parameters"]) <= names, f"link {name}: {link['parameters']}"
                missing = set(re.findall(r"\{([^}]+)\}", target_template)) - set(link["parameters"])
                assert not missing, f"{built['operationId']} link {name}: {missing} not given"
    declared = {tag["name"] for tag in document["tags"]}
    for item in document["paths"].values():
        for built in item.values():
            missing = set(built["tags"]) - declared
            assert not missing, f"{built['operationId']}: undeclared tags {missing}"


def render(document):
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="exit 1 when openapi/openapi.json is not what this script writes")
    mode.add_argument("--stdout", action="store_true", help="print the document")
    args = parser.parse_args()
    text = render(build_document())
    if args.stdout:
        sys.stdout.write(text)
        return 0
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else None
        if current != text:
            print(f"{OUTPUT} is stale: run `python3 openapi/generate.py`", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
