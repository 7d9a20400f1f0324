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

mod definition;
pub mod sql;
mod value;

pub use definition::*;
pub use value::*;

use crate::db::{Db, DbError, Row, Value};
use crate::subresource;
use errors::{ApiError, ErrorCode, Invalid};
use serde::Serialize;
use sql::*;

/// How a definition's values are checked and served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema), schemars(inline))]
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
    /// Every type, in the order [`code`](Self::code)s are listed.
    pub const ALL: [Self; 3] = [Self::Boolean, Self::Text, Self::Number];

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
            (Self::Text, Json::String(s)) => crate::text::bounded(s.trim(), MAX_STRING_VALUE),
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
mod tests;
