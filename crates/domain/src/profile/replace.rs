//! Changing a profile: full replacement (PUT) and JSON Merge Patch (PATCH, RFC 7396), both
//! ending in the same checked [`Change`].

use super::fields::{profile_body, raw_fields, Names, ProfileFields};
use super::Profile;
use crate::time::Timestamp;
#[cfg(feature = "openapi")]
use crate::{profile::values, wire_schema};
use errors::{ApiError, FieldErrors};
use serde_json::{Map, Value};

profile_body! {
    /// The wire form of `PUT /profiles/{customerNumber}`; after a merge patch is applied, the
    /// patched document is read as this too.
    #[cfg_attr(feature = "openapi", schemars(rename = "ReplaceProfileRequest", description = ""))]
    pub struct ReplaceProfileBody {
        names: required,
        /// Who changed it. At most 100 characters, no control characters.
        #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::required_text(values::ACTOR_MAX)))]
        pub changed_by: Option<String>,
        /// Through which channel. At most 100 characters, no control characters.
        #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::required_text(values::ACTOR_MAX)))]
        pub changed_by_channel: Option<String>,
    }
}

/// A checked change of the editable fields.
#[derive(Debug)]
pub struct Change {
    pub fields: ProfileFields,
    pub changed_by: String,
    pub changed_by_channel: String,
}

/// Checks a replacement: `firstName`, `surname`, `changedBy`, `changedByChannel` required;
/// every optional field left out is cleared, and a left-out `customerRef` goes back to
/// its default, the customer number.
pub fn replacement(
    body: ReplaceProfileBody,
    organisation_id: i64,
    names: Names,
    now: Timestamp,
) -> Result<Change, ApiError> {
    crate::tenancy::check_organisation(body.organisation_id, organisation_id)?;
    let mut errs = FieldErrors::default();
    let raw = raw_fields!(body);
    let fields = ProfileFields::parse(raw, names, now, &mut errs);
    let changed_by = errs.required("changedBy", body.changed_by, super::values::actor_text);
    let changed_by_channel =
        errs.required("changedByChannel", body.changed_by_channel, super::values::actor_text);
    match (changed_by, changed_by_channel) {
        (Some(changed_by), Some(changed_by_channel)) if errs.is_empty() => {
            Ok(Change { fields, changed_by, changed_by_channel })
        }
        _ => Err(ApiError::Validation(errs)),
    }
}

/// The editable fields of `current` as a JSON document, the target of a merge patch.
/// `changedBy`/`changedByChannel` are not part of it: the patch must bring its own.
pub fn editable_document(current: &Profile) -> Value {
    let mut doc = Map::new();
    let mut put = |name: &str, value: Option<&str>| {
        if let Some(v) = value {
            doc.insert(name.to_owned(), Value::String(v.to_owned()));
        }
    };
    // A ref equal to the number is the default: leaving it out keeps it the default.
    let explicit_ref =
        (current.customer_ref != current.customer_number.0.to_string()).then_some(&current.customer_ref);
    put("customerRef", explicit_ref.map(String::as_str));
    put("firstName", current.first_name.as_deref());
    put("surname", current.surname.as_deref());
    put("email", current.email.as_deref());
    put("languagePreference", current.language_preference.as_deref());
    put("dateOfBirth", current.date_of_birth.as_deref());
    put("countryCode", current.country_code.as_deref());
    put("telephoneNumberNoCountryCode", current.telephone_number.as_deref());
    put("landlineNumber", current.landline_number.as_deref());
    Value::Object(doc)
}

/// Applies a JSON Merge Patch (RFC 7396) to `target`: `null` removes a member, objects
/// merge recursively, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: Value) {
    let Value::Object(members) = patch else {
        *target = patch;
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let object = target.as_object_mut().expect("made an object above");
    for (name, value) in members {
        if value.is_null() {
            object.remove(&name);
        } else {
            merge_patch(object.entry(name).or_insert(Value::Null), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7396() {
        // RFC 7396 §3's example.
        let mut target = json!({"title": "Goodbye!", "author": {"givenName": "John", "familyName": "Doe"},
                                "tags": ["example", "sample"], "content": "This will be unchanged"});
        let patch = json!({"title": "Hello!", "phoneNumber": "+01-123-456-7890", "author": {"familyName": null},
                           "tags": ["example"]});
        merge_patch(&mut target, patch);
        assert_eq!(
            target,
            json!({"title": "Hello!", "author": {"givenName": "John"}, "tags": ["example"],
                   "content": "This will be unchanged", "phoneNumber": "+01-123-456-7890"})
        );
    }

    #[test]
    fn a_replacement_needs_names_and_who_changed_it() {
        let error = replacement(ReplaceProfileBody::default(), 1, Names::Required, Timestamp(0)).unwrap_err();
        let fields: Vec<_> = error.entries().into_iter().map(|e| e.field.unwrap()).collect();
        assert_eq!(fields, ["firstName", "surname", "changedBy", "changedByChannel"]);
    }
}
