//! CORS (contract §2): the API is for services, not browsers. No `Access-Control-Allow-*`
//! header is sent unless the request's `Origin` is in the configured allow-list (empty by
//! default); a preflight from any other origin gets 403.

use errors::ApiError;
use http::{HeaderValue, Request, Response};

const ALLOW_METHODS: &str = "GET, POST, PUT, PATCH, DELETE";
const ALLOW_HEADERS: &str =
    "Authorization, Content-Type, If-Match, Idempotency-Key, X-Correlation-Id, ET-Client-Name";
const EXPOSE_HEADERS: &str =
    "ETag, Location, Link, X-Correlation-Id, Idempotent-Replayed, Deprecation, Sunset";

/// The origins allowed to call from a browser (`cors_allowed_origins`).
#[derive(Debug, Clone, Default)]
pub struct Cors {
    allowed: Vec<String>,
}

impl Cors {
    /// From the comma-separated setting; blanks are ignored.
    pub fn from_setting(setting: &str) -> Self {
        let allowed = setting
            .split(',')
            .map(|o| o.trim().trim_end_matches('/').to_owned())
            .filter(|o| !o.is_empty())
            .collect();
        Self { allowed }
    }

    fn allowed_origin<'a, B>(&self, req: &'a Request<B>) -> Option<&'a str> {
        crate::header(req, "origin").filter(|origin| self.allowed.iter().any(|a| a == origin))
    }

    /// Answers a CORS preflight (`OPTIONS` with `Origin` and
    /// `Access-Control-Request-Method`); `None` for every other request.
    pub fn preflight<B>(&self, req: &Request<B>) -> Option<Result<Response<Vec<u8>>, ApiError>> {
        let is_preflight = req.method() == http::Method::OPTIONS
            && crate::header(req, "origin").is_some()
            && crate::header(req, "access-control-request-method").is_some();
        if !is_preflight {
            return None;
        }
        Some(match self.allowed_origin(req) {
            None => Err(ApiError::CorsOriginNotAllowed),
            Some(_) => {
                let response = Response::builder()
                    .status(204)
                    .header("access-control-allow-methods", ALLOW_METHODS)
                    .header("access-control-allow-headers", ALLOW_HEADERS)
                    .header("access-control-max-age", "600")
                    .body(Vec::new())
                    .expect("static headers are valid");
                Ok(response)
            }
        })
    }

    /// Adds the allow headers to a response for a request from an allowed origin.
    pub fn decorate<B>(&self, req: &Request<B>, response: &mut Response<Vec<u8>>) {
        let headers = response.headers_mut();
        headers.append("vary", HeaderValue::from_static("Origin"));
        if let Some(value) = self.allowed_origin(req).and_then(|o| HeaderValue::from_str(o).ok()) {
            headers.insert("access-control-allow-origin", value);
            headers.insert("access-control-expose-headers", HeaderValue::from_static(EXPOSE_HEADERS));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preflight_from(origin: &str) -> Request<()> {
        Request::builder()
            .method("OPTIONS")
            .uri("/customers/v2/profiles")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .body(())
            .unwrap()
    }

    #[test]
    fn by_default_no_origin_is_allowed() {
        let cors = Cors::from_setting("");
        assert_eq!(
            cors.preflight(&preflight_from("https://evil.example")).unwrap().unwrap_err().status(),
            403
        );
    }

    #[test]
    fn a_listed_origin_gets_its_preflight_and_allow_headers() {
        let cors = Cors::from_setting("https://app.example, https://other.example");
        let req = preflight_from("https://other.example");
        let mut response = cors.preflight(&req).unwrap().unwrap();
        assert_eq!(response.status(), 204);
        cors.decorate(&req, &mut response);
        assert_eq!(response.headers()["access-control-allow-origin"], "https://other.example");
    }

    #[test]
    fn an_unlisted_origin_gets_no_allow_headers() {
        let cors = Cors::from_setting("https://app.example");
        let req = Request::get("/x").header("origin", "https://evil.example").body(()).unwrap();
        let mut response = Response::new(Vec::new());
        cors.decorate(&req, &mut response);
        assert!(response.headers().get("access-control-allow-origin").is_none());
    }

    #[test]
    fn an_ordinary_request_is_no_preflight() {
        let req = Request::get("/x").body(()).unwrap();
        assert!(Cors::from_setting("https://app.example").preflight(&req).is_none());
    }
}
