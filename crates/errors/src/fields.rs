//! Per-field validation errors. A parser returns an [`Invalid`] (code and message); the
//! caller adds the field name, so one 400 can name every bad field at once.

use crate::ErrorCode;
use serde::Serialize;

/// Why a value was refused: a stable code and a message, without the field name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub code: ErrorCode,
    pub message: String,
}

impl Invalid {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

/// One entry of the `errors` array of the problem body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(rename = "FieldError", description = "", extend("additionalProperties" = false))
)]
pub struct FieldError {
    #[cfg_attr(feature = "openapi", schemars(schema_with = "error_code_reference"))]
    pub error_code: ErrorCode,
    /// The field or parameter concerned (`postalAddresses[1].postCode`, `[2].consentId` in a
    /// bulk request), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String"))]
    pub field: Option<String>,
    pub message: String,
}

/// `errorCode`: the `ErrorCode` schema, which openapi-gen writes from [`ErrorCode::ALL`].
#[cfg(feature = "openapi")]
fn error_code_reference(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"$ref": "#/components/schemas/ErrorCode"})
}

impl FieldError {
    pub fn new(code: ErrorCode, field: Option<String>, message: String) -> Self {
        Self { error_code: code, field, message }
    }
}

/// The field errors collected while parsing one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// Records that `field` is invalid.
    pub fn push(&mut self, field: &str, invalid: Invalid) {
        let message = format!("{field} {}", invalid.message);
        self.0.push(FieldError::new(invalid.code, Some(field.to_owned()), message));
    }

    /// Parses a required value: absent or blank is `REQUIRED`.
    pub fn required<T>(
        &mut self,
        field: &str,
        raw: Option<String>,
        parse: impl FnOnce(&str) -> Result<T, Invalid>,
    ) -> Option<T> {
        match raw.as_deref().map(str::trim) {
            None | Some("") => {
                self.push(field, Invalid::new(ErrorCode::REQUIRED, "is required"));
                None
            }
            Some(value) => self.check(field, parse(value)),
        }
    }

    /// Parses an optional value; a blank string counts as absent (contract §1).
    pub fn optional<T>(
        &mut self,
        field: &str,
        raw: Option<String>,
        parse: impl FnOnce(&str) -> Result<T, Invalid>,
    ) -> Option<T> {
        match raw.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(value) => self.check(field, parse(value)),
        }
    }

    /// Keeps the value or records its error.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, Invalid>) -> Option<T> {
        parsed.map_err(|invalid| self.push(field, invalid)).ok()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn entries(&self) -> &[FieldError] {
        &self.0
    }

    /// `Err(self)` when anything was recorded.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }

    /// One sentence for `detail`: the messages joined.
    pub fn summary(&self) -> String {
        let messages: Vec<&str> = self.0.iter().map(|e| e.message.as_str()).collect();
        if messages.is_empty() {
            "the request is invalid".into()
        } else {
            messages.join("; ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn non_empty(s: &str) -> Result<String, Invalid> {
        if s.len() > 3 {
            Err(Invalid::new(ErrorCode::TOO_LONG, "is longer than 3 characters"))
        } else {
            Ok(s.to_owned())
        }
    }

    #[test]
    fn a_blank_required_value_is_reported_as_required() {
        let mut errors = FieldErrors::default();
        assert_eq!(errors.required("surname", Some("  ".into()), non_empty), None);
        assert_eq!(errors.entries()[0].error_code, "REQUIRED");
        assert_eq!(errors.entries()[0].field.as_deref(), Some("surname"));
    }

    #[test]
    fn a_blank_optional_value_counts_as_absent() {
        let mut errors = FieldErrors::default();
        assert_eq!(errors.optional("email", Some(" ".into()), non_empty), None);
        assert!(errors.is_empty());
    }

    #[test]
    fn values_are_trimmed_before_parsing() {
        let mut errors = FieldErrors::default();
        assert_eq!(errors.required("x", Some(" abc ".into()), non_empty), Some("abc".into()));
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut errors = FieldErrors::default();
        errors.required("firstName", None, non_empty);
        errors.optional("email", Some("abcdef".into()), non_empty);
        let fields: Vec<_> = errors.entries().iter().map(|e| e.field.clone().unwrap()).collect();
        assert_eq!(fields, ["firstName", "email"]);
        assert!(errors.summary().contains("email is longer"));
    }
}
