//! The problem+json body (RFC 9457, a superset of Entur's ErrorResponse), rendered once.

use crate::{ApiError, FieldError};
use serde::Serialize;

/// Base of the `type` URIs; each errorCode has a page of its own in the OpenAPI document.
const TYPE_BASE: &str = "https://customers-api.dev/errors/";

/// The most characters of a correlation id the service echoes (`X-Correlation-Id`).
pub const CORRELATION_ID_MAX: usize = 128;

/// What the body says about the request that failed.
pub struct ProblemContext<'a> {
    pub path: &'a str,
    pub timestamp: &'a str,
    pub correlation_id: &'a str,
}

/// The body of an error response. Its members are in alphabetical order, the order they had
/// when the body was a `serde_json::Value` (whose map is sorted), so the bytes are the same.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(
        rename = "Problem",
        description = "Every error: RFC 9457 problem details and Entur's `ErrorResponse` members in one body, served as `application/problem+json`. A 5xx never carries internal details.",
        extend("additionalProperties" = false)
    )
)]
pub struct Problem<'a> {
    /// The response's `X-Correlation-Id`.
    #[cfg_attr(feature = "openapi", schemars(length(min = 1, max = CORRELATION_ID_MAX)))]
    pub correlation_id: &'a str,
    /// What went wrong, for people (the entries' messages joined for a 400).
    pub detail: String,
    /// The reason phrase (Entur's member).
    #[cfg_attr(feature = "openapi", schemars(transform = schema::reason_phrases))]
    pub error: &'static str,
    /// One entry per bad field for a 400 with field errors, else one entry for the error.
    #[cfg_attr(feature = "openapi", schemars(length(min = 1)))]
    pub errors: Vec<FieldError>,
    /// The request path.
    #[cfg_attr(feature = "openapi", schemars(length(min = 1)))]
    pub instance: &'a str,
    /// Same as `detail` (Entur's member).
    pub message: String,
    /// The request path (Entur's member).
    #[cfg_attr(feature = "openapi", schemars(length(min = 1)))]
    pub path: &'a str,
    /// The HTTP status.
    #[cfg_attr(feature = "openapi", schemars(with = "i32", range(min = 400, max = 599)))]
    pub status: u16,
    #[cfg_attr(feature = "openapi", schemars(schema_with = "schema::timestamp"))]
    pub timestamp: &'a str,
    /// The status's reason phrase.
    #[cfg_attr(feature = "openapi", schemars(transform = schema::reason_phrases))]
    pub title: &'static str,
    /// `https://customers-api.dev/errors/` and the error's code, lower case with dashes.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schemars(transform = schema::type_uri))]
    pub kind: String,
}

/// The body of an error response.
pub fn problem_body<'a>(error: &ApiError, ctx: &ProblemContext<'a>) -> Problem<'a> {
    let status = error.status();
    let title = reason_phrase(status);
    let detail = error.detail();
    Problem {
        kind: format!("{TYPE_BASE}{}", error.error_code().to_ascii_lowercase().replace('_', "-")),
        title,
        status,
        message: detail.clone(),
        detail,
        instance: ctx.path,
        path: ctx.path,
        error: title,
        timestamp: ctx.timestamp,
        correlation_id: ctx.correlation_id,
        errors: error.entries(),
    }
}

/// The schema's parts that follow from the code here (feature `openapi`).
#[cfg(feature = "openapi")]
mod schema {
    use super::{reason_phrase, TYPE_BASE};
    use crate::ErrorCode;
    use schemars::{json_schema, Schema, SchemaGenerator};

    /// `title` and `error`: the reason phrases of the statuses the error codes have.
    pub fn reason_phrases(s: &mut Schema) {
        let mut statuses: Vec<u16> = ErrorCode::ALL.iter().map(|c| c.status()).collect();
        statuses.sort_unstable();
        statuses.dedup();
        let phrases: Vec<&str> = statuses.into_iter().map(reason_phrase).collect();
        s.insert("enum".into(), phrases.into());
    }

    /// `type`: [`TYPE_BASE`] and a code in lower case with dashes.
    pub fn type_uri(s: &mut Schema) {
        let base = TYPE_BASE.replace('-', r"\-").replace('.', r"\.");
        s.insert("pattern".into(), format!("^{base}[a-z0-9-]+$").into());
        s.insert("format".into(), "uri".into());
    }

    /// `timestamp`: the `Timestamp` schema of the document.
    pub fn timestamp(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"$ref": "#/components/schemas/Timestamp"})
    }
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn the_body_carries_both_entur_and_rfc_9457_members() {
        let error = ApiError::conflict(
            ErrorCode::DUPLICATE_EMAIL,
            "email",
            "email is already used by another profile",
        );
        let ctx = ProblemContext { path: "/customers/v2/profiles", timestamp: "t", correlation_id: "c" };
        let body = serde_json::to_value(problem_body(&error, &ctx)).unwrap();
        assert_eq!(body["type"], "https://customers-api.dev/errors/duplicate-email");
        assert_eq!(body["status"], 409);
        assert_eq!(body["title"], "Conflict");
        assert_eq!(body["error"], "Conflict");
        assert_eq!(body["message"], body["detail"]);
        assert_eq!(body["instance"], "/customers/v2/profiles");
        assert_eq!(body["errors"][0]["errorCode"], "DUPLICATE_EMAIL");
        assert_eq!(body["errors"][0]["field"], "email");
        assert_eq!(body["correlationId"], "c");
    }

    #[test]
    fn the_members_are_in_the_order_of_a_sorted_json_object() {
        let errors = [
            ApiError::NotFound,
            ApiError::conflict(ErrorCode::DUPLICATE_EMAIL, "email", "email is already used"),
        ];
        for error in errors {
            let ctx = ProblemContext { path: "/p", timestamp: "t", correlation_id: "c" };
            let body = problem_body(&error, &ctx);
            let value = serde_json::to_value(&body).unwrap();
            assert_eq!(serde_json::to_vec(&body).unwrap(), serde_json::to_vec(&value).unwrap());
        }
    }
}
