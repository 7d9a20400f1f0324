//! A customer's value for each preference definition.

use super::sql::*;
use super::{no_row, Definition, PreferenceType};
#[cfg(feature = "openapi")]
use super::{CODE_MAX, CODE_PUNCTUATION, DESCRIPTION_MAX};
use crate::audit::Actor;
use crate::db::{Db, DbError, Row, Rows, Value};
use crate::subresource;
use crate::time::Timestamp;
#[cfg(feature = "openapi")]
use crate::wire_schema;
use errors::{ApiError, ErrorCode, Invalid};
use serde::{Deserialize, Serialize};

/// The body of `PUT .../preferences/{preferenceCode}`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(rename = "PreferenceValueRequest", description = "")
)]
pub struct ValueBody {
    /// `BOOLEAN`: `true`/`false` (or the strings); `NUMBER`: a number (or a string holding
    /// one); `STRING`: a non-blank string of at most 500 characters (trimmed).
    #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::scalar))]
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
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(
        description = "A profile's value for one of the organisation's preference definitions.",
        extend("additionalProperties" = false)
    )
)]
pub struct CustomerPreference {
    #[serde(skip)]
    pub preference_id: i64,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::stored_code_of(CODE_PUNCTUATION, CODE_MAX)))]
    pub preference_code: String,
    /// How values are checked and served.
    pub preference_type: PreferenceType,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", length(max = DESCRIPTION_MAX)))]
    pub preference_description: Option<String>,
    /// Whether the definition takes new values.
    pub is_active: bool,
    /// `BOOLEAN`: a boolean; `NUMBER`: a number; `STRING`: a string.
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::scalar))]
    pub value: serde_json::Value,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    pub created_at: String,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    pub changed_at: String,
    /// The resource's version; its `ETag` is this number in quotes.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
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
