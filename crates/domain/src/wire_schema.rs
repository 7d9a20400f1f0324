//! The JSON Schemas of the wire types, for the OpenAPI document (feature `openapi`, which
//! only `openapi-gen` enables, so no `.wasm` carries any of this).
//!
//! The wire structs derive `schemars::JsonSchema`; each field's constraints sit next to it
//! as a `transform` naming one of the functions below with the constant its validation
//! uses (`values::NAME_MAX`, ...). Bodies arrive untrimmed and a blank optional member
//! counts as absent, so the patterns allow surrounding whitespace and, for optional
//! members, blank text.

use crate::profile::values;
use schemars::{generate::SchemaSettings, JsonSchema, Schema};
use serde_json::{json, Map, Value};

/// Every derived schema, by its name in `#/components/schemas`.
pub fn components() -> Map<String, Value> {
    use crate::profile::*;
    let mut generator = SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        })
        .into_generator();
    fn add<T: JsonSchema>(generator: &mut schemars::SchemaGenerator) {
        generator.subschema_for::<T>();
    }
    add::<CreateProfileBody>(&mut generator);
    add::<ReplaceProfileBody>(&mut generator);
    add::<temporary::CreateTemporaryBody>(&mut generator);
    add::<temporary::ReplaceTemporaryBody>(&mut generator);
    add::<temporary::ConvertBody>(&mut generator);
    let mut schemas = generator.take_definitions(true);
    schemas.values_mut().for_each(unwrap_lines);
    schemas
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

/// Sets the members of `fields` (an object) on `schema`.
fn set(schema: &mut Schema, fields: Value) {
    let Value::Object(fields) = fields else { unreachable!("set takes an object") };
    for (key, value) in fields {
        schema.insert(key, value);
    }
}

/// Free text that must be given: at most `max` characters, not blank.
pub fn required_text(max: usize) -> impl Fn(&mut Schema) {
    move |s| {
        let pattern = format!(r"^\s*\S(?:[\s\S]{{0,{}}}\S)?\s*$", max - 2);
        set(s, json!({"type": "string", "minLength": 1, "pattern": pattern}));
    }
}

/// Free text that may be left out, `null` or blank: at most `max` characters.
pub fn optional_text(max: usize) -> impl Fn(&mut Schema) {
    move |s| {
        let pattern = format!(r"^\s*(?:\S(?:[\s\S]{{0,{}}}\S)?)?\s*$", max - 2);
        set(s, json!({"type": ["string", "null"], "pattern": pattern}));
    }
}

/// `customerRef`: optional text of at most [`values::CUSTOMER_REF_MAX`] characters, not
/// starting with `~`.
pub fn customer_ref(s: &mut Schema) {
    let pattern = format!(r"^\s*(?:[^~\s](?:[\s\S]{{0,{}}}\S)?)?\s*$", values::CUSTOMER_REF_MAX - 2);
    set(s, json!({"type": ["string", "null"], "pattern": pattern}));
}

/// An optional member whose value, when not blank, matches `core`.
fn optional_pattern(s: &mut Schema, core: &str) {
    set(s, json!({"type": ["string", "null"], "pattern": format!(r"^\s*(?:{core}\s*)?$")}));
}

/// The email addresses `values::Email` accepts (a sketch: the domain's dots, lengths).
pub fn email(s: &mut Schema) {
    let core = format!(
        r"(?=\S{{1,{}}}\s*$)(?:[^@\s]{{1,{}}}@[^@\s.]+(?:\.[^@\s.]+)+)",
        values::EMAIL_MAX,
        values::EMAIL_LOCAL_MAX
    );
    optional_pattern(s, &core);
}

/// `languagePreference`: two or three letters (the listed codes, any case).
pub fn language(s: &mut Schema) {
    optional_pattern(s, r"(?:[A-Za-z]{2,3})");
}

/// `countryCode`: `+` and [`values::COUNTRY_CODE_DIGITS`] digits.
pub fn country_code(s: &mut Schema) {
    let digits = values::COUNTRY_CODE_DIGITS;
    optional_pattern(s, &format!(r"(?:\+[0-9]{{{},{}}})", digits.start(), digits.end()));
}

/// A telephone or landline number: [`values::PHONE_DIGITS`] digits, spaces and dashes.
pub fn phone(s: &mut Schema) {
    let digits = values::PHONE_DIGITS;
    optional_pattern(s, &format!(r"(?:(?:[ -]*[0-9]){{{},{}}}[ -]*)", digits.start(), digits.end()));
}

/// An optional date (`YYYY-MM-DD`); blank counts as absent.
pub fn optional_date(s: &mut Schema) {
    set(s, json!({"type": ["string", "null"], "anyOf": [{"format": "date"}, {"pattern": r"^\s*$"}]}));
}

/// A date or an RFC 3339 date-time that must be given.
pub fn date_or_date_time(s: &mut Schema) {
    set(s, json!({"type": "string", "minLength": 1, "anyOf": [{"format": "date"}, {"format": "date-time"}]}));
}

/// A password: at most [`crate::password::LENGTH`] characters (the rest of the policy is
/// in the description).
pub fn password(s: &mut Schema) {
    set(s, json!({"type": ["string", "null"], "maxLength": *crate::password::LENGTH.end()}));
}

/// A list of the schema `name`, or `null`.
pub fn optional_list_of(name: &'static str) -> impl Fn(&mut Schema) {
    move |s| {
        set(s, json!({"type": ["array", "null"], "items": {"$ref": format!("#/components/schemas/{name}")}}));
    }
}
