//! Errors as values: one `ApiError` whose stable `errorCode` comes from one `match` and whose
//! status is that code's in the table of codes ([`ErrorCode`]), the per-field errors a 400
//! carries, the database error classifier, and the problem+json body (contract §1). Nothing
//! here knows about Spin or HTTP libraries.

mod code;
mod db;
mod fields;
mod problem;

pub use code::ErrorCode;
pub use db::{classify, is_busy, DbError, INTERRUPTED};
pub use fields::{FieldError, FieldErrors, Invalid};
pub use problem::{problem_body, Problem, ProblemContext, CORRELATION_ID_MAX};

/// Every way a request can fail. The variant fixes the status and the `errorCode`.
#[derive(Debug)]
pub enum ApiError {
    /// 400: one or more fields are invalid; each entry names its field and code.
    Validation(FieldErrors),
    /// 400: the body is not JSON of the expected shape (`INVALID_JSON`) or a parameter is
    /// malformed; `code` is the stable errorCode, `field` what it concerns, if anything.
    BadRequest { code: ErrorCode, field: Option<String>, message: String },
    /// 401: no bearer token at all (`WWW-Authenticate: Bearer`).
    MissingToken,
    /// 401: a token that does not verify (`WWW-Authenticate: Bearer error="invalid_token"`).
    /// The reason is for the log only; the client learns nothing beyond "invalid".
    InvalidToken(&'static str),
    /// 401: the local issuer does not know the client or its secret.
    InvalidClient,
    /// 401: verify-credentials with an unknown email or a wrong password (one answer for both).
    InvalidCredentials,
    /// 403: a valid token without the organisation claim.
    MissingOrganisation,
    /// 403: a valid token without the permission the operation needs.
    MissingPermission(&'static str),
    /// 403: `organisationId` in the body differs from the token's organisation.
    OrganisationMismatch,
    /// 403: a CORS preflight from an origin that is not allowed.
    CorsOriginNotAllowed,
    /// 404: no such resource in the caller's organisation (also: another organisation's).
    NotFound,
    /// 405: the path exists but not with this method; the methods it has (the `Allow` header).
    MethodNotAllowed(Vec<&'static str>),
    /// 409: the write conflicts with the current state (duplicate email, ref, ...).
    Conflict { code: ErrorCode, field: Option<&'static str>, message: &'static str },
    /// 412: `If-Match` names a version that is no longer current.
    PreconditionFailed,
    /// 413: the body is larger than 64 KiB.
    PayloadTooLarge,
    /// 415: the body is not `application/json` (or merge-patch for PATCH).
    UnsupportedMediaType,
    /// 422: a well-formed request that cannot be processed (e.g. an idempotency key reused
    /// with another body).
    Unprocessable { code: ErrorCode, message: &'static str },
    /// 429: verify-credentials for an email locked after repeated failures; the password was
    /// not checked. `Retry-After` says in how many seconds it unlocks.
    TooManyAttempts { retry_after_secs: u64 },
    /// 500: the database failed in a way no call site mapped; 503 `DATABASE_UNAVAILABLE`
    /// (`Retry-After`) when trying again may succeed ([`DbError::is_transient`]).
    Db(DbError),
    /// 500: configuration or a bug; the cause goes to the log with the correlation id.
    Internal(anyhow::Error),
    /// 503: no key to check a token with: the issuer's JWKS (`jwt_jwks_url`) has never been
    /// fetched successfully and no other key is trusted (`Retry-After`).
    IssuerUnavailable,
}

impl ApiError {
    /// A 409 with a stable code, naming the field it concerns.
    pub fn conflict(code: ErrorCode, field: &'static str, message: &'static str) -> Self {
        Self::Conflict { code, field: Some(field), message }
    }

    /// A 400 for one bad field (query parameter or body field).
    pub fn invalid_field(field: &str, invalid: Invalid) -> Self {
        let mut errors = FieldErrors::default();
        errors.push(field, invalid);
        Self::Validation(errors)
    }

    /// The HTTP status: the status of [`ApiError::code`] in the table of codes.
    pub fn status(&self) -> u16 {
        self.code().status()
    }

    /// The stable, UPPER_SNAKE `errorCode` of the error as a whole (every entry of a
    /// validation error carries its own code too). This `match` is the only mapping.
    pub fn code(&self) -> ErrorCode {
        use ErrorCode as C;
        match self {
            Self::Validation(_) => C::VALIDATION_FAILED,
            Self::BadRequest { code, .. }
            | Self::Conflict { code, .. }
            | Self::Unprocessable { code, .. } => *code,
            Self::MissingToken => C::MISSING_TOKEN,
            Self::InvalidToken(_) => C::INVALID_TOKEN,
            Self::InvalidClient => C::INVALID_CLIENT,
            Self::InvalidCredentials => C::INVALID_CREDENTIALS,
            Self::MissingOrganisation => C::MISSING_ORGANISATION,
            Self::MissingPermission(_) => C::MISSING_PERMISSION,
            Self::OrganisationMismatch => C::ORGANISATION_MISMATCH,
            Self::CorsOriginNotAllowed => C::CORS_ORIGIN_NOT_ALLOWED,
            Self::NotFound => C::NOT_FOUND,
            Self::MethodNotAllowed(_) => C::METHOD_NOT_ALLOWED,
            Self::PreconditionFailed => C::PRECONDITION_FAILED,
            Self::PayloadTooLarge => C::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => C::UNSUPPORTED_MEDIA_TYPE,
            Self::TooManyAttempts { .. } => C::TOO_MANY_ATTEMPTS,
            Self::Db(e) if e.is_transient() => C::DATABASE_UNAVAILABLE,
            Self::Db(_) | Self::Internal(_) => C::INTERNAL_ERROR,
            Self::IssuerUnavailable => C::ISSUER_UNAVAILABLE,
        }
    }

    /// [`ApiError::code`] as the wire spells it.
    pub fn error_code(&self) -> &'static str {
        self.code().as_str()
    }

    /// The human-readable `detail`. A 5xx says nothing about its cause.
    pub fn detail(&self) -> String {
        match self {
            Self::Validation(errors) => errors.summary(),
            Self::BadRequest { message, .. } => message.clone(),
            Self::MissingToken => "a bearer token is required".into(),
            Self::InvalidToken(_) => "the bearer token is invalid".into(),
            Self::InvalidClient => "unknown client or wrong client secret".into(),
            Self::InvalidCredentials => "the email or the password is wrong".into(),
            Self::MissingOrganisation => "the token carries no organisation".into(),
            Self::MissingPermission(p) => format!("the token lacks the permission {p}"),
            Self::OrganisationMismatch => "organisationId does not match the token's organisation".into(),
            Self::CorsOriginNotAllowed => "the origin is not allowed".into(),
            Self::NotFound => "the resource does not exist".into(),
            Self::MethodNotAllowed(_) => "the method is not allowed on this resource".into(),
            Self::Conflict { message, .. } => (*message).into(),
            Self::PreconditionFailed => "If-Match does not match the current version".into(),
            Self::PayloadTooLarge => "the request body is larger than 64 KiB".into(),
            Self::UnsupportedMediaType => "the request body must be application/json".into(),
            Self::Unprocessable { message, .. } => (*message).into(),
            Self::TooManyAttempts { .. } => {
                "too many failed attempts for this email; try again after Retry-After seconds".into()
            }
            Self::Db(e) if e.is_transient() => {
                "the database is busy or out of reach; try again after Retry-After seconds".into()
            }
            Self::Db(_) | Self::Internal(_) => "An unexpected error occurred".into(),
            Self::IssuerUnavailable => {
                "the token issuer's keys cannot be fetched now; try again later".into()
            }
        }
    }

    /// The entries of the `errors` array: the field errors of a 400, else one entry.
    pub fn entries(&self) -> Vec<FieldError> {
        match self {
            Self::Validation(errors) => errors.entries().to_vec(),
            Self::BadRequest { code, field, message } => {
                vec![FieldError::new(*code, field.clone(), message.clone())]
            }
            Self::Conflict { code, field, message } => {
                vec![FieldError::new(*code, field.map(str::to_owned), (*message).to_owned())]
            }
            Self::OrganisationMismatch => {
                vec![FieldError::new(self.code(), Some("organisationId".into()), self.detail())]
            }
            other => vec![FieldError::new(other.code(), None, other.detail())],
        }
    }

    /// The cause, for the log line of a 5xx (never sent to the client).
    pub fn internal_cause(&self) -> Option<String> {
        match self {
            Self::Db(e) => Some(format!("database: {e}")),
            Self::Internal(e) => Some(format!("{e:#}")),
            _ => None,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status(), self.error_code(), self.detail())
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        Self::Db(e)
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        Self::Internal(e)
    }
}

impl From<FieldErrors> for ApiError {
    fn from(e: FieldErrors) -> Self {
        Self::Validation(e)
    }
}

/// Turns the unique violation on `columns` (as SQLite names them, e.g.
/// `"customer.organisation_id, customer.email_key"`) into the given error; any other error
/// passes through. The unique index, never a SELECT before the INSERT, decides races.
pub trait OnUnique<T> {
    fn on_unique(self, columns: &str, to: impl FnOnce() -> ApiError) -> Result<T, ApiError>;
}

impl<T, E: Into<ApiError>> OnUnique<T> for Result<T, E> {
    fn on_unique(self, columns: &str, to: impl FnOnce() -> ApiError) -> Result<T, ApiError> {
        self.map_err(|e| match e.into() {
            ApiError::Db(DbError::Unique(c)) if c == columns => to(),
            other => other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_its_status_and_code() {
        let cases: Vec<(ApiError, u16, &str)> = vec![
            (ApiError::Validation(FieldErrors::default()), 400, "VALIDATION_FAILED"),
            (
                ApiError::BadRequest { code: ErrorCode::INVALID_JSON, field: None, message: "x".into() },
                400,
                "INVALID_JSON",
            ),
            (ApiError::MissingToken, 401, "MISSING_TOKEN"),
            (ApiError::InvalidToken("expired"), 401, "INVALID_TOKEN"),
            (ApiError::InvalidClient, 401, "INVALID_CLIENT"),
            (ApiError::InvalidCredentials, 401, "INVALID_CREDENTIALS"),
            (ApiError::MissingOrganisation, 403, "MISSING_ORGANISATION"),
            (ApiError::MissingPermission("consents:les"), 403, "MISSING_PERMISSION"),
            (ApiError::OrganisationMismatch, 403, "ORGANISATION_MISMATCH"),
            (ApiError::CorsOriginNotAllowed, 403, "CORS_ORIGIN_NOT_ALLOWED"),
            (ApiError::NotFound, 404, "NOT_FOUND"),
            (ApiError::MethodNotAllowed(vec!["GET"]), 405, "METHOD_NOT_ALLOWED"),
            (ApiError::conflict(ErrorCode::DUPLICATE_EMAIL, "email", "taken"), 409, "DUPLICATE_EMAIL"),
            (ApiError::PreconditionFailed, 412, "PRECONDITION_FAILED"),
            (ApiError::PayloadTooLarge, 413, "PAYLOAD_TOO_LARGE"),
            (ApiError::UnsupportedMediaType, 415, "UNSUPPORTED_MEDIA_TYPE"),
            (
                ApiError::Unprocessable { code: ErrorCode::IDEMPOTENCY_KEY_REUSED, message: "x" },
                422,
                "IDEMPOTENCY_KEY_REUSED",
            ),
            (ApiError::TooManyAttempts { retry_after_secs: 60 }, 429, "TOO_MANY_ATTEMPTS"),
            (ApiError::Db(DbError::Other("disk I/O error".into())), 500, "INTERNAL_ERROR"),
            (ApiError::Db(DbError::Other("database is locked".into())), 503, "DATABASE_UNAVAILABLE"),
            (ApiError::Db(DbError::Unavailable("timed out".into())), 503, "DATABASE_UNAVAILABLE"),
            (ApiError::Internal(anyhow::anyhow!("boom")), 500, "INTERNAL_ERROR"),
            (ApiError::IssuerUnavailable, 503, "ISSUER_UNAVAILABLE"),
        ];
        for (error, status, code) in cases {
            assert_eq!((error.status(), error.error_code()), (status, code), "{error:?}");
        }
    }

    #[test]
    fn a_server_error_says_nothing_about_its_cause() {
        let error = ApiError::Db(classify("no such table: customer /srv/db.sqlite".into()));
        assert_eq!(error.detail(), "An unexpected error occurred");
        assert!(error.entries().iter().all(|e| !e.message.contains("customer")));
        assert!(error.internal_cause().unwrap().contains("no such table"));
    }

    #[test]
    fn a_mapped_unique_violation_becomes_the_given_conflict() {
        let raw: Result<(), DbError> =
            Err(classify("UNIQUE constraint failed: customer.organisation_id, customer.email_key".into()));
        let mapped = raw.on_unique("customer.organisation_id, customer.email_key", || {
            ApiError::conflict(ErrorCode::DUPLICATE_EMAIL, "email", "taken")
        });
        assert_eq!(mapped.unwrap_err().error_code(), "DUPLICATE_EMAIL");
    }

    #[test]
    fn an_unmapped_unique_violation_stays_a_server_error() {
        let raw: Result<(), DbError> = Err(classify("UNIQUE constraint failed: customer.uuid".into()));
        let mapped = raw.on_unique("customer.organisation_id, customer.email_key", || {
            ApiError::conflict(ErrorCode::DUPLICATE_EMAIL, "email", "taken")
        });
        assert_eq!(mapped.unwrap_err().status(), 500);
    }
}
