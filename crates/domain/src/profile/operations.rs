//! The bodies of the operations on a permanent profile besides create and replace:
//! deactivate, connect, verify-credentials and password. The API layer checks them.

#[cfg(feature = "openapi")]
use crate::{profile::values, wire_schema};
use serde::Deserialize;

/// The body of `POST .../{customerNumber}/deactivate`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(rename = "DeactivateRequest", description = "")
)]
pub struct DeactivateBody {
    /// A date (`YYYY-MM-DD`, valid through that day: it ends at the start of the next day, UTC)
    /// or an RFC 3339 date-time. In the future: the profile stays readable (status `D`) until
    /// then, and is then erased.
    #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::date_or_date_time))]
    pub expiration_date: Option<String>,
    /// At most 100 characters, no control characters.
    #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::required_text(values::ACTOR_MAX)))]
    pub changed_by: Option<String>,
    /// At most 100 characters, no control characters.
    #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::required_text(values::ACTOR_MAX)))]
    pub changed_by_channel: Option<String>,
}

/// The body of `POST .../{customerNumber}/connect`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(rename = "ConnectRequest", description = "")
)]
pub struct ConnectBody {
    /// The profile (permanent or temporary, same organisation) to merge into this one.
    #[cfg_attr(feature = "openapi", schemars(required, range(min = 1), transform = wire_schema::required_integer))]
    pub customer_number_to_connect: Option<i64>,
    /// At most 100 characters, no control characters.
    #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::required_text(values::ACTOR_MAX)))]
    pub changed_by: Option<String>,
    /// At most 100 characters, no control characters.
    #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::required_text(values::ACTOR_MAX)))]
    pub changed_by_channel: Option<String>,
}

/// The body of `POST /customers/v2/profiles/verify-credentials`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(rename = "VerifyCredentialsRequest", description = "")
)]
pub struct CredentialsBody {
    /// Compared case-insensitively.
    #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::non_blank))]
    pub email: Option<String>,
    /// Taken as typed.
    #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::non_empty))]
    pub password: Option<String>,
    /// Where the customer signs in from. At most 100 characters, no control characters.
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::optional_text(values::ACTOR_MAX)))]
    pub last_sign_in_from: Option<String>,
}

/// The body of `PUT .../{customerNumber}/password`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(rename = "ChangePasswordRequest", description = "")
)]
pub struct PasswordBody {
    /// 7 to 128 characters with a lower-case letter, an upper-case letter and a digit
    /// (`abcD123`); taken as typed.
    #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::new_password(crate::password::LENGTH)))]
    pub password: Option<String>,
    /// At most 100 characters, no control characters.
    #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::required_text(values::ACTOR_MAX)))]
    pub changed_by: Option<String>,
    /// At most 100 characters, no control characters.
    #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::required_text(values::ACTOR_MAX)))]
    pub changed_by_channel: Option<String>,
}
