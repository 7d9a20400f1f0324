//! The `Customer` response. A view, so no column (and never `password`) reaches the wire
//! by accident.

use super::{Profile, ProfileStatus, ProfileType};
#[cfg(feature = "openapi")]
use crate::{profile::values, wire_schema};
use serde::Serialize;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(
        rename = "Customer",
        description = "A customer profile (`Customer`). Optional members without a value are left out, never `null`; `password` and anything derived from it never appear.",
        extend("additionalProperties" = false),
        transform = wire_schema::with_ecards
    )
)]
pub struct ProfileView<'a> {
    /// Customer number: server-assigned, never reused.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub customer_number: i64,
    /// 32 random alphanumeric characters.
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::alphanumeric(crate::ids::CUSTOMER_UUID_LENGTH)))]
    pub uuid: &'a str,
    /// The organisation (from the token's organisation claim).
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub organisation_id: i64,
    /// Unique in the organisation; defaults to the customer number.
    #[cfg_attr(feature = "openapi", schemars(length(min = 1, max = values::CUSTOMER_REF_MAX)))]
    pub customer_ref: &'a str,
    /// `A` active, `P` passive (merged into another), `D` deactivated.
    pub status: ProfileStatus,
    /// `S` standard (permanent), `T` temporary.
    pub profile_type: ProfileType,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", length(max = values::NAME_MAX)))]
    pub first_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", length(max = values::NAME_MAX)))]
    pub surname: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", transform = wire_schema::stored_email(values::EMAIL_MAX, values::EMAIL_LOCAL_MAX)))]
    pub email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", transform = wire_schema::one_of(values::LANGUAGES)))]
    pub language_preference: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", transform = wire_schema::reference("Date")))]
    pub date_of_birth: Option<&'a str>,
    /// Country calling code of the mobile number.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", transform = wire_schema::stored_country_code(values::COUNTRY_CODE_DIGITS)))]
    pub country_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", transform = wire_schema::stored_phone(values::PHONE_DIGITS)))]
    pub telephone_number_no_country_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", transform = wire_schema::stored_phone(values::PHONE_DIGITS)))]
    pub landline_number: Option<&'a str>,
    /// When a temporary or deactivated profile expires, as it was given: a date (valid
    /// through that day) or the instant of a date-time, in UTC with milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", transform = wire_schema::expiration))]
    pub expiration_date: Option<&'a str>,
    /// Postal addresses (see the `postal-addresses` sub-resource).
    #[cfg_attr(feature = "openapi", schemars(with = "Vec<serde_json::Value>", transform = wire_schema::list_of("PostalAddress")))]
    pub postal_addresses: &'a [crate::address::Address],
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    pub created_at: &'a str,
    #[cfg_attr(feature = "openapi", schemars(length(max = values::ACTOR_MAX)))]
    pub created_by: &'a str,
    #[cfg_attr(feature = "openapi", schemars(length(max = values::ACTOR_MAX)))]
    pub created_by_channel: &'a str,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    pub changed_at: &'a str,
    #[cfg_attr(feature = "openapi", schemars(length(max = values::ACTOR_MAX)))]
    pub changed_by: &'a str,
    #[cfg_attr(feature = "openapi", schemars(length(max = values::ACTOR_MAX)))]
    pub changed_by_channel: &'a str,
    /// The resource's version; its `ETag` is this number in quotes.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub version: i64,
}

impl<'a> From<&'a Profile> for ProfileView<'a> {
    fn from(p: &'a Profile) -> Self {
        Self {
            customer_number: p.customer_number.0,
            uuid: &p.uuid,
            organisation_id: p.organisation_id,
            customer_ref: &p.customer_ref,
            status: p.status,
            profile_type: p.profile_type,
            first_name: p.first_name.as_deref(),
            surname: p.surname.as_deref(),
            email: p.email.as_deref(),
            language_preference: p.language_preference.as_deref(),
            date_of_birth: p.date_of_birth.as_deref(),
            country_code: p.country_code.as_deref(),
            telephone_number_no_country_code: p.telephone_number.as_deref(),
            landline_number: p.landline_number.as_deref(),
            // As given: the date when it was given as a date, else the instant.
            expiration_date: p.expiration_day.as_deref().or(p.expiration_date.as_deref()),
            postal_addresses: &p.postal_addresses,
            created_at: &p.created_at,
            created_by: &p.created_by,
            created_by_channel: &p.created_by_channel,
            changed_at: &p.changed_at,
            changed_by: &p.changed_by,
            changed_by_channel: &p.changed_by_channel,
            version: p.version,
        }
    }
}
