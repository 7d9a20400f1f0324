//! Optimistic concurrency (contract §1): single resources carry an `ETag` (their version);
//! PUT, PATCH and DELETE accept `If-Match`, and a stale one is 412. Without `If-Match` the
//! write goes through (Entur's clients do not send it).

use errors::ApiError;
use http::Request;

/// The strong ETag of a version.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version `If-Match` names, if the header is present. `*` matches any version.
/// The caller compares it with the current version inside its write transaction (or puts it
/// in the `UPDATE ... WHERE version = ?`), so a concurrent write cannot slip between.
pub fn if_match<B>(req: &Request<B>) -> Result<Option<i64>, ApiError> {
    let Some(raw) = crate::header(req, "if-match") else { return Ok(None) };
    let raw = raw.trim();
    if raw == "*" {
        return Ok(None);
    }
    let unquoted = raw.trim_start_matches("W/").trim_matches('"');
    unquoted.parse::<i64>().map(Some).map_err(|_| ApiError::PreconditionFailed)
}

/// 412 unless `If-Match` (if any) names `current`.
pub fn check_if_match<B>(req: &Request<B>, current: i64) -> Result<(), ApiError> {
    match if_match(req)? {
        Some(expected) if expected != current => Err(ApiError::PreconditionFailed),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_if_match(value: &str) -> Request<()> {
        Request::put("/x").header("if-match", value).body(()).unwrap()
    }

    #[test]
    fn a_matching_or_absent_if_match_passes() {
        assert!(check_if_match(&with_if_match("\"3\""), 3).is_ok());
        assert!(check_if_match(&with_if_match("W/\"3\""), 3).is_ok());
        assert!(check_if_match(&with_if_match("*"), 3).is_ok());
        assert!(check_if_match(&Request::put("/x").body(()).unwrap(), 3).is_ok());
    }

    #[test]
    fn a_stale_or_unreadable_if_match_is_412() {
        assert_eq!(check_if_match(&with_if_match("\"2\""), 3).unwrap_err().status(), 412);
        assert_eq!(check_if_match(&with_if_match("\"abc\""), 3).unwrap_err().status(), 412);
    }
}
