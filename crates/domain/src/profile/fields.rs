//! The editable fields of a profile, shared by create, replace (PUT), merge patch (PATCH)
//! and the temporary-profile operations: one parser, so one set of rules.

use super::values::{self, Email, Landline, Telephone};
use crate::time::Timestamp;
use chrono::NaiveDate;
use errors::FieldErrors;

/// The editable fields as they arrive (already deserialised from the wire).
#[derive(Debug, Default, Clone)]
pub struct RawFields {
    pub customer_ref: Option<String>,
    pub first_name: Option<String>,
    pub surname: Option<String>,
    pub email: Option<String>,
    pub language_preference: Option<String>,
    pub date_of_birth: Option<String>,
    pub country_code: Option<String>,
    pub telephone_number_no_country_code: Option<String>,
    pub landline_number: Option<String>,
}

/// The editable fields of a profile wire body (create, replace, temporary create and
/// replace all name them alike), moved out of `$body` into a [`RawFields`].
macro_rules! raw_fields {
    ($body:ident) => {
        $crate::profile::fields::RawFields {
            customer_ref: $body.customer_ref,
            first_name: $body.first_name,
            surname: $body.surname,
            email: $body.email,
            language_preference: $body.language_preference,
            date_of_birth: $body.date_of_birth,
            country_code: $body.country_code,
            telephone_number_no_country_code: $body.telephone_number_no_country_code,
            landline_number: $body.landline_number,
        }
    };
}
pub(crate) use raw_fields;

/// The editable fields, checked.
#[derive(Debug, Clone, Default)]
pub struct ProfileFields {
    pub customer_ref: Option<String>,
    pub first_name: Option<String>,
    pub surname: Option<String>,
    pub email: Option<Email>,
    pub language_preference: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub telephone: Option<Telephone>,
    pub landline: Option<Landline>,
}

/// Whether `firstName` and `surname` must be given (permanent profiles) or may be absent
/// (temporary profiles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Names {
    Required,
    Optional,
}

impl ProfileFields {
    /// Checks every field, recording each problem in `errs` under its wire name.
    pub fn parse(raw: RawFields, names: Names, now: Timestamp, errs: &mut FieldErrors) -> Self {
        let (first_name, surname) = match names {
            Names::Required => (
                errs.required("firstName", raw.first_name, values::person_name),
                errs.required("surname", raw.surname, values::person_name),
            ),
            Names::Optional => (
                errs.optional("firstName", raw.first_name, values::person_name),
                errs.optional("surname", raw.surname, values::person_name),
            ),
        };
        let customer_ref = errs.optional("customerRef", raw.customer_ref, values::customer_ref);
        let email = errs.optional("email", raw.email, Email::parse);
        let language_preference =
            errs.optional("languagePreference", raw.language_preference, values::language);
        let today = now.date();
        let date_of_birth =
            errs.optional("dateOfBirth", raw.date_of_birth, |d| values::date_of_birth(d, today));
        let country_code = errs.optional("countryCode", raw.country_code, values::country_code);
        let number =
            errs.optional("telephoneNumberNoCountryCode", raw.telephone_number_no_country_code, |n| {
                values::phone_digits(n).map(|_| n.to_owned())
            });
        let landline = errs.optional("landlineNumber", raw.landline_number, Landline::parse);
        // A number without a country code is Norwegian (+47), as Entur assumes.
        let telephone = match (country_code, number) {
            (None, None) => None,
            (code, number) => Some(Telephone { country_code: code.unwrap_or_else(|| "+47".into()), number }),
        };
        Self {
            customer_ref,
            first_name,
            surname,
            email,
            language_preference,
            date_of_birth,
            telephone,
            landline,
        }
    }

    /// The wire names of the fields that hold a value, for the audit trail.
    pub fn given(&self) -> Vec<&'static str> {
        let present = [
            ("customerRef", self.customer_ref.is_some()),
            ("firstName", self.first_name.is_some()),
            ("surname", self.surname.is_some()),
            ("email", self.email.is_some()),
            ("languagePreference", self.language_preference.is_some()),
            ("dateOfBirth", self.date_of_birth.is_some()),
            ("countryCode", self.telephone.is_some()),
            ("telephoneNumberNoCountryCode", self.telephone.as_ref().is_some_and(|t| t.number.is_some())),
            ("landlineNumber", self.landline.is_some()),
        ];
        present.into_iter().filter(|(_, p)| *p).map(|(name, _)| name).collect()
    }

    /// The wire names of the fields whose value differs from `current` (audit trail).
    pub fn changed_from(&self, current: &super::Profile) -> Vec<&'static str> {
        let dob = self.date_of_birth.map(|d| d.to_string());
        // No customerRef means the default, the number.
        let number = current.customer_number.0.to_string();
        let customer_ref = self.customer_ref.as_deref().unwrap_or(&number);
        let pairs: [(&'static str, Option<&str>, Option<&str>); 9] = [
            ("customerRef", Some(customer_ref), Some(current.customer_ref.as_str())),
            ("firstName", self.first_name.as_deref(), current.first_name.as_deref()),
            ("surname", self.surname.as_deref(), current.surname.as_deref()),
            ("email", self.email.as_ref().map(Email::as_str), current.email.as_deref()),
            (
                "languagePreference",
                self.language_preference.as_deref(),
                current.language_preference.as_deref(),
            ),
            ("dateOfBirth", dob.as_deref(), current.date_of_birth.as_deref()),
            (
                "countryCode",
                self.telephone.as_ref().map(|t| t.country_code.as_str()),
                current.country_code.as_deref(),
            ),
            (
                "telephoneNumberNoCountryCode",
                self.telephone.as_ref().and_then(|t| t.number.as_deref()),
                current.telephone_number.as_deref(),
            ),
            (
                "landlineNumber",
                self.landline.as_ref().map(Landline::as_str),
                current.landline_number.as_deref(),
            ),
        ];
        pairs.into_iter().filter(|(_, new, old)| new != old).map(|(name, _, _)| name).collect()
    }
}
