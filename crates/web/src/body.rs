//! JSON request bodies, checked once: media type (415), size (413), shape (400 naming the
//! field, unknown fields included).

use errors::{ApiError, ErrorCode};
use http::Request;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The largest body the API accepts (contract §1).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Marks a request whose body was cut off at the limit by the component glue, which reads
/// at most `MAX_BODY_BYTES + 1` bytes rather than buffering whatever a client sends.
#[derive(Debug, Clone, Copy)]
pub struct BodyTooLarge;

/// Parses the body as `T`. Accepts `application/json`, and for a PATCH also
/// `application/merge-patch+json` (contract §1: a merge patch is a PATCH's body, so a POST or
/// PUT sent as one is 415, as is any other type), with or without parameters such as charset.
pub fn json<T: DeserializeOwned>(req: &Request<Vec<u8>>) -> Result<T, ApiError> {
    from_json_value(json_value(req)?)
}

/// The checks and the parse of [`json`] that do not depend on `T`: one copy, not one per body
/// type (the components' size budget counts every copy).
#[inline(never)]
fn json_value(req: &Request<Vec<u8>>) -> Result<Value, ApiError> {
    let media_type = crate::header(req, "content-type")
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .unwrap_or_default();
    let merge_patch = req.method() == http::Method::PATCH && media_type == "application/merge-patch+json";
    if media_type != "application/json" && !merge_patch {
        return Err(ApiError::UnsupportedMediaType);
    }
    if req.extensions().get::<BodyTooLarge>().is_some() || req.body().len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    // Parsing into a `Value` first is shared code for every body type; each type then has
    // one `Deserialize` instantiation (from `&Value`), which keeps the components small.
    serde_json::from_slice(req.body()).map_err(|e| shape_error(None, e))
}

/// Reads an already parsed JSON value as `T` (a body, or a merge-patched document), with
/// the same 400s as [`json`].
pub fn from_json_value<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    T::deserialize(&value).map_err(|e| shape_error(culprit::<T>(&value), e))
}

/// The member of a JSON object that makes it fail to read as `T`, tried one member at a
/// time (a member is the culprit when it fails alone for another reason than a missing
/// field). Runs only on the error path.
fn culprit<T: DeserializeOwned>(value: &Value) -> Option<String> {
    let Value::Object(members) = value else { return None };
    members
        .iter()
        .find(|(name, member)| {
            let alone = Value::Object([((*name).clone(), (*member).clone())].into_iter().collect());
            T::deserialize(&alone).is_err_and(|e| !e.to_string().starts_with("missing field"))
        })
        .map(|(name, _)| name.clone())
}

fn shape_error(field: Option<String>, error: serde_json::Error) -> ApiError {
    let text = error.to_string();
    // "unknown field `foo`, expected one of ..." names the field itself.
    if let Some(unknown) = text.strip_prefix("unknown field `").and_then(|rest| rest.split('`').next()) {
        return ApiError::BadRequest {
            code: ErrorCode::UNKNOWN_FIELD,
            field: Some(unknown.to_owned()),
            message: format!("unknown field {unknown}"),
        };
    }
    // serde's text names types and positions, never values the client did not send.
    let reason = text.split(" at line ").next().unwrap_or("invalid JSON").to_owned();
    let message = match &field {
        Some(f) => format!("{f}: {reason}"),
        None => format!("the body is not valid JSON: {reason}"),
    };
    ApiError::BadRequest { code: ErrorCode::INVALID_JSON, field, message }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Body {
        first_name: Option<String>,
        organisation_id: Option<i64>,
    }

    fn request(content_type: &str, body: &str) -> Request<Vec<u8>> {
        with_method("POST", content_type, body)
    }

    fn with_method(method: &str, content_type: &str, body: &str) -> Request<Vec<u8>> {
        Request::builder()
            .method(method)
            .uri("/x")
            .header("content-type", content_type)
            .body(body.as_bytes().to_vec())
            .unwrap()
    }

    #[test]
    fn a_non_json_media_type_is_415() {
        let error = json::<Body>(&request("text/plain", "{}")).unwrap_err();
        assert_eq!(error.status(), 415);
    }

    #[test]
    fn json_with_charset_is_accepted_and_a_merge_patch_only_in_a_patch() {
        assert!(json::<Body>(&request("application/json; charset=utf-8", "{}")).is_ok());
        assert!(json::<Body>(&with_method("PATCH", "application/merge-patch+json", "{}")).is_ok());
        assert!(json::<Body>(&with_method("PATCH", "Application/JSON", "{}")).is_ok());
        for method in ["POST", "PUT"] {
            let error = json::<Body>(&with_method(method, "application/merge-patch+json", "{}")).unwrap_err();
            assert_eq!(error.status(), 415, "{method}");
        }
        for other in ["application/problem+json", "application/vnd.api+json", "text/json", ""] {
            let error = json::<Body>(&with_method("PATCH", other, "{}")).unwrap_err();
            assert_eq!(error.status(), 415, "{other:?}");
        }
    }

    #[test]
    fn a_body_over_64_kib_is_413() {
        let big = format!("{{\"firstName\":\"{}\"}}", "a".repeat(MAX_BODY_BYTES));
        assert_eq!(json::<Body>(&request("application/json", &big)).unwrap_err().status(), 413);
        let mut cut = request("application/json", "{}");
        cut.extensions_mut().insert(BodyTooLarge);
        assert_eq!(json::<Body>(&cut).unwrap_err().status(), 413);
    }

    #[test]
    fn an_unknown_field_is_named() {
        let error = json::<Body>(&request("application/json", r#"{"password2":"x"}"#)).unwrap_err();
        assert_eq!(error.error_code(), "UNKNOWN_FIELD");
        assert_eq!(error.entries()[0].field.as_deref(), Some("password2"));
    }

    #[test]
    fn a_wrong_type_names_its_field() {
        let error = json::<Body>(&request("application/json", r#"{"organisationId":"x"}"#)).unwrap_err();
        assert_eq!(error.error_code(), "INVALID_JSON");
        assert_eq!(error.entries()[0].field.as_deref(), Some("organisationId"));
    }

    #[test]
    fn malformed_json_and_trailing_garbage_are_400() {
        assert_eq!(json::<Body>(&request("application/json", "{")).unwrap_err().status(), 400);
        assert_eq!(json::<Body>(&request("application/json", "{} x")).unwrap_err().status(), 400);
        assert_eq!(json::<Body>(&request("application/json", "[]")).unwrap_err().status(), 400);
    }
}
