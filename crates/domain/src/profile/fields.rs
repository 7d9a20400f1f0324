//! The editable fields of a profile, shared by create, replace (PUT), merge patch (PATCH)
//! and the temporary-profile operations: declared once, read by one parser, so one set of
//! rules.
//!
//! # Why a macro
//!
//! The four wire bodies ([`CreateProfileBody`](super::CreateProfileBody),
//! [`ReplaceProfileBody`](super::ReplaceProfileBody) — which also reads a merge-patched
//! document — and the temporary [`CreateTemporaryBody`](super::temporary::CreateTemporaryBody)
//! and [`ReplaceTemporaryBody`](super::temporary::ReplaceTemporaryBody)) each carry the nine
//! editable fields beside members of their own. They refuse unknown members
//! (`deny_unknown_fields`), which serde does not support together with `#[serde(flatten)]`,
//! so the fields cannot live in a nested struct. [`profile_body!`] therefore declares each
//! body struct whole: `organisationId` and the nine editable fields (wire name, doc comment =
//! schema description, `schemars` constraints), written once inside the macro, then the body's
//! own members. The expansion is exactly the struct that used to be written by hand, so
//! serde's derived reader (the wire behaviour, the `.wasm` code) and the schemars derive (the
//! JSON Schemas of `openapi/openapi.json`) are unchanged. A hand-written generic `Deserialize`
//! would have had to reproduce serde's errors and grow the components; a visitor would have
//! lost the derived schemas.
//!
//! [`raw_fields!`] moves the nine out of a body into a [`RawFields`] for
//! [`ProfileFields::parse`]. Whether `firstName` and `surname` are required is said in each
//! body's declaration (`names: required` or `names: optional`, for the schema) and by the
//! [`Names`] its check passes to `parse`; the tests below hold the two to the same answer for
//! every body. The schema of a PATCH body, `ProfilePatch`, is derived from the replacement's
//! (`crate::openapi`, feature `openapi`).

use super::values::{self, Email, Landline, Telephone};
use crate::time::Timestamp;
use chrono::NaiveDate;
use errors::FieldErrors;

/// The editable fields as they arrive, moved out of a body by [`raw_fields!`] (the wire
/// declarations are in [`profile_body!`]).
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

/// The editable fields of `$body`, a body declared by [`profile_body!`], moved out into a
/// [`RawFields`] (a field-for-field move, so the body's own members stay usable). Kept a bare
/// struct expression: wrapping the move and [`ProfileFields::parse`] in one block grew
/// `profiles.wasm` (19 bytes), and a `&mut self` method taking each `Option` grew it more.
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

/// Declares a profile wire body: `organisationId`, the nine editable fields, then the
/// members given. The first line inside the braces says whether `firstName` and `surname`
/// are required (`names: required,`) or may be absent (`names: optional,`). Derives
/// `Debug`, `Default` and serde's `Deserialize` (unknown members refused, camelCase wire
/// names), and `schemars::JsonSchema` with feature `openapi` (name and description are the
/// body's own `schemars(...)` attribute).
macro_rules! profile_body {
    (
        $(#[$meta:meta])*
        pub struct $name:ident { names: required, $($own:tt)* }
    ) => {
        $crate::profile::fields::profile_body! {
            @body [$(#[$meta])*] $name
            [required, transform = $crate::wire_schema::required_text($crate::profile::values::NAME_MAX)]
            $($own)*
        }
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident { names: optional, $($own:tt)* }
    ) => {
        $crate::profile::fields::profile_body! {
            @body [$(#[$meta])*] $name
            [transform = $crate::wire_schema::optional_text($crate::profile::values::NAME_MAX)]
            $($own)*
        }
    };
    (@body [$(#[$meta:meta])*] $name:ident [$($name_schema:tt)*] $($own:tt)*) => {
        #[derive(Debug, Default, serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        #[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
        $(#[$meta])*
        pub struct $name {
            /// Optional; when present it must be the token's organisation, else 403
            /// `ORGANISATION_MISMATCH`.
            pub organisation_id: Option<i64>,
            /// The organisation's own reference, unique in the organisation, at most 40 characters, not
            /// starting with `~`. Absent: the customer number as a string.
            #[cfg_attr(feature = "openapi", schemars(transform = $crate::wire_schema::customer_ref($crate::profile::values::CUSTOMER_REF_MAX)))]
            pub customer_ref: Option<String>,
            /// First name. At most 100 characters.
            #[cfg_attr(feature = "openapi", schemars($($name_schema)*))]
            pub first_name: Option<String>,
            /// Surname. At most 100 characters.
            #[cfg_attr(feature = "openapi", schemars($($name_schema)*))]
            pub surname: Option<String>,
            /// Email, at most 254 characters; unique (case-insensitively) among the organisation's active
            /// permanent profiles.
            #[cfg_attr(feature = "openapi", schemars(transform = $crate::wire_schema::email($crate::profile::values::EMAIL_MAX, $crate::profile::values::EMAIL_LOCAL_MAX)))]
            pub email: Option<String>,
            /// One of `NO`, `EN`, `SV`, `DA`, `FI`, `DE`, `FR`, `ES`, `nob`, `nno`, `nor`, `eng`, `sme`,
            /// `sma`, `smj`, `swe`, `dan`, `fin`, `deu`, `fra`, `spa` (any case in; two-letter codes are
            /// stored upper case, three-letter codes lower case).
            #[cfg_attr(feature = "openapi", schemars(transform = $crate::wire_schema::language))]
            pub language_preference: Option<String>,
            /// Date of birth, 1900-01-01 to today. Blank counts as absent.
            #[cfg_attr(feature = "openapi", schemars(transform = $crate::wire_schema::optional_date))]
            pub date_of_birth: Option<String>,
            /// Country calling code of the mobile number: `+` and 1 to 3 digits (`+47`). A number without
            /// one is Norwegian (`+47`).
            #[cfg_attr(feature = "openapi", schemars(transform = $crate::wire_schema::country_code($crate::profile::values::COUNTRY_CODE_DIGITS)))]
            pub country_code: Option<String>,
            /// Mobile number without country code: 4 to 15 digits, spaces and dashes allowed (errors:
            /// `605`).
            #[cfg_attr(feature = "openapi", schemars(transform = $crate::wire_schema::phone($crate::profile::values::PHONE_DIGITS)))]
            pub telephone_number_no_country_code: Option<String>,
            /// Landline number: 4 to 15 digits, spaces and dashes allowed (errors: `605`).
            #[cfg_attr(feature = "openapi", schemars(transform = $crate::wire_schema::phone($crate::profile::values::PHONE_DIGITS)))]
            pub landline_number: Option<String>,
            $($own)*
        }
    };
}
pub(crate) use profile_body;

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

#[cfg(test)]
mod tests {
    //! Every body declared by [`profile_body!`]: it refuses unknown members, reads each of its
    //! members (the nine editable fields included), and requires what it always required.
    use super::super::temporary::{self, CreateTemporaryBody, ReplaceTemporaryBody};
    use super::super::{new_profile, replacement, CreateProfileBody, ReplaceProfileBody};
    use super::Names;
    use crate::time::Timestamp;
    use errors::ApiError;
    use serde::de::DeserializeOwned;
    use serde_json::{json, Map, Value};

    const NOW: Timestamp = Timestamp(1_795_846_663_123); // 2026-11-28T06:17:43.123Z

    /// The nine editable fields, each with a valid value.
    fn editable() -> Map<String, Value> {
        let Value::Object(members) = json!({
            "customerRef": "K-17",
            "firstName": "Kari",
            "surname": "Nordmann",
            "email": "kari@example.no",
            "languagePreference": "nob",
            "dateOfBirth": "1990-05-17",
            "countryCode": "+46",
            "telephoneNumberNoCountryCode": "70 123 45 67",
            "landlineNumber": "22 33 44 55",
        }) else {
            unreachable!()
        };
        members
    }

    /// A body's members: `organisationId`, the editable fields, then `own`.
    fn full(own: Value) -> Value {
        let mut members = editable();
        members.insert("organisationId".into(), json!(1));
        members.extend(own.as_object().expect("an object").clone());
        Value::Object(members)
    }

    fn read<T: DeserializeOwned>(body: Value) -> Result<T, String> {
        serde_json::from_value(body).map_err(|e| e.to_string())
    }

    /// The fields named by a 400, in order.
    fn missing(result: Result<impl std::fmt::Debug, ApiError>) -> Vec<String> {
        let error = result.expect_err("refused");
        assert_eq!(error.status(), 400, "{error:?}");
        error.entries().into_iter().map(|e| e.field.unwrap_or_default()).collect()
    }

    const ALL_NINE: [&str; 9] = [
        "customerRef",
        "firstName",
        "surname",
        "email",
        "languagePreference",
        "dateOfBirth",
        "countryCode",
        "telephoneNumberNoCountryCode",
        "landlineNumber",
    ];

    fn create_own() -> Value {
        json!({"password": "abcD123", "postalAddresses": [], "createdBy": "kundesenter", "createdByChannel": "WEB"})
    }
    fn replace_own() -> Value {
        json!({"changedBy": "kundesenter", "changedByChannel": "WEB"})
    }
    fn temporary_create_own() -> Value {
        json!({"expirationDate": "2026-12-24", "createdBy": "billettautomat", "createdByChannel": "TVM"})
    }
    fn temporary_replace_own() -> Value {
        json!({"expirationDate": "2026-12-24", "changedBy": "kundesenter", "changedByChannel": "WEB"})
    }

    /// Adds `unknown` to a full body of `T` (unless it is one of `T`'s own members) and
    /// checks that serde refuses it, naming it (the 400 `UNKNOWN_FIELD` names it from this).
    fn refuses<T: DeserializeOwned + std::fmt::Debug>(what: &str, own: Value, unknown: &str) {
        let mut body = full(own);
        if body.get(unknown).is_some() {
            return;
        }
        body[unknown] = json!("x");
        let error = read::<T>(body).unwrap_err();
        assert!(error.starts_with(&format!("unknown field `{unknown}`")), "{what}: {error}");
    }

    #[test]
    fn every_body_refuses_an_unknown_member() {
        // Near misses too: a search parameter, a snake_case name, a member of another body.
        for unknown in
            ["nickname", "telephoneNumber", "first_name", "changedBy", "expirationDate", "password"]
        {
            refuses::<CreateProfileBody>("create", create_own(), unknown);
            refuses::<ReplaceProfileBody>("replace", replace_own(), unknown);
            refuses::<CreateTemporaryBody>("temporary create", temporary_create_own(), unknown);
            refuses::<ReplaceTemporaryBody>("temporary replace", temporary_replace_own(), unknown);
        }
    }

    #[test]
    fn every_body_reads_each_editable_field_and_its_own_members() {
        let new = new_profile(read(full(create_own())).unwrap(), 1, NOW).unwrap();
        assert_eq!(new.fields.given(), ALL_NINE);
        assert_eq!(new.given_fields()[9..], ["password"]);
        assert_eq!((new.created_by.as_str(), new.created_by_channel.as_str()), ("kundesenter", "WEB"));

        let change = replacement(read(full(replace_own())).unwrap(), 1, Names::Required, NOW).unwrap();
        assert_eq!(change.fields.given(), ALL_NINE);
        assert_eq!((change.changed_by.as_str(), change.changed_by_channel.as_str()), ("kundesenter", "WEB"));

        let new =
            temporary::new_temporary_profile(read(full(temporary_create_own())).unwrap(), 1, NOW).unwrap();
        assert_eq!(new.fields.given(), ALL_NINE);
        assert_eq!(new.given_fields()[9..], ["expirationDate"]);
        assert_eq!((new.created_by.as_str(), new.created_by_channel.as_str()), ("billettautomat", "TVM"));

        let (change, expiration) =
            temporary::temporary_replacement(read(full(temporary_replace_own())).unwrap(), 1, NOW).unwrap();
        assert_eq!(change.fields.given(), ALL_NINE);
        assert_eq!(expiration.day_text().as_deref(), Some("2026-12-24"));
        assert_eq!((change.changed_by.as_str(), change.changed_by_channel.as_str()), ("kundesenter", "WEB"));

        // And each value reaches its own field (not a neighbour's).
        let f = new.fields;
        assert_eq!(f.customer_ref.as_deref(), Some("K-17"));
        assert_eq!((f.first_name.as_deref(), f.surname.as_deref()), (Some("Kari"), Some("Nordmann")));
        assert_eq!(f.email.as_ref().map(|e| e.as_str()), Some("kari@example.no"));
        assert_eq!(f.language_preference.as_deref(), Some("nob"));
        assert_eq!(f.date_of_birth.map(|d| d.to_string()).as_deref(), Some("1990-05-17"));
        let telephone = f.telephone.unwrap();
        assert_eq!(telephone.country_code, "+46");
        assert_eq!(telephone.key().unwrap(), "46701234567");
        assert_eq!(f.landline.as_ref().map(|l| l.as_str()), Some("22 33 44 55"));
    }

    #[test]
    fn every_body_requires_what_it_always_required() {
        let empty = || json!({});
        assert_eq!(
            missing(new_profile(read(empty()).unwrap(), 1, NOW)),
            ["firstName", "surname", "createdBy", "createdByChannel"]
        );
        assert_eq!(
            missing(replacement(read(empty()).unwrap(), 1, Names::Required, NOW)),
            ["firstName", "surname", "changedBy", "changedByChannel"]
        );
        assert_eq!(
            missing(temporary::new_temporary_profile(read(empty()).unwrap(), 1, NOW)),
            ["expirationDate", "createdBy", "createdByChannel"]
        );
        assert_eq!(
            missing(temporary::temporary_replacement(read(empty()).unwrap(), 1, NOW)),
            ["expirationDate", "changedBy", "changedByChannel"]
        );
        // `null` and blank are absent, as before.
        let blank_names = || json!({"firstName": null, "surname": "  "});
        let with = |own: Value| {
            let mut body = blank_names();
            body.as_object_mut().unwrap().extend(own.as_object().unwrap().clone());
            body
        };
        assert_eq!(missing(new_profile(read(with(create_own())).unwrap(), 1, NOW)), ["firstName", "surname"]);
        assert_eq!(
            missing(replacement(read(with(replace_own())).unwrap(), 1, Names::Required, NOW)),
            ["firstName", "surname"]
        );
        let new =
            temporary::new_temporary_profile(read(with(temporary_create_own())).unwrap(), 1, NOW).unwrap();
        assert_eq!((new.fields.first_name, new.fields.surname), (None, None));
        let (change, _) =
            temporary::temporary_replacement(read(with(temporary_replace_own())).unwrap(), 1, NOW).unwrap();
        assert_eq!((change.fields.first_name, change.fields.surname), (None, None));
    }

    /// The schemas say the same: `required` lists exactly what the checks require, and each
    /// has the editable fields and refuses other members.
    #[cfg(feature = "openapi")]
    #[test]
    fn every_schema_requires_what_its_body_requires() {
        let schemas = crate::openapi::components();
        let required = |name: &str| -> Vec<String> {
            serde_json::from_value(schemas[name]["required"].clone()).expect("a required list")
        };
        assert_eq!(
            required("CreateProfileRequest"),
            ["firstName", "surname", "createdBy", "createdByChannel"]
        );
        assert_eq!(
            required("ReplaceProfileRequest"),
            ["firstName", "surname", "changedBy", "changedByChannel"]
        );
        assert_eq!(
            required("CreateTemporaryProfileRequest"),
            ["expirationDate", "createdBy", "createdByChannel"]
        );
        assert_eq!(
            required("ReplaceTemporaryProfileRequest"),
            ["expirationDate", "changedBy", "changedByChannel"]
        );
        // A merge patch leaves out what it keeps: only who changed it is required.
        assert_eq!(required("ProfilePatch"), ["changedBy", "changedByChannel"]);
        for name in [
            "ProfilePatch",
            "CreateProfileRequest",
            "ReplaceProfileRequest",
            "CreateTemporaryProfileRequest",
            "ReplaceTemporaryProfileRequest",
        ] {
            assert_eq!(schemas[name]["additionalProperties"], json!(false), "{name}");
            for field in ALL_NINE.iter().chain(&["organisationId"]) {
                assert!(schemas[name]["properties"].get(field).is_some(), "{name}.{field}");
            }
        }
    }
}
