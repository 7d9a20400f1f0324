//! Long lists (contract §1): `limit` (or a resource's own name for it), an opaque keyset
//! `cursor`, and the next page announced in `Link: <…&cursor=…>; rel="next"`. A cursor is
//! the key of the last item seen, so pages stay stable under concurrent inserts.

use crate::{Param, Query};
use errors::{ApiError, ErrorCode, Invalid};
use http::{HeaderValue, Request, Response};

/// `limit` and `cursor`, the parameters of a long list.
pub const PARAMS: [Param; 2] = [Param::One("limit"), Param::One("cursor")];

/// Cursors carry a prefix so a cursor of one list is not mistaken for another's.
const CURSOR_PREFIX: &str = "k1.";

/// An opaque cursor for the key of the last item of a page.
pub fn encode_cursor(last_key: i64) -> String {
    let hex: String = format!("{last_key:x}").chars().rev().collect();
    format!("{CURSOR_PREFIX}{hex}")
}

/// The key a cursor stands for; a cursor we did not make is a 400.
pub fn decode_cursor(cursor: &str) -> Result<i64, ApiError> {
    cursor
        .strip_prefix(CURSOR_PREFIX)
        .map(|hex| hex.chars().rev().collect::<String>())
        .and_then(|hex| i64::from_str_radix(&hex, 16).ok())
        .filter(|key| *key >= 0)
        .ok_or_else(|| {
            ApiError::invalid_field(
                "cursor",
                Invalid::new(ErrorCode::INVALID_CURSOR, "is not a cursor this API issued"),
            )
        })
}

/// The page size from the parameter `name`: `default` when absent, 1 to `max`, else 400.
pub fn limit(query: &Query, name: &str, default: i64, max: i64) -> Result<i64, ApiError> {
    match query.one(name) {
        None => Ok(default),
        Some(raw) => match raw.parse::<i64>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::invalid_field(
                name,
                Invalid::new(ErrorCode::INVALID_LIMIT, format!("must be a whole number from 1 to {max}")),
            )),
        },
    }
}

/// The key after which the page starts: from `cursor`, else 0. An empty `cursor` counts as
/// absent (contract §1: an empty optional value is no value).
pub fn after(query: &Query) -> Result<i64, ApiError> {
    after_in(query, "cursor")
}

/// [`after`] from the parameter `name` (the change feed's is `after`).
pub fn after_in(query: &Query, name: &str) -> Result<i64, ApiError> {
    match query.one(name) {
        None => Ok(0),
        Some(cursor) => decode_cursor(cursor).map_err(|_| {
            ApiError::invalid_field(
                name,
                Invalid::new(ErrorCode::INVALID_CURSOR, "is not a cursor this API issued"),
            )
        }),
    }
}

/// Adds `Link: <path?…&cursor=…>; rel="next"` for the page after `last_key`, keeping every
/// other query parameter of the request.
pub fn link_next<B>(req: &Request<B>, response: &mut Response<Vec<u8>>, last_key: i64) {
    link_next_in(req, response, "cursor", last_key)
}

/// [`link_next`] with the cursor in the parameter `cursor_name`.
pub fn link_next_in<B>(req: &Request<B>, response: &mut Response<Vec<u8>>, cursor_name: &str, last_key: i64) {
    let mut query = form_urlencoded::Serializer::new(String::new());
    let raw = req.uri().query().unwrap_or("");
    for (name, value) in crate::query::decode(raw).filter(|(k, _)| k != cursor_name) {
        query.append_pair(&name, &value);
    }
    query.append_pair(cursor_name, &encode_cursor(last_key));
    let link = format!("<{}?{}>; rel=\"next\"", req.uri().path(), query.finish());
    if let Ok(value) = HeaderValue::from_str(&link) {
        response.headers_mut().insert("link", value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        assert_eq!(decode_cursor(&encode_cursor(12345)).unwrap(), 12345);
        assert_eq!(decode_cursor("12345").unwrap_err().status(), 400);
        assert_eq!(decode_cursor("k1.zz").unwrap_err().status(), 400);
    }

    #[test]
    fn an_empty_cursor_is_the_first_page() {
        let query = |value: &str| Query::parse(&format!("cursor={value}"), &PARAMS).unwrap();
        assert_eq!(after(&query("")).unwrap(), 0);
        assert_eq!(after(&query("%20%20")).unwrap(), 0);
        assert_eq!(after(&Query::default()).unwrap(), 0);
        assert_eq!(after(&query("x")).unwrap_err().status(), 400);
    }

    #[test]
    fn limits_default_and_are_bounded() {
        let q = |v: &str| Query::parse(&format!("maxResultSet={v}"), &[Param::One("maxResultSet")]).unwrap();
        assert_eq!(limit(&Query::default(), "maxResultSet", 100, 1000).unwrap(), 100);
        assert_eq!(limit(&q(""), "maxResultSet", 100, 1000).unwrap(), 100);
        assert_eq!(limit(&q("1000"), "maxResultSet", 100, 1000).unwrap(), 1000);
        for bad in ["1001", "0", "-1", "ten"] {
            assert_eq!(limit(&q(bad), "maxResultSet", 100, 1000).unwrap_err().status(), 400, "{bad}");
        }
    }

    #[test]
    fn the_next_link_keeps_the_query_and_replaces_the_cursor() {
        let req = Request::get("/customers/v2/profiles?surname=%C3%86rlig&cursor=k1.1").body(()).unwrap();
        let mut response = Response::new(Vec::new());
        link_next(&req, &mut response, 42);
        let link = response.headers()["link"].to_str().unwrap();
        assert_eq!(link, "</customers/v2/profiles?surname=%C3%86rlig&cursor=k1.a2>; rel=\"next\"");
    }
}
