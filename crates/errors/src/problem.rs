//! The problem+json body (RFC 9457, a superset of Entur's ErrorResponse), rendered once.

use crate::ApiError;
use serde_json::{json, Value};

/// Base of the `type` URIs; each errorCode has a page of its own in the OpenAPI document.
const TYPE_BASE: &str = "https://customers-api.dev/errors/";

/// What the body says about the request that failed.
pub struct ProblemContext<'a> {
    pub path: &'a str,
    pub timestamp: &'a str,
    pub correlation_id: &'a str,
}

/// The body of an error response.
pub fn problem_body(error: &ApiError, ctx: &ProblemContext<'_>) -> Value {
    let status = error.status();
    let title = reason_phrase(status);
    let detail = error.detail();
    json!({
        "type": format!("{TYPE_BASE}{}", error.error_code().to_ascii_lowercase().replace('_', "-")),
        "title": title,
        "status": status,
        "detail": detail,
        "instance": ctx.path,
        "path": ctx.path,
        "error": title,
        "message": detail,
        "timestamp": ctx.timestamp,
        "correlationId": ctx.correlation_id,
        "errors": error.entries(),
    })
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
        let body = problem_body(&error, &ctx);
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
}
