//! The `Customer` response. A view, so no column (and never `password`) reaches the wire
//! by accident.

use super::{Profile, ProfileStatus, ProfileType};
use serde::Serialize;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView<'a> {
    pub customer_number: i64,
    pub uuid: &'a str,
    pub organisation_id: i64,
    pub customer_ref: &'a str,
    pub status: ProfileStatus,
    pub profile_type: ProfileType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub surname: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language_preference: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub telephone_number_no_country_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub landline_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<&'a str>,
    pub postal_addresses: &'a [crate::address::Address],
    pub created_at: &'a str,
    pub created_by: &'a str,
    pub created_by_channel: &'a str,
    pub changed_at: &'a str,
    pub changed_by: &'a str,
    pub changed_by_channel: &'a str,
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
