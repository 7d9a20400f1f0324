//! Temporary profiles (contract §4): for a journey or a ticket when the customer wants no
//! permanent profile. Every field optional but `expirationDate` (in the future, at most
//! 400 days ahead), `createdBy` and `createdByChannel`; no password. Invisible from the
//! instant they expire (every read filters on `expiration_date`), purged later.

use super::create::NewProfile;
use super::fields::{profile_body, raw_fields, Names, ProfileFields};
use super::replace::Change;
use super::ProfileType;
use crate::password::Password;
use crate::tenancy::check_organisation;
use crate::time::{self, Expiration, Timestamp};
#[cfg(feature = "openapi")]
use crate::{profile::values, wire_schema};
use errors::{ApiError, FieldErrors};
use serde::Deserialize;

/// How far ahead a temporary profile may expire.
pub const MAX_DAYS_AHEAD: i64 = 400;

profile_body! {
    /// The wire form of `POST /profiles/temporary`.
    #[cfg_attr(feature = "openapi", schemars(rename = "CreateTemporaryProfileRequest", description = ""))]
    pub struct CreateTemporaryBody {
        names: optional,
        /// A date (`YYYY-MM-DD`, valid through that day: it ends at the start of the next day, UTC) or
        /// an RFC 3339 date-time. In the future, at most 400 days ahead.
        #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::date_or_date_time))]
        pub expiration_date: Option<String>,
        /// Who created it. At most 100 characters, no control characters.
        #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::required_text(values::ACTOR_MAX)))]
        pub created_by: Option<String>,
        /// Through which channel. At most 100 characters, no control characters.
        #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::required_text(values::ACTOR_MAX)))]
        pub created_by_channel: Option<String>,
    }
}

/// Checks a temporary-profile create.
pub fn new_temporary_profile(
    body: CreateTemporaryBody,
    organisation_id: i64,
    now: Timestamp,
) -> Result<NewProfile, ApiError> {
    check_organisation(body.organisation_id, organisation_id)?;
    let mut errs = FieldErrors::default();
    let raw = raw_fields!(body);
    let fields = ProfileFields::parse(raw, Names::Optional, now, &mut errs);
    let expiration = errs.required("expirationDate", body.expiration_date, |d| {
        time::parse_expiration(d, now, Some(MAX_DAYS_AHEAD))
    });
    let created_by = errs.required("createdBy", body.created_by, super::values::actor_text);
    let created_by_channel =
        errs.required("createdByChannel", body.created_by_channel, super::values::actor_text);
    match (expiration, created_by, created_by_channel) {
        (Some(expiration), Some(created_by), Some(created_by_channel)) if errs.is_empty() => Ok(NewProfile {
            profile_type: ProfileType::Temporary,
            fields,
            password: None,
            postal_addresses: Vec::new(),
            expiration_date: Some(expiration),
            created_by,
            created_by_channel,
        }),
        _ => Err(ApiError::Validation(errs)),
    }
}

profile_body! {
    /// The wire form of `PUT /profiles/temporary/{customerNumber}`: every field is overwritten,
    /// `expirationDate` included (Entur semantics), so it is required.
    #[cfg_attr(
        feature = "openapi",
        schemars(
            rename = "ReplaceTemporaryProfileRequest",
            description = "Overwrites every field, `expirationDate` included (Entur semantics)."
        )
    )]
    pub struct ReplaceTemporaryBody {
        names: optional,
        /// A date (`YYYY-MM-DD`, valid through that day: it ends at the start of the next day, UTC) or
        /// an RFC 3339 date-time. In the future, at most 400 days ahead.
        #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::date_or_date_time))]
        pub expiration_date: Option<String>,
        /// Who changed it. At most 100 characters, no control characters.
        #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::required_text(values::ACTOR_MAX)))]
        pub changed_by: Option<String>,
        /// Through which channel. At most 100 characters, no control characters.
        #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::required_text(values::ACTOR_MAX)))]
        pub changed_by_channel: Option<String>,
    }
}

/// Checks a temporary-profile replacement: the change and the new expiration.
pub fn temporary_replacement(
    body: ReplaceTemporaryBody,
    organisation_id: i64,
    now: Timestamp,
) -> Result<(Change, Expiration), ApiError> {
    check_organisation(body.organisation_id, organisation_id)?;
    let mut errs = FieldErrors::default();
    let raw = raw_fields!(body);
    let fields = ProfileFields::parse(raw, Names::Optional, now, &mut errs);
    let expiration = errs.required("expirationDate", body.expiration_date, |d| {
        time::parse_expiration(d, now, Some(MAX_DAYS_AHEAD))
    });
    let changed_by = errs.required("changedBy", body.changed_by, super::values::actor_text);
    let changed_by_channel =
        errs.required("changedByChannel", body.changed_by_channel, super::values::actor_text);
    match (expiration, changed_by, changed_by_channel) {
        (Some(expiration), Some(changed_by), Some(changed_by_channel)) if errs.is_empty() => {
            Ok((Change { fields, changed_by, changed_by_channel }, expiration))
        }
        _ => Err(ApiError::Validation(errs)),
    }
}

/// The wire form of `POST /profiles/temporary/{customerNumber}/convert`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(rename = "ConvertTemporaryProfileRequest", description = "")
)]
pub struct ConvertBody {
    /// At most 100 characters.
    #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::required_text(values::NAME_MAX)))]
    pub first_name: Option<String>,
    /// At most 100 characters.
    #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::required_text(values::NAME_MAX)))]
    pub surname: Option<String>,
    /// Replaces the temporary profile's email when given; at most 254 characters.
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::email(values::EMAIL_MAX, values::EMAIL_LOCAL_MAX)))]
    pub email: Option<String>,
    /// Optional password, as for a create; empty counts as absent.
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::password(crate::password::LENGTH)))]
    pub password: Option<String>,
    /// At most 100 characters, no control characters.
    #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::required_text(values::ACTOR_MAX)))]
    pub changed_by: Option<String>,
    /// At most 100 characters, no control characters.
    #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::required_text(values::ACTOR_MAX)))]
    pub changed_by_channel: Option<String>,
}

/// What a conversion sets: names (required), email and password (optional; an absent email
/// keeps the temporary profile's), and who did it.
#[derive(Debug)]
pub struct Conversion {
    pub first_name: String,
    pub surname: String,
    pub email: Option<super::values::Email>,
    pub password: Option<Password>,
    pub changed_by: String,
    pub changed_by_channel: String,
}

pub fn conversion(body: ConvertBody) -> Result<Conversion, ApiError> {
    let mut errs = FieldErrors::default();
    let first_name = errs.required("firstName", body.first_name, super::values::person_name);
    let surname = errs.required("surname", body.surname, super::values::person_name);
    let email = errs.optional("email", body.email, super::values::Email::parse);
    let password = match body.password.filter(|p| !p.is_empty()) {
        Some(p) => errs.check("password", Password::parse(&p)),
        None => None,
    };
    let changed_by = errs.required("changedBy", body.changed_by, super::values::actor_text);
    let changed_by_channel =
        errs.required("changedByChannel", body.changed_by_channel, super::values::actor_text);
    match (first_name, surname, changed_by, changed_by_channel) {
        (Some(first_name), Some(surname), Some(changed_by), Some(changed_by_channel)) if errs.is_empty() => {
            Ok(Conversion { first_name, surname, email, password, changed_by, changed_by_channel })
        }
        _ => Err(ApiError::Validation(errs)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Timestamp = Timestamp(1_795_846_663_123); // 2026-11-28T06:17:43.123Z

    fn body(expiration: &str) -> CreateTemporaryBody {
        CreateTemporaryBody {
            expiration_date: Some(expiration.into()),
            created_by: Some("billettautomat".into()),
            created_by_channel: Some("TVM".into()),
            ..Default::default()
        }
    }

    #[test]
    fn only_expiration_and_creator_are_required() {
        let new = new_temporary_profile(body("2026-12-24"), 1, NOW).unwrap();
        assert_eq!(new.profile_type, ProfileType::Temporary);
        let expiration = new.expiration_date.unwrap();
        assert_eq!(expiration.at.rfc3339(), "2026-12-25T00:00:00.000Z", "valid through the 24th");
        assert_eq!(expiration.day_text().as_deref(), Some("2026-12-24"), "and answered as given");
        let error = new_temporary_profile(CreateTemporaryBody::default(), 1, NOW).unwrap_err();
        let fields: Vec<_> = error.entries().into_iter().map(|e| e.field.unwrap()).collect();
        assert_eq!(fields, ["expirationDate", "createdBy", "createdByChannel"]);
    }

    #[test]
    fn the_expiration_must_be_ahead_but_at_most_400_days() {
        assert!(new_temporary_profile(body("2026-11-27"), 1, NOW).is_err());
        assert!(new_temporary_profile(body("2026-11-28T06:17:44Z"), 1, NOW).is_ok());
        assert!(new_temporary_profile(body("2027-12-31"), 1, NOW).is_ok());
        assert!(new_temporary_profile(body("2028-01-04"), 1, NOW).is_err());
    }

    #[test]
    fn a_conversion_needs_names_and_who() {
        let error = conversion(ConvertBody::default()).unwrap_err();
        assert_eq!(error.entries().len(), 4);
    }
}
