//! Helpers for the JSON Schemas of the wire types (feature `openapi`): each wire field's
//! constraints are written next to it as `#[schemars(transform = wire_schema::...(CONSTANT))]`,
//! with the constant its validation uses (`values::NAME_MAX`, ...). A leaf module: the
//! constants come in as arguments.
//!
//! Bodies arrive untrimmed and a blank optional member counts as absent, so the request
//! patterns allow surrounding whitespace and, for optional members, blank text.

use schemars::Schema;
use serde_json::{json, Value};
use std::ops::RangeInclusive;

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

/// `customerRef`: optional text of at most `max` characters, not starting with `~`.
pub fn customer_ref(max: usize) -> impl Fn(&mut Schema) {
    move |s| {
        let pattern = format!(r"^\s*(?:[^~\s](?:[\s\S]{{0,{}}}\S)?)?\s*$", max - 2);
        set(s, json!({"type": ["string", "null"], "pattern": pattern}));
    }
}

/// An optional member whose value, when not blank, matches `core`.
fn optional_pattern(s: &mut Schema, core: &str) {
    set(s, json!({"type": ["string", "null"], "pattern": format!(r"^\s*(?:{core}\s*)?$")}));
}

/// A member that must be given, which matches `core` once trimmed.
fn required_pattern(s: &mut Schema, core: &str) {
    set(s, json!({"type": "string", "minLength": 1, "pattern": format!(r"^\s*{core}\s*$")}));
}

/// A served member, which matches `core` exactly (stored values are trimmed and normalised).
fn exact_pattern(s: &mut Schema, core: &str) {
    set(s, json!({"pattern": format!("^{core}$")}));
}

/// An email address as `values::Email` accepts it, at most `local_max` characters before
/// the `@` (a sketch: the `@`, the domain's dots).
fn email_core(local_max: usize) -> String {
    format!(r"[^@\s]{{1,{local_max}}}@[^@\s.]+(?:\.[^@\s.]+)+")
}

/// `email` in a request: optional, at most `max` characters.
pub fn email(max: usize, local_max: usize) -> impl Fn(&mut Schema) {
    move |s| optional_pattern(s, &format!(r"(?=\S{{1,{max}}}\s*$)(?:{})", email_core(local_max)))
}

/// `email` as served.
pub fn stored_email(max: usize, local_max: usize) -> impl Fn(&mut Schema) {
    move |s| {
        set(s, json!({"maxLength": max}));
        exact_pattern(s, &email_core(local_max));
    }
}

/// A language code in a request: two or three letters (the listed codes, any case).
const LANGUAGE: &str = "[A-Za-z]{2,3}";

/// `languagePreference` in a request.
pub fn language(s: &mut Schema) {
    optional_pattern(s, &format!("(?:{LANGUAGE})"));
}

/// A language code that must be given (a term's `language`).
pub fn required_language(s: &mut Schema) {
    required_pattern(s, LANGUAGE);
}

/// A consent base's code, 1 to `max` of `A-Z a-z 0-9 _ -`: in a request (surrounding
/// whitespace allowed; the member's type says whether it may be left out or `null`).
pub fn code(max: usize) -> impl Fn(&mut Schema) {
    move |s| set(s, json!({"minLength": 1, "pattern": format!(r"^\s*{}\s*$", code_core(max))}))
}

/// A consent base's code as served.
pub fn stored_code(max: usize) -> impl Fn(&mut Schema) {
    move |s| exact_pattern(s, &code_core(max))
}

fn code_core(max: usize) -> String {
    format!("[A-Za-z0-9_-]{{1,{max}}}")
}

/// A member that is one of `values`.
pub fn one_of(values: &'static [&'static str]) -> impl Fn(&mut Schema) {
    move |s| set(s, json!({"enum": values}))
}

/// A country calling code: `+` and `digits` digits.
fn country_code_core(digits: &RangeInclusive<usize>) -> String {
    format!(r"\+[0-9]{{{},{}}}", digits.start(), digits.end())
}

/// `countryCode` (of a telephone number) in a request.
pub fn country_code(digits: RangeInclusive<usize>) -> impl Fn(&mut Schema) {
    move |s| optional_pattern(s, &format!("(?:{})", country_code_core(&digits)))
}

/// `countryCode` (of a telephone number) as served.
pub fn stored_country_code(digits: RangeInclusive<usize>) -> impl Fn(&mut Schema) {
    move |s| exact_pattern(s, &country_code_core(&digits))
}

/// A telephone or landline number: `digits` digits, and spaces and dashes.
fn phone_core(digits: &RangeInclusive<usize>) -> String {
    format!(r"(?:[ -]*[0-9]){{{},{}}}[ -]*", digits.start(), digits.end())
}

/// A telephone or landline number in a request.
pub fn phone(digits: RangeInclusive<usize>) -> impl Fn(&mut Schema) {
    move |s| optional_pattern(s, &format!("(?:{})", phone_core(&digits)))
}

/// A telephone or landline number as served.
pub fn stored_phone(digits: RangeInclusive<usize>) -> impl Fn(&mut Schema) {
    move |s| exact_pattern(s, &phone_core(&digits))
}

/// An optional date (`YYYY-MM-DD`); blank counts as absent.
pub fn optional_date(s: &mut Schema) {
    set(s, json!({"type": ["string", "null"], "anyOf": [{"format": "date"}, {"pattern": r"^\s*$"}]}));
}

/// A date or an RFC 3339 date-time that must be given.
pub fn date_or_date_time(s: &mut Schema) {
    set(s, json!({"type": "string", "minLength": 1, "anyOf": [{"format": "date"}, {"format": "date-time"}]}));
}

/// An optional date (`YYYY-MM-DD`) or RFC 3339 date-time; blank counts as absent.
pub fn optional_date_or_date_time(s: &mut Schema) {
    set(
        s,
        json!({"type": ["string", "null"], "anyOf": [{"format": "date"}, {"format": "date-time"}, {"pattern": r"^\s*$"}]}),
    );
}

/// An optional password of `length` characters (the length's lower end and the rest of
/// the policy are in the description: an empty one counts as absent).
pub fn password(length: RangeInclusive<usize>) -> impl Fn(&mut Schema) {
    move |s| set(s, json!({"type": ["string", "null"], "maxLength": length.end()}))
}

/// Sets member `name` of `object` (an object's schema) to `member`, which may be left out.
pub fn optional_member(object: &mut Schema, name: &str, member: Schema) {
    if let Some(Value::Object(properties)) = object.get_mut("properties") {
        properties.insert(name.into(), member.into());
    }
    if let Some(Value::Array(required)) = object.get_mut("required") {
        required.retain(|r| r != name);
    }
}

/// A JSON Merge Patch body: a member left out keeps its value, so none has a `default`
/// (schemars would state `null`, which clears or is refused).
pub fn merge_patch(s: &mut Schema) {
    if let Some(Value::Object(properties)) = s.get_mut("properties") {
        for member in properties.values_mut().filter_map(Value::as_object_mut) {
            member.remove("default");
        }
    }
}

/// Nothing but a reference to the schema `name` (a field's description is dropped, as a
/// `$ref`'s siblings were not shown by every tool).
pub fn reference(name: &'static str) -> impl Fn(&mut Schema) {
    move |s| *s = schemars::json_schema!({"$ref": format!("#/components/schemas/{name}")})
}

/// A reference to the schema `name` that keeps the field's description beside it (where
/// the description says what the referenced schema cannot, such as what absence means).
pub fn described_reference(name: &'static str) -> impl Fn(&mut Schema) {
    move |s| {
        let description = s.remove("description");
        *s = schemars::json_schema!({"$ref": format!("#/components/schemas/{name}")});
        if let Some(description) = description {
            s.insert("description".into(), description);
        }
    }
}

/// A list of the schema `name`.
pub fn list_of(name: &'static str) -> impl Fn(&mut Schema) {
    move |s| set(s, json!({"type": "array", "items": {"$ref": format!("#/components/schemas/{name}")}}))
}

/// `length` letters and digits.
pub fn alphanumeric(length: usize) -> impl Fn(&mut Schema) {
    move |s| exact_pattern(s, &format!("[A-Za-z0-9]{{{length}}}"))
}

/// `expirationDate` as served: a date or an instant.
pub fn expiration(s: &mut Schema) {
    s.remove("type");
    set(
        s,
        json!({"anyOf": [{"$ref": "#/components/schemas/Date"}, {"$ref": "#/components/schemas/Timestamp"}]}),
    );
}

/// Adds the member `name` (with `schema`) to an object's schema, and to its `required` ones
/// when `required`: for a member the handler adds to what the type serialises.
fn add_member(s: &mut Schema, name: &str, schema: Value, required: bool) {
    if let Some(Value::Object(properties)) = s.get_mut("properties") {
        properties.insert(name.into(), schema);
    }
    if let (true, Some(Value::Array(names))) = (required, s.get_mut("required")) {
        names.push(name.into());
    }
}

/// A served member that the type does not have: `ecards`, which the handler adds on request.
pub fn with_ecards(s: &mut Schema) {
    let ecards = json!({"type": "array", "description": "Only with `includeECards=true`.", "items": {"$ref": "#/components/schemas/ECard"}});
    add_member(s, "ecards", ecards, false);
}

/// A served member that the type does not have: `complete`, which the purge handler adds.
pub fn with_complete(s: &mut Schema) {
    let complete = json!({"type": "boolean", "description": "`false`: the call stopped after its batch limit; call again."});
    add_member(s, "complete", complete, true);
}

/// `postCode` in a request: up to `max` letters, digits, spaces and dashes (the Norwegian
/// rule is in the description).
pub fn post_code(max: usize) -> impl Fn(&mut Schema) {
    move |s| {
        let pattern = format!(r"^\s*[A-Za-z0-9 -]{{1,{max}}}\s*$");
        set(s, json!({"type": "string", "minLength": 1, "pattern": pattern}));
    }
}

/// `postCode` as served: upper case.
pub fn stored_post_code(max: usize) -> impl Fn(&mut Schema) {
    move |s| exact_pattern(s, &format!("[A-Z0-9 -]{{1,{max}}}"))
}

/// `countryCode` (of an address) in a request: two letters, any case.
pub fn country(s: &mut Schema) {
    optional_pattern(s, "(?:[A-Za-z]{2})");
}

/// `countryCode` (of an address) as served.
pub fn stored_country(s: &mut Schema) {
    exact_pattern(s, "[A-Z]{2}");
}

/// `length` digits.
fn digits_core(length: usize) -> String {
    format!("[0-9]{{{length}}}")
}

/// An optional member of `length` digits in a request.
pub fn optional_digits(length: usize) -> impl Fn(&mut Schema) {
    move |s| optional_pattern(s, &format!("(?:{})", digits_core(length)))
}

/// A served member of `length` digits.
pub fn digits(length: usize) -> impl Fn(&mut Schema) {
    move |s| exact_pattern(s, &digits_core(length))
}

/// An optional RFC 3339 date-time; blank counts as absent.
pub fn optional_date_time(s: &mut Schema) {
    set(s, json!({"type": ["string", "null"], "anyOf": [{"format": "date-time"}, {"pattern": r"^\s*$"}]}));
}

/// A date (`YYYY-MM-DD`) that must be given.
pub fn required_date(s: &mut Schema) {
    set(s, json!({"type": "string", "minLength": 1, "format": "date"}));
}

/// A preference value: a boolean, a number or a string (the definition's type decides).
pub fn scalar(s: &mut Schema) {
    set(s, json!({"type": ["boolean", "number", "string"]}));
}

/// A code of 1 to `max` letters, digits and the characters of `punctuation` (a `-` last).
fn code_of_core(punctuation: &str, max: usize) -> String {
    format!("[A-Za-z0-9{punctuation}]{{1,{max}}}")
}

/// A code that must be given in a request (see [`code_of_core`]).
pub fn code_of(punctuation: &'static str, max: usize) -> impl Fn(&mut Schema) {
    move |s| {
        let pattern = format!(r"^\s*{}\s*$", code_of_core(punctuation, max));
        set(s, json!({"type": "string", "minLength": 1, "pattern": pattern}));
    }
}

/// A code as served (see [`code_of_core`]).
pub fn stored_code_of(punctuation: &'static str, max: usize) -> impl Fn(&mut Schema) {
    move |s| exact_pattern(s, &code_of_core(punctuation, max))
}

/// One of `values` that must be given in a request, in any case.
pub fn any_case<const N: usize>(values: [&'static str; N]) -> impl Fn(&mut Schema) {
    move |s| {
        let letters = |value: &str| -> String {
            value.chars().map(|c| format!("[{}{}]", c.to_ascii_uppercase(), c.to_ascii_lowercase())).collect()
        };
        let pattern = format!(r"^\s*(?:{})\s*$", values.map(letters).join("|"));
        set(s, json!({"type": "string", "minLength": 1, "pattern": pattern}));
    }
}

/// An integer member that must be given (its type has `null` for the absent case, which the
/// validation refuses).
pub fn required_integer(s: &mut Schema) {
    set(s, json!({"type": "integer"}));
}

/// A whole number other than 0, at most `max` either way.
pub fn nonzero(max: i64) -> impl Fn(&mut Schema) {
    move |s| set(s, json!({"type": "integer", "minimum": -max, "maximum": max, "not": {"const": 0}}))
}

/// Text that must be given and not be blank (no bound of its own).
pub fn non_blank(s: &mut Schema) {
    set(s, json!({"type": "string", "minLength": 1, "pattern": r"\S"}));
}

/// Text that must be given and not be empty, taken as typed (a password to compare).
pub fn non_empty(s: &mut Schema) {
    set(s, json!({"type": "string", "minLength": 1}));
}

/// A new password that must be given: `length` characters (the rest of the policy is in the
/// description).
pub fn new_password(length: RangeInclusive<usize>) -> impl Fn(&mut Schema) {
    move |s| set(s, json!({"type": "string", "minLength": length.start(), "maxLength": length.end()}))
}

/// `LoyaltyMembershipExport`, from the schema of `LoyaltyMembership`: `loyalty::export` serves
/// each membership with all its `transactions` beside its members.
pub fn membership_export(membership: &Value) -> Value {
    let mut s = Schema::try_from(membership.clone()).expect("LoyaltyMembership is an object schema");
    s.insert("description".into(), "A membership with all its transactions (GDPR export).".into());
    let transactions = json!({"type": "array", "description": "Every transaction, oldest first.", "items": {"$ref": "#/components/schemas/LoyaltyTransaction"}});
    add_member(&mut s, "transactions", transactions, true);
    s.to_value()
}
