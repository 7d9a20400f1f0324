//! HTTP plumbing every component shares (contract §1): the request context (correlation id,
//! client name, clock), JSON bodies (415/413/400 naming the field), query strings (one policy),
//! responses with the common headers, problem+json for errors, CORS, and the one log line
//! per request. Plain `http` types: no Spin here.

mod body;
mod cors;
pub mod deprecation;
pub mod idempotency;
mod operation;
pub mod paging;
mod precondition;
mod query;
mod respond;
pub mod router;
pub mod static_files;

pub use body::{from_json_value, json, BodyTooLarge, MAX_BODY_BYTES};
pub use cors::Cors;
pub use operation::{op, Access, Body, Operation};
pub use precondition::{check_if_match, etag, if_match};
pub use query::{Param, Query};
pub use respond::{
    created, json_response, no_content, respond, set_etag, set_location, write_log_line, RequestCtx,
};
pub use router::{dispatch, route, Call, Handler, Params, Route};

/// What a handler returns.
pub type Answer = Result<http::Response<Vec<u8>>, errors::ApiError>;

use http::Request;

/// The non-empty segments of the request path: `/customers/v2/profiles/7` →
/// `["customers", "v2", "profiles", "7"]`. Routing matches on these slices.
pub fn segments<B>(req: &Request<B>) -> Vec<&str> {
    req.uri().path().split('/').filter(|s| !s.is_empty()).collect()
}

/// A header's value as text, if present and readable.
pub fn header<'a, B>(req: &'a Request<B>, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The operation needs `permission`: 403 `MISSING_PERMISSION` without it.
pub fn require(caller: &auth::Caller, permission: auth::Permission) -> Result<(), errors::ApiError> {
    if caller.has(permission) {
        Ok(())
    } else {
        Err(errors::ApiError::MissingPermission(permission.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_ignore_empty_parts() {
        let req = Request::get("/customers//v2/profiles/7/?x=1").body(()).unwrap();
        assert_eq!(segments(&req), ["customers", "v2", "profiles", "7"]);
    }
}
