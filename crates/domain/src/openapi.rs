//! The schemas of the wire types for the OpenAPI document, by name (feature `openapi`,
//! which only `openapi-gen` enables, so no `.wasm` carries any of this). Each wire struct
//! derives `schemars::JsonSchema` beside its `serde` derive; the constraints it documents
//! are written next to each field with the helpers of [`crate::wire_schema`].
//! `ProfilePatch` (the body of a PATCH) is no struct: it is derived from
//! `ReplaceProfileRequest`, as which the patched document is read ([`profile_patch`]).

use crate::address::{Address, AddressBody};
use crate::consent::{base, given, legacy, offer, view};
use crate::customer::ProfileExport;
use crate::ecard::{Ecard, EcardBody};
use crate::loyalty::{JoinBody, Membership, Program, ProgramBody, Transaction, TransactionBody};
use crate::preference::{CustomerPreference, Definition, DefinitionBody, ValueBody};
use crate::profile::operations::{ConnectBody, CredentialsBody, DeactivateBody, PasswordBody};
use crate::profile::temporary::{ConvertBody, CreateTemporaryBody, ReplaceTemporaryBody};
use crate::profile::{CreateProfileBody, ProfileView, ReplaceProfileBody};
use crate::purge::Purged;
use crate::wire_schema;
use schemars::generate::{Contract, SchemaSettings};
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value};

/// Every derived schema, by its name in `#/components/schemas`.
pub fn components() -> Map<String, Value> {
    // Requests are read: a member that may be left out is not required.
    let mut requests = generator(Contract::Deserialize);
    add::<CreateProfileBody>(&mut requests);
    add::<ReplaceProfileBody>(&mut requests);
    add::<CreateTemporaryBody>(&mut requests);
    add::<ReplaceTemporaryBody>(&mut requests);
    add::<ConvertBody>(&mut requests);
    add::<AddressBody>(&mut requests);
    // The profile operations besides create and replace.
    add::<DeactivateBody>(&mut requests);
    add::<ConnectBody>(&mut requests);
    add::<CredentialsBody>(&mut requests);
    add::<PasswordBody>(&mut requests);
    // Sub-resources and catalogues (ecards, preferences, loyalty).
    add::<EcardBody>(&mut requests);
    add::<ValueBody>(&mut requests);
    add::<DefinitionBody>(&mut requests);
    add::<JoinBody>(&mut requests);
    add::<TransactionBody>(&mut requests);
    add::<ProgramBody>(&mut requests);
    // Consents.
    add::<base::TermBody>(&mut requests);
    add::<base::ConsentBaseBody>(&mut requests);
    add::<base::ReplaceBaseBody>(&mut requests);
    add::<offer::ConsentBody>(&mut requests);
    add::<offer::ConsentPatchBody>(&mut requests);
    add::<given::GivenConsentBody>(&mut requests);
    add::<legacy::LegacyBody>(&mut requests);
    // Responses are written: a member left out when it has no value is not required.
    let mut responses = generator(Contract::Serialize);
    add::<ProfileView>(&mut responses);
    add::<Address>(&mut responses);
    // Sub-resources and catalogues (ecards, preferences, loyalty).
    add::<Ecard>(&mut responses);
    add::<CustomerPreference>(&mut responses);
    add::<Definition>(&mut responses);
    add::<Membership>(&mut responses);
    add::<Transaction>(&mut responses);
    add::<Program>(&mut responses);
    // The GDPR export, and operations on the whole service.
    add::<ProfileExport>(&mut responses);
    add::<Purged>(&mut responses);
    // Consents.
    add::<view::TermView>(&mut responses);
    add::<view::ConsentBaseView>(&mut responses);
    add::<view::ConsentView>(&mut responses);
    add::<view::GivenConsentView>(&mut responses);
    add::<view::HistoryView>(&mut responses);
    add::<view::CrmView>(&mut responses);
    add::<view::LegacyView>(&mut responses);
    // The error body (Problem, and FieldError through it).
    add::<errors::Problem>(&mut responses);

    let mut schemas = requests.take_definitions(true);
    for (name, schema) in responses.take_definitions(true) {
        let taken = schemas.insert(name.clone(), schema);
        assert!(taken.is_none(), "{name} is both a request and a response");
    }
    // Served beside a derived schema: what an export hook adds to a type.
    let export = wire_schema::membership_export(&schemas["LoyaltyMembership"]);
    schemas.insert("LoyaltyMembershipExport".into(), export);
    schemas.values_mut().for_each(unwrap_lines);
    let patch = profile_patch(&schemas["ReplaceProfileRequest"]);
    schemas.insert("ProfilePatch".into(), patch);
    schemas
}

/// `ProfilePatch`, the body of a PATCH: a JSON Merge Patch whose result is read as a
/// `ReplaceProfileRequest` (see `crate::profile::replacement`), so its schema is that one's
/// where every editable field may be left out (an absent member keeps its value) and `null`
/// clears an optional one; the members the patch must bring itself stay required.
fn profile_patch(replace: &Value) -> Value {
    /// The members of `ReplaceProfileRequest` that are not editable fields of the profile.
    const NOT_EDITABLE: [&str; 3] = ["organisationId", "changedBy", "changedByChannel"];
    const BLANK: &str = " Blank counts as absent.";
    let mut patch = replace.clone();
    patch["description"] = Value::String(
        "JSON Merge Patch (RFC 7396) of the editable fields: an absent member keeps its value, `null` \
         clears an optional one. `changedBy` and `changedByChannel` are required."
            .into(),
    );
    let required: Vec<Value> = patch["required"].as_array().cloned().unwrap_or_default();
    let (kept, required_editable): (Vec<Value>, Vec<Value>) =
        required.into_iter().partition(|name| NOT_EDITABLE.iter().any(|n| name == n));
    patch["required"] = Value::Array(kept);
    let properties = patch["properties"].as_object_mut().expect("ReplaceProfileRequest has properties");
    for (name, member) in properties.iter_mut().filter(|(name, _)| !NOT_EDITABLE.contains(&name.as_str())) {
        let text = member["description"].as_str().expect("every editable field is described");
        member["description"] = Value::String(if required_editable.iter().any(|r| r == name) {
            // Required in a replacement, so a merge patch cannot remove it.
            format!("{}; cannot be cleared.", text.strip_suffix('.').unwrap_or(text))
        } else {
            // Said last, "Blank counts as absent." qualifies a value, as in the other bodies.
            let (text, blank) = text.strip_suffix(BLANK).map_or((text, ""), |t| (t, BLANK));
            format!("{text} `null` clears it.{blank}")
        });
    }
    patch
}

fn generator(contract: Contract) -> SchemaGenerator {
    SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
            s.contract = contract;
        })
        .into_generator()
}

fn add<T: JsonSchema>(generator: &mut SchemaGenerator) {
    generator.subschema_for::<T>();
}

/// Doc comments are wrapped at 100 columns: a single line break is a space, not a break.
fn unwrap_lines(node: &mut Value) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(text)) = map.get_mut("description") {
                *text = text.split("\n\n").map(|p| p.replace('\n', " ")).collect::<Vec<_>>().join("\n\n");
            }
            map.values_mut().for_each(unwrap_lines);
        }
        Value::Array(items) => items.iter_mut().for_each(unwrap_lines),
        _ => {}
    }
}
