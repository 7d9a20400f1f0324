//! The body of `POST /customers/v2/profiles` and the rules that turn it into a
//! [`NewProfile`]. One 400 names every bad field.

use super::fields::{profile_body, raw_fields, Names, ProfileFields};
use super::ProfileType;
use crate::password::Password;
use crate::tenancy::check_organisation;
use crate::time::{Expiration, Timestamp};
#[cfg(feature = "openapi")]
use crate::{profile::values, wire_schema};
use errors::{ApiError, FieldErrors};

profile_body! {
    /// The wire form of a create request. Unknown fields are refused (400 naming the field).
    #[cfg_attr(feature = "openapi", schemars(rename = "CreateProfileRequest", description = ""))]
    pub struct CreateProfileBody {
        names: required,
        /// Optional password: 7 to 128 characters with a lower-case letter, an upper-case letter and a
        /// digit (`abcD123`). Taken as typed (not trimmed); empty counts as absent. Stored only as an
        /// Argon2id hash, never returned.
        #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::password(crate::password::LENGTH)))]
        pub password: Option<String>,
        /// Postal addresses to add with the profile, in the same transaction; errors name them as
        /// `postalAddresses[i].field`.
        pub postal_addresses: Option<Vec<crate::address::AddressBody>>,
        /// Who created it. At most 100 characters, no control characters.
        #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::required_text(values::ACTOR_MAX)))]
        pub created_by: Option<String>,
        /// Through which channel. At most 100 characters, no control characters.
        #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::required_text(values::ACTOR_MAX)))]
        pub created_by_channel: Option<String>,
    }
}

/// A checked profile, ready to store.
#[derive(Debug)]
pub struct NewProfile {
    pub profile_type: ProfileType,
    pub fields: ProfileFields,
    pub password: Option<Password>,
    pub postal_addresses: Vec<crate::address::NewAddress>,
    pub expiration_date: Option<Expiration>,
    pub created_by: String,
    pub created_by_channel: String,
}

impl NewProfile {
    /// How many statements [`super::create`] writes: one (the INSERT, whose trigger writes
    /// the audit entry) unless there are postal addresses to add.
    pub fn writes(&self) -> crate::connection::Writes {
        if self.postal_addresses.is_empty() {
            crate::connection::Writes::One
        } else {
            crate::connection::Writes::Several
        }
    }

    /// The names of the fields the create set, for the audit trail (never their values).
    pub fn given_fields(&self) -> Vec<&'static str> {
        let mut given = self.fields.given();
        if self.password.is_some() {
            given.push("password");
        }
        if self.expiration_date.is_some() {
            given.push("expirationDate");
        }
        if !self.postal_addresses.is_empty() {
            given.push("postalAddresses");
        }
        given
    }
}

/// Checks a permanent-profile create (contract §3): `firstName`, `surname`, `createdBy`
/// and `createdByChannel` required; `organisationId`, when given, must be the caller's.
pub fn new_profile(
    body: CreateProfileBody,
    organisation_id: i64,
    now: Timestamp,
) -> Result<NewProfile, ApiError> {
    check_organisation(body.organisation_id, organisation_id)?;
    let mut errs = FieldErrors::default();
    let raw = raw_fields!(body);
    let fields = ProfileFields::parse(raw, Names::Required, now, &mut errs);
    let created_by = errs.required("createdBy", body.created_by, super::values::actor_text);
    let created_by_channel =
        errs.required("createdByChannel", body.created_by_channel, super::values::actor_text);
    // Not trimmed: a password is taken exactly as typed.
    let password = match body.password.filter(|p| !p.is_empty()) {
        Some(p) => errs.check("password", Password::parse(&p)),
        None => None,
    };
    let postal_addresses: Vec<_> = body
        .postal_addresses
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .filter_map(|(i, address)| {
            crate::address::parse_into(&mut errs, &format!("postalAddresses[{i}]."), address)
        })
        .collect();
    match (created_by, created_by_channel) {
        (Some(created_by), Some(created_by_channel)) if errs.is_empty() => Ok(NewProfile {
            profile_type: ProfileType::Standard,
            fields,
            password,
            postal_addresses,
            expiration_date: None,
            created_by,
            created_by_channel,
        }),
        _ => Err(ApiError::Validation(errs)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        Timestamp(1_795_846_663_123) // 2026-11-28T06:17:43.123Z
    }

    fn kari() -> CreateProfileBody {
        CreateProfileBody {
            first_name: Some(" Kari ".into()),
            surname: Some("Nordmann".into()),
            created_by: Some("kundesenter".into()),
            created_by_channel: Some("WEB".into()),
            ..Default::default()
        }
    }

    fn codes(error: ApiError) -> Vec<(String, String)> {
        error.entries().into_iter().map(|e| (e.field.unwrap_or_default(), e.error_code.to_string())).collect()
    }

    #[test]
    fn a_minimal_profile_is_accepted_and_trimmed() {
        let new = new_profile(kari(), 1, now()).unwrap();
        assert_eq!(new.fields.first_name.as_deref(), Some("Kari"));
        assert_eq!(new.profile_type, ProfileType::Standard);
    }

    #[test]
    fn every_missing_required_field_is_named() {
        let error = new_profile(CreateProfileBody::default(), 1, now()).unwrap_err();
        assert_eq!(error.status(), 400);
        let fields: Vec<String> = codes(error).into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["firstName", "surname", "createdBy", "createdByChannel"]);
    }

    #[test]
    fn an_empty_optional_string_counts_as_absent() {
        let body = CreateProfileBody { email: Some("  ".into()), ..kari() };
        assert!(new_profile(body, 1, now()).unwrap().fields.email.is_none());
    }

    #[test]
    fn another_organisation_in_the_body_is_forbidden() {
        let body = CreateProfileBody { organisation_id: Some(2), ..kari() };
        assert_eq!(new_profile(body, 1, now()).unwrap_err().error_code(), "ORGANISATION_MISMATCH");
        let own = CreateProfileBody { organisation_id: Some(1), ..kari() };
        assert!(new_profile(own, 1, now()).is_ok());
    }

    #[test]
    fn a_bad_telephone_number_is_reported_with_code_605() {
        let body = CreateProfileBody { telephone_number_no_country_code: Some("abc".into()), ..kari() };
        let error = new_profile(body, 1, now()).unwrap_err();
        assert_eq!(codes(error), [("telephoneNumberNoCountryCode".to_owned(), "605".to_owned())]);
    }

    #[test]
    fn a_number_without_country_code_is_norwegian() {
        let body =
            CreateProfileBody { telephone_number_no_country_code: Some("912 34 567".into()), ..kari() };
        let phone = new_profile(body, 1, now()).unwrap().fields.telephone.unwrap();
        assert_eq!(phone.key().unwrap(), "4791234567");
    }

    #[test]
    fn a_weak_password_is_refused() {
        let body = CreateProfileBody { password: Some("password".into()), ..kari() };
        assert_eq!(
            codes(new_profile(body, 1, now()).unwrap_err()),
            [("password".into(), "WEAK_PASSWORD".into())]
        );
    }

    #[test]
    fn the_audit_lists_given_field_names_only() {
        let body = CreateProfileBody {
            email: Some("kari@example.no".into()),
            password: Some("abcD123".into()),
            ..kari()
        };
        let fields = new_profile(body, 1, now()).unwrap().given_fields();
        assert_eq!(fields, ["firstName", "surname", "email", "password"]);
    }
}
