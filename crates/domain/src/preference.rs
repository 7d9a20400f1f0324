//! Preferences (contract §3): the organisation's catalogue of preference definitions and a
//! profile's value for each of them (permanent and temporary profiles, §4).
//!
//! A definition's `preferenceType` decides which values it takes and how they are served:
//! - `BOOLEAN`: JSON `true`/`false` (the strings `"true"`/`"false"` are accepted too);
//! - `NUMBER`: a JSON number (or a string holding one), served as a number exactly as given;
//! - `STRING`: a non-blank JSON string of at most 500 characters, trimmed.
//!
//! Rules: `preferenceCode` is unique per organisation (the index decides, 409
//! `DUPLICATE_PREFERENCE_CODE`); an inactive definition takes no new values but its existing
//! values stay readable and deletable; a definition with values can neither be deleted nor
//! change its type (409 `PREFERENCE_IN_USE`: deactivate it instead).

use crate::db::{Db, DbError, Row, Rows, Value};
use crate::profile::Actor;
use crate::subresource::{self, CATALOGUE};
use crate::time::Timestamp;
use errors::{ApiError, ErrorCode, FieldErrors, Invalid, OnUnique};
use serde::{Deserialize, Serialize};

// Every statement of preferences. ?1 is always the caller's organisation.

/// The columns SQLite names when a preferenceCode is taken.
pub const CODE_TAKEN: &str = "preference_definition.organisation_id, preference_definition.preference_code";

macro_rules! definition_select {
    () => {
        "SELECT id, organisation_id, preference_code, preference_type, preference_description, is_active,
                created_at, changed_at, version
           FROM preference_definition"
    };
}

/// The catalogue, by code.
pub const DEFINITIONS: &str =
    concat!(definition_select!(), " WHERE organisation_id = ?1 ORDER BY preference_code");
pub const DEFINITION: &str = concat!(definition_select!(), " WHERE organisation_id = ?1 AND id = ?2");
pub const DEFINITION_BY_CODE: &str =
    concat!(definition_select!(), " WHERE organisation_id = ?1 AND preference_code = ?2");

pub const INSERT_DEFINITION: &str = "
    INSERT INTO preference_definition (organisation_id, preference_code, preference_type,
                                       preference_description, is_active, created_at, changed_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
    RETURNING id, organisation_id, preference_code, preference_type, preference_description, is_active,
              created_at, changed_at, version";

/// Full replacement; `?8` is the version read in the same transaction.
pub const REPLACE_DEFINITION: &str = "
    UPDATE preference_definition
       SET preference_code = ?3, preference_type = ?4, preference_description = ?5, is_active = ?6,
           changed_at = ?7, version = version + 1
     WHERE organisation_id = ?1 AND id = ?2 AND version = ?8
    RETURNING id, organisation_id, preference_code, preference_type, preference_description, is_active,
              created_at, changed_at, version";

/// Whether any customer holds a value for the definition.
pub const DEFINITION_IN_USE: &str = "
    SELECT EXISTS (SELECT 1 FROM customer_preference WHERE organisation_id = ?1 AND preference_id = ?2)
           AS in_use";

/// `?3` is the version read in the same transaction.
pub const DELETE_DEFINITION: &str = "
    DELETE FROM preference_definition WHERE organisation_id = ?1 AND id = ?2 AND version = ?3 RETURNING id";

macro_rules! value_select {
    () => {
        "SELECT d.id AS preference_id, d.preference_code, d.preference_type, d.preference_description,
                d.is_active, v.value, v.created_at, v.changed_at, v.version
           FROM customer_preference v JOIN preference_definition d ON d.id = v.preference_id"
    };
}

/// A customer's values (`?2`), by code.
pub const VALUES: &str = concat!(
    value_select!(),
    " WHERE v.organisation_id = ?1 AND v.customer_number = ?2 ORDER BY d.preference_code"
);
/// A customer's value for one code (`?3`).
pub const VALUE: &str = concat!(
    value_select!(),
    " WHERE v.organisation_id = ?1 AND v.customer_number = ?2 AND d.preference_code = ?3"
);

/// Creates or replaces the customer's value (`?2` customer, `?3` definition id).
pub const UPSERT_VALUE: &str = "
    INSERT INTO customer_preference (organisation_id, customer_number, preference_id, value, created_at, changed_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?5)
    ON CONFLICT (customer_number, preference_id) DO UPDATE
       SET value = excluded.value, changed_at = excluded.changed_at, version = version + 1";

/// `?4` is the version read in the same transaction.
pub const DELETE_VALUE: &str = "
    DELETE FROM customer_preference
     WHERE organisation_id = ?1 AND customer_number = ?2 AND preference_id = ?3 AND version = ?4
    RETURNING preference_id";

/// Merge, step 1: the values of `?2` for definitions `?3` has no value for move over
/// (`OR IGNORE` leaves the conflicting ones behind: the target's value wins).
pub const MOVE_VALUES: &str = "
    UPDATE OR IGNORE customer_preference SET customer_number = ?3 WHERE organisation_id = ?1 AND customer_number = ?2";
/// Merge, step 2: what stayed behind lost to the target's value.
pub const DROP_VALUES: &str =
    "DELETE FROM customer_preference WHERE organisation_id = ?1 AND customer_number = ?2";

/// How a definition's values are checked and served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PreferenceType {
    #[serde(rename = "BOOLEAN")]
    Boolean,
    #[serde(rename = "STRING")]
    Text,
    #[serde(rename = "NUMBER")]
    Number,
}

/// The longest `STRING` value.
pub const MAX_STRING_VALUE: usize = 500;

impl PreferenceType {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.to_ascii_uppercase().as_str() {
            "BOOLEAN" => Ok(Self::Boolean),
            "STRING" => Ok(Self::Text),
            "NUMBER" => Ok(Self::Number),
            _ => Err(Invalid::new(ErrorCode::INVALID_PREFERENCE_TYPE, "must be BOOLEAN, STRING or NUMBER")),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Boolean => "BOOLEAN",
            Self::Text => "STRING",
            Self::Number => "NUMBER",
        }
    }

    /// Checks a value sent for a definition of this type; returns its stored text form.
    pub fn check(self, value: &serde_json::Value) -> Result<String, Invalid> {
        use serde_json::Value as Json;
        let invalid = |message: &str| Invalid::new(ErrorCode::INVALID_PREFERENCE_VALUE, message);
        match (self, value) {
            (Self::Boolean, Json::Bool(b)) => Ok(b.to_string()),
            (Self::Boolean, Json::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                b @ ("true" | "false") => Ok(b.to_owned()),
                _ => Err(invalid("must be true or false")),
            },
            (Self::Boolean, _) => Err(invalid("must be true or false")),
            (Self::Number, Json::Number(n)) => Ok(n.to_string()),
            (Self::Number, Json::String(s)) => s
                .trim()
                .parse::<serde_json::Number>()
                .map(|n| n.to_string())
                .map_err(|_| invalid("must be a number")),
            (Self::Number, _) => Err(invalid("must be a number")),
            (Self::Text, Json::String(s)) if s.trim().is_empty() => {
                Err(Invalid::new(ErrorCode::REQUIRED, "is required"))
            }
            (Self::Text, Json::String(s)) => subresource::bounded_text(s.trim(), MAX_STRING_VALUE),
            (Self::Text, _) => Err(invalid("must be a string")),
        }
    }

    /// A stored value as the API serves it.
    fn serve(self, stored: &str) -> serde_json::Value {
        use serde_json::Value as Json;
        match self {
            Self::Boolean => Json::Bool(stored == "true"),
            Self::Number => stored.parse::<serde_json::Number>().map_or_else(|_| stored.into(), Json::Number),
            Self::Text => stored.into(),
        }
    }

    fn from_column(row: &Row<'_>) -> Result<Self, DbError> {
        Self::parse(&row.text("preference_type")?).map_err(|e| DbError::Other(e.message))
    }
}

/// `preferenceCode`: 1 to 50 letters, digits, `_`, `-` or `.` (it appears in paths).
pub fn preference_code(raw: &str) -> Result<String, Invalid> {
    let shaped = (1..=50).contains(&raw.len())
        && raw.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if shaped {
        Ok(raw.to_owned())
    } else {
        Err(Invalid::new(
            ErrorCode::INVALID_PREFERENCE_CODE,
            "must be 1 to 50 letters, digits, '_', '-' or '.'",
        ))
    }
}

/// The wire form of a definition create or full replacement (POST and PUT take the same
/// body). `organisationId`, when given, must be the caller's.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DefinitionBody {
    pub organisation_id: Option<i64>,
    pub preference_code: Option<String>,
    pub preference_type: Option<String>,
    pub preference_description: Option<String>,
    pub is_active: Option<bool>,
}

/// A checked definition, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDefinition {
    pub preference_code: String,
    pub preference_type: PreferenceType,
    pub preference_description: Option<String>,
    pub is_active: bool,
}

/// Checks a definition body: `preferenceCode` and `preferenceType` required,
/// `preferenceDescription` at most 500 characters, `isActive` defaults to true.
pub fn new_definition(body: DefinitionBody, organisation_id: i64) -> Result<NewDefinition, ApiError> {
    if body.organisation_id.is_some_and(|given| given != organisation_id) {
        return Err(ApiError::OrganisationMismatch);
    }
    let mut errs = FieldErrors::default();
    let code = errs.required("preferenceCode", body.preference_code, preference_code);
    let kind = errs.required("preferenceType", body.preference_type, PreferenceType::parse);
    let description = errs.optional("preferenceDescription", body.preference_description, |d| {
        subresource::bounded_text(d, 500)
    });
    match (code, kind) {
        (Some(preference_code), Some(preference_type)) if errs.is_empty() => Ok(NewDefinition {
            preference_code,
            preference_type,
            preference_description: description,
            is_active: body.is_active.unwrap_or(true),
        }),
        _ => Err(ApiError::Validation(errs)),
    }
}

/// A preference definition, as read back and as served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Definition {
    pub id: i64,
    pub organisation_id: i64,
    pub preference_code: String,
    pub preference_type: PreferenceType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preference_description: Option<String>,
    pub is_active: bool,
    pub created_at: String,
    pub changed_at: String,
    pub version: i64,
}

impl Definition {
    fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: row.int("id")?,
            organisation_id: row.int("organisation_id")?,
            preference_code: row.text("preference_code")?,
            preference_type: PreferenceType::from_column(&row)?,
            preference_description: row.opt_text("preference_description")?,
            is_active: row.int("is_active")? != 0,
            created_at: row.text("created_at")?,
            changed_at: row.text("changed_at")?,
            version: row.int("version")?,
        })
    }

    fn changed_fields(&self, new: &NewDefinition) -> Vec<&'static str> {
        let differs = [
            ("preferenceCode", self.preference_code != new.preference_code),
            ("preferenceType", self.preference_type != new.preference_type),
            ("preferenceDescription", self.preference_description != new.preference_description),
            ("isActive", self.is_active != new.is_active),
        ];
        differs.into_iter().filter(|(_, d)| *d).map(|(name, _)| name).collect()
    }
}

fn definitions_of(rows: &Rows) -> Result<Vec<Definition>, DbError> {
    rows.iter().map(Definition::from_row).collect()
}

fn definition_params(organisation_id: i64, new: &NewDefinition) -> Vec<Value> {
    vec![
        Value::Integer(organisation_id),
        Value::from(new.preference_code.as_str()),
        Value::from(new.preference_type.code()),
        Value::from(new.preference_description.clone()),
        Value::Integer(i64::from(new.is_active)),
    ]
}

fn duplicate_code() -> ApiError {
    ApiError::conflict(
        ErrorCode::DUPLICATE_PREFERENCE_CODE,
        "preferenceCode",
        "preferenceCode is already used by another preference definition",
    )
}

fn in_use() -> ApiError {
    ApiError::conflict(
        ErrorCode::PREFERENCE_IN_USE,
        "preferenceType",
        "customers hold values for this preference: it cannot be deleted or change its type (deactivate it instead)",
    )
}

/// The organisation's definitions, by code.
pub async fn definitions(db: &impl Db, organisation_id: i64) -> Result<Vec<Definition>, DbError> {
    definitions_of(&db.execute(DEFINITIONS, &[Value::Integer(organisation_id)]).await?)
}

/// One definition of the organisation, or `None` (also another organisation's).
pub async fn definition(db: &impl Db, organisation_id: i64, id: i64) -> Result<Option<Definition>, DbError> {
    Ok(definitions_of(
        &db.execute(DEFINITION, &[Value::Integer(organisation_id), Value::Integer(id)]).await?,
    )?
    .pop())
}

async fn definition_by_code(
    db: &impl Db,
    organisation_id: i64,
    code: &str,
) -> Result<Option<Definition>, DbError> {
    let rows = db.execute(DEFINITION_BY_CODE, &[Value::Integer(organisation_id), Value::from(code)]).await?;
    Ok(definitions_of(&rows)?.pop())
}

/// Adds a definition. Call inside the write transaction.
pub async fn add_definition(
    db: &impl Db,
    actor: &Actor<'_>,
    new: &NewDefinition,
    now: Timestamp,
) -> Result<Definition, ApiError> {
    let mut params = definition_params(actor.organisation_id, new);
    params.push(Value::from(now.rfc3339()));
    let rows = db.execute(INSERT_DEFINITION, &params).await.on_unique(CODE_TAKEN, duplicate_code)?;
    let added = definitions_of(&rows)?.pop().ok_or_else(no_row)?;
    let fields = ["preferenceCode", "preferenceType", "preferenceDescription", "isActive"];
    subresource::record(db, actor, CATALOGUE, "PREFERENCE_DEFINITION_ADDED", &fields, now).await?;
    Ok(added)
}

/// Replaces `current` (read in this transaction, its `If-Match` checked). A type change of
/// a definition customers hold values for is refused.
pub async fn replace_definition(
    db: &impl Db,
    actor: &Actor<'_>,
    current: &Definition,
    new: &NewDefinition,
    now: Timestamp,
) -> Result<Definition, ApiError> {
    if current.preference_type != new.preference_type
        && is_in_use(db, actor.organisation_id, current.id).await?
    {
        return Err(in_use());
    }
    let mut params = definition_params(actor.organisation_id, new);
    params.insert(1, Value::Integer(current.id));
    params.extend([Value::from(now.rfc3339()), Value::Integer(current.version)]);
    let rows = db.execute(REPLACE_DEFINITION, &params).await.on_unique(CODE_TAKEN, duplicate_code)?;
    let replaced = definitions_of(&rows)?.pop().ok_or(ApiError::PreconditionFailed)?;
    let fields = current.changed_fields(new);
    subresource::record(db, actor, CATALOGUE, "PREFERENCE_DEFINITION_CHANGED", &fields, now).await?;
    Ok(replaced)
}

/// Deletes `current` (read in this transaction, its `If-Match` checked), unless customers
/// hold values for it.
pub async fn remove_definition(
    db: &impl Db,
    actor: &Actor<'_>,
    current: &Definition,
    now: Timestamp,
) -> Result<(), ApiError> {
    if is_in_use(db, actor.organisation_id, current.id).await? {
        return Err(in_use());
    }
    let params =
        [Value::Integer(actor.organisation_id), Value::Integer(current.id), Value::Integer(current.version)];
    if db.execute(DELETE_DEFINITION, &params).await?.rows.is_empty() {
        return Err(ApiError::PreconditionFailed);
    }
    subresource::record(db, actor, CATALOGUE, "PREFERENCE_DEFINITION_REMOVED", &[], now).await?;
    Ok(())
}

async fn is_in_use(db: &impl Db, organisation_id: i64, id: i64) -> Result<bool, DbError> {
    let rows = db.execute(DEFINITION_IN_USE, &[Value::Integer(organisation_id), Value::Integer(id)]).await?;
    Ok(rows.first().map(|r| r.int("in_use")).transpose()?.unwrap_or(0) != 0)
}

/// The definition a customer may set a value for: 400 `UNKNOWN_PREFERENCE_CODE` when the
/// organisation has none with that code, 400 `PREFERENCE_INACTIVE` when it is inactive.
pub async fn settable_definition(
    db: &impl Db,
    organisation_id: i64,
    code: &str,
) -> Result<Definition, ApiError> {
    match definition_by_code(db, organisation_id, code).await? {
        None => Err(ApiError::BadRequest {
            code: ErrorCode::UNKNOWN_PREFERENCE_CODE,
            field: Some("preferenceCode".into()),
            message: "the organisation has no preference with this preferenceCode".into(),
        }),
        Some(d) if !d.is_active => Err(ApiError::BadRequest {
            code: ErrorCode::PREFERENCE_INACTIVE,
            field: Some("preferenceCode".into()),
            message: "this preference is inactive and takes no new values".into(),
        }),
        Some(d) => Ok(d),
    }
}

/// The body of `PUT .../preferences/{preferenceCode}`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ValueBody {
    pub value: Option<serde_json::Value>,
}

/// Checks a value against its definition; returns the stored text form.
pub fn checked_value(definition: &Definition, body: ValueBody) -> Result<String, ApiError> {
    let checked = match body.value {
        None => Err(Invalid::new(ErrorCode::REQUIRED, "is required")),
        Some(value) => definition.preference_type.check(&value),
    };
    checked.map_err(|invalid| ApiError::invalid_field("value", invalid))
}

/// A customer's value for one preference, with its definition, as read back and served.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerPreference {
    #[serde(skip)]
    pub preference_id: i64,
    pub preference_code: String,
    pub preference_type: PreferenceType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preference_description: Option<String>,
    pub is_active: bool,
    pub value: serde_json::Value,
    pub created_at: String,
    pub changed_at: String,
    pub version: i64,
}

impl CustomerPreference {
    fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        let preference_type = PreferenceType::from_column(&row)?;
        Ok(Self {
            preference_id: row.int("preference_id")?,
            preference_code: row.text("preference_code")?,
            preference_type,
            preference_description: row.opt_text("preference_description")?,
            is_active: row.int("is_active")? != 0,
            value: preference_type.serve(&row.text("value")?),
            created_at: row.text("created_at")?,
            changed_at: row.text("changed_at")?,
            version: row.int("version")?,
        })
    }
}

fn values_of(rows: &Rows) -> Result<Vec<CustomerPreference>, DbError> {
    rows.iter().map(CustomerPreference::from_row).collect()
}

/// A customer's values, by code.
pub async fn values(
    db: &impl Db,
    organisation_id: i64,
    customer_number: i64,
) -> Result<Vec<CustomerPreference>, DbError> {
    values_of(&db.execute(VALUES, &[Value::Integer(organisation_id), Value::Integer(customer_number)]).await?)
}

/// A customer's value for `code`, or `None`.
pub async fn value(
    db: &impl Db,
    organisation_id: i64,
    customer_number: i64,
    code: &str,
) -> Result<Option<CustomerPreference>, DbError> {
    let params = [Value::Integer(organisation_id), Value::Integer(customer_number), Value::from(code)];
    Ok(values_of(&db.execute(VALUE, &params).await?)?.pop())
}

/// Sets the customer's value (`stored`, from [`checked_value`]) for `definition`; `current`
/// is the value read in this transaction (its `If-Match` checked), if any.
pub async fn set_value(
    db: &impl Db,
    actor: &Actor<'_>,
    customer_number: i64,
    definition: &Definition,
    stored: &str,
    current: Option<&CustomerPreference>,
    now: Timestamp,
) -> Result<CustomerPreference, ApiError> {
    let params = [
        Value::Integer(actor.organisation_id),
        Value::Integer(customer_number),
        Value::Integer(definition.id),
        Value::from(stored),
        Value::from(now.rfc3339()),
    ];
    db.execute(UPSERT_VALUE, &params).await?;
    let saved = value(db, actor.organisation_id, customer_number, &definition.preference_code)
        .await?
        .ok_or_else(no_row)?;
    let (action, fields): (_, &[_]) = match current {
        None => ("PREFERENCE_ADDED", &["value"]),
        Some(c) if c.value != saved.value => ("PREFERENCE_CHANGED", &["value"]),
        Some(_) => ("PREFERENCE_CHANGED", &[]),
    };
    subresource::record(db, actor, customer_number, action, fields, now).await?;
    Ok(saved)
}

/// Deletes the customer's value `current` (read in this transaction, `If-Match` checked).
pub async fn remove_value(
    db: &impl Db,
    actor: &Actor<'_>,
    customer_number: i64,
    current: &CustomerPreference,
    now: Timestamp,
) -> Result<(), ApiError> {
    let row = (current.preference_id, current.version);
    subresource::remove(db, actor, customer_number, DELETE_VALUE, row, "PREFERENCE_REMOVED", now).await
}

/// GDPR export hook: the customer's preference values as the API shows them (a JSON array).
pub async fn export(
    db: &impl Db,
    organisation_id: i64,
    customer_number: i64,
) -> Result<serde_json::Value, DbError> {
    subresource::export_list(values(db, organisation_id, customer_number).await, "preferences")
}

/// Merge hook (`connect`): the values of `from` move to `to`; where both hold a value for
/// the same preference, the target's value wins and the source's is dropped. Call inside
/// the merge's transaction.
pub async fn move_to(db: &impl Db, organisation_id: i64, from: i64, to: i64) -> Result<(), DbError> {
    let params = [Value::Integer(organisation_id), Value::Integer(from), Value::Integer(to)];
    db.execute(MOVE_VALUES, &params).await?;
    db.execute(DROP_VALUES, &params[..2]).await?;
    Ok(())
}

fn no_row() -> ApiError {
    ApiError::Internal(anyhow::anyhow!("a written preference was not read back"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::subresource::testing::{customer, plan, scans_a_table, ORG};
    use crate::test_db::{BlockOn, TestDb};
    use serde_json::json;

    const NOW: Timestamp = Timestamp(1_795_846_663_123);

    fn actor() -> Actor<'static> {
        Actor { organisation_id: ORG, client_id: Some("partner-a") }
    }

    fn body(code: &str, kind: &str) -> DefinitionBody {
        DefinitionBody {
            preference_code: Some(code.into()),
            preference_type: Some(kind.into()),
            ..Default::default()
        }
    }

    fn define(db: &TestDb, code: &str, kind: &str) -> Definition {
        let new = new_definition(body(code, kind), ORG).unwrap();
        db.transaction(async |tx| add_definition(tx, &actor(), &new, NOW).await).block_on().unwrap()
    }

    fn set(
        db: &TestDb,
        n: i64,
        code: &str,
        value: serde_json::Value,
    ) -> Result<CustomerPreference, ApiError> {
        db.transaction(async |tx| {
            let definition = settable_definition(tx, ORG, code).await?;
            let stored = checked_value(&definition, ValueBody { value: Some(value) })?;
            let current = super::value(tx, ORG, n, code).await?;
            set_value(tx, &actor(), n, &definition, &stored, current.as_ref(), NOW).await
        })
        .block_on()
    }

    #[test]
    fn booleans_take_true_or_false_only() {
        let t = PreferenceType::Boolean;
        assert_eq!(t.check(&json!(true)).unwrap(), "true");
        assert_eq!(t.check(&json!(" FALSE ")).unwrap(), "false");
        for bad in [json!(1), json!("yes"), json!(null), json!([true])] {
            assert_eq!(t.check(&bad).unwrap_err().code, "INVALID_PREFERENCE_VALUE", "{bad}");
        }
    }

    #[test]
    fn numbers_are_kept_exactly_as_given() {
        let t = PreferenceType::Number;
        assert_eq!(t.check(&json!(42)).unwrap(), "42");
        assert_eq!(t.check(&json!(-1.5)).unwrap(), "-1.5");
        assert_eq!(t.check(&json!(" 7 ")).unwrap(), "7");
        assert_eq!(t.serve("-1.5"), json!(-1.5));
        for bad in [json!("seven"), json!(true), json!("")] {
            assert_eq!(t.check(&bad).unwrap_err().code, "INVALID_PREFERENCE_VALUE", "{bad}");
        }
    }

    #[test]
    fn strings_are_trimmed_non_blank_and_at_most_500_characters() {
        let t = PreferenceType::Text;
        assert_eq!(t.check(&json!("  vindu  ")).unwrap(), "vindu");
        assert_eq!(t.check(&json!("   ")).unwrap_err().code, "REQUIRED");
        assert_eq!(t.check(&json!("x".repeat(501))).unwrap_err().code, "TOO_LONG");
        assert_eq!(t.check(&json!(5)).unwrap_err().code, "INVALID_PREFERENCE_VALUE");
    }

    #[test]
    fn a_definition_needs_a_path_safe_code_and_a_known_type() {
        let errors = new_definition(body("has space", "COLOUR"), ORG).unwrap_err();
        let codes: Vec<_> = errors.entries().into_iter().map(|e| e.error_code).collect();
        assert_eq!(codes, ["INVALID_PREFERENCE_CODE", "INVALID_PREFERENCE_TYPE"]);
        let mismatched = DefinitionBody { organisation_id: Some(2002), ..body("SEAT", "STRING") };
        assert_eq!(new_definition(mismatched, ORG).unwrap_err().error_code(), "ORGANISATION_MISMATCH");
        let new = new_definition(body("SEAT", "string"), ORG).unwrap();
        assert_eq!((new.preference_type, new.is_active), (PreferenceType::Text, true));
    }

    #[test]
    fn preference_codes_are_unique_per_organisation() {
        let db = TestDb::new();
        define(&db, "SEAT", "STRING");
        let again = new_definition(body("SEAT", "BOOLEAN"), ORG).unwrap();
        let error = db
            .transaction(async |tx| add_definition(tx, &actor(), &again, NOW).await)
            .block_on()
            .unwrap_err();
        assert_eq!(error.error_code(), "DUPLICATE_PREFERENCE_CODE");
        let other = Actor { organisation_id: 2002, client_id: None };
        db.transaction(async |tx| add_definition(tx, &other, &again, NOW).await).block_on().unwrap();
    }

    #[test]
    fn a_value_is_checked_against_its_definitions_type_and_served_typed() {
        let db = TestDb::new();
        let n = customer(&db, ORG);
        define(&db, "NEWSLETTER", "BOOLEAN");
        assert_eq!(set(&db, n, "NEWSLETTER", json!("ja")).unwrap_err().status(), 400);
        let saved = set(&db, n, "NEWSLETTER", json!(true)).unwrap();
        assert_eq!((saved.value.clone(), saved.version), (json!(true), 1));
        let changed = set(&db, n, "NEWSLETTER", json!(false)).unwrap();
        assert_eq!((changed.value, changed.version), (json!(false), 2));
        assert_eq!(values(&db, ORG, n).block_on().unwrap().len(), 1);
    }

    #[test]
    fn unknown_and_inactive_codes_take_no_values() {
        let db = TestDb::new();
        let n = customer(&db, ORG);
        assert_eq!(set(&db, n, "NOPE", json!(true)).unwrap_err().error_code(), "UNKNOWN_PREFERENCE_CODE");
        let inactive = DefinitionBody { is_active: Some(false), ..body("OLD", "BOOLEAN") };
        let new = new_definition(inactive, ORG).unwrap();
        db.transaction(async |tx| add_definition(tx, &actor(), &new, NOW).await).block_on().unwrap();
        assert_eq!(set(&db, n, "OLD", json!(true)).unwrap_err().error_code(), "PREFERENCE_INACTIVE");
        let foreign = Actor { organisation_id: 2002, client_id: None };
        let theirs = new_definition(body("THEIRS", "BOOLEAN"), 2002).unwrap();
        db.transaction(async |tx| add_definition(tx, &foreign, &theirs, NOW).await).block_on().unwrap();
        assert_eq!(set(&db, n, "THEIRS", json!(true)).unwrap_err().error_code(), "UNKNOWN_PREFERENCE_CODE");
    }

    #[test]
    fn a_definition_in_use_can_neither_be_deleted_nor_change_its_type() {
        let db = TestDb::new();
        let n = customer(&db, ORG);
        let definition = define(&db, "SEAT", "STRING");
        set(&db, n, "SEAT", json!("window")).unwrap();
        let error = db
            .transaction(async |tx| remove_definition(tx, &actor(), &definition, NOW).await)
            .block_on()
            .unwrap_err();
        assert_eq!(error.error_code(), "PREFERENCE_IN_USE");
        let retyped = new_definition(body("SEAT", "BOOLEAN"), ORG).unwrap();
        let error = db
            .transaction(async |tx| replace_definition(tx, &actor(), &definition, &retyped, NOW).await)
            .block_on()
            .unwrap_err();
        assert_eq!(error.error_code(), "PREFERENCE_IN_USE");
        let retired =
            new_definition(DefinitionBody { is_active: Some(false), ..body("SEAT", "STRING") }, ORG).unwrap();
        let replaced = db
            .transaction(async |tx| replace_definition(tx, &actor(), &definition, &retired, NOW).await)
            .block_on()
            .unwrap();
        assert_eq!((replaced.is_active, replaced.version), (false, 2));
        assert_eq!(
            values(&db, ORG, n).block_on().unwrap()[0].value,
            json!("window"),
            "existing values stay readable"
        );
    }

    #[test]
    fn an_unused_definition_is_deleted() {
        let db = TestDb::new();
        let definition = define(&db, "SEAT", "STRING");
        db.transaction(async |tx| remove_definition(tx, &actor(), &definition, NOW).await)
            .block_on()
            .unwrap();
        assert_eq!(super::definition(&db, ORG, definition.id).block_on().unwrap(), None);
    }

    #[test]
    fn merging_keeps_the_targets_value_where_both_have_one() {
        let db = TestDb::new();
        let (from, to) = (customer(&db, ORG), customer(&db, ORG));
        define(&db, "SEAT", "STRING");
        define(&db, "NEWSLETTER", "BOOLEAN");
        set(&db, from, "SEAT", json!("aisle")).unwrap();
        set(&db, from, "NEWSLETTER", json!(true)).unwrap();
        set(&db, to, "SEAT", json!("window")).unwrap();
        move_to(&db, ORG, from, to).block_on().unwrap();
        assert!(values(&db, ORG, from).block_on().unwrap().is_empty());
        let merged = export(&db, ORG, to).block_on().unwrap();
        assert_eq!(merged[0]["preferenceCode"], "NEWSLETTER");
        assert_eq!(merged[0]["value"], true);
        assert_eq!(merged[1]["value"], "window");
    }

    #[test]
    fn erasing_the_customer_erases_the_values() {
        let db = TestDb::new();
        let n = customer(&db, ORG);
        define(&db, "SEAT", "STRING");
        set(&db, n, "SEAT", json!("aisle")).unwrap();
        db.execute("DELETE FROM customer WHERE customer_number = ?1", &[Value::Integer(n)])
            .block_on()
            .unwrap();
        assert_eq!(db.execute("SELECT * FROM customer_preference", &[]).block_on().unwrap().rows.len(), 0);
    }

    #[test]
    fn every_lookup_uses_an_index() {
        let db = TestDb::new();
        for sql in [DEFINITIONS, DEFINITION_BY_CODE] {
            assert!(plan(&db, sql).contains("preference_definition_code_unique"), "{}", plan(&db, sql));
        }
        assert!(plan(&db, DEFINITION).contains("INTEGER PRIMARY KEY"), "{}", plan(&db, DEFINITION));
        assert!(!plan(&db, DEFINITIONS).contains("TEMP B-TREE"), "the index gives the order");
        assert!(plan(&db, DEFINITION_IN_USE).contains("customer_preference_definition"));
        let cascades = [
            "DELETE FROM customer_preference WHERE customer_number = ?1",
            "SELECT 1 FROM customer_preference WHERE preference_id = ?1",
        ];
        for sql in [VALUES, VALUE, UPSERT_VALUE, DELETE_VALUE, MOVE_VALUES, DROP_VALUES, DEFINITION_IN_USE]
            .into_iter()
            .chain(cascades)
        {
            assert!(!scans_a_table(&db, sql), "{sql}\n{}", plan(&db, sql));
        }
    }
}
