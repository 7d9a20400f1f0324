//! The deprecated v1 paths (contract §6, §8): `/customers/v1/profiles/**`, `/customers/v1/consents/**`
//! and the legacy consent model's new home `/customers/v2/consents/v1/**`. Every response on them,
//! successful or not, carries `Deprecation` (RFC 9745), `Sunset` (RFC 8594) and a
//! `successor-version` link; [`crate::respond`] adds them, so the API has one deprecation date.

use http::{HeaderValue, Response};

/// When v1 was deprecated (2026-01-01T00:00:00Z), in the RFC 9745 form `@<unix time>`.
pub const DEPRECATION: &str = "@1767225600";
/// When v1 goes away (an HTTP-date, RFC 8594).
pub const SUNSET: &str = "Fri, 01 Jan 2027 00:00:00 GMT";

const V1_PROFILES: &str = "/customers/v1/profiles";
const V1_CONSENTS: [&str; 2] = ["/customers/v1/consents/", "/customers/v2/consents/v1/"];
const GIVEN_CONSENTS: &str = "/customers/v2/consents/client/given-consents";

/// The successor of a deprecated path, or `None` when the path is not deprecated:
/// `/customers/v1/profiles/…` → the same path under `/customers/v2/profiles`; a legacy consent
/// path of customer `N` → the v2 given consents of `N`.
pub fn successor(path: &str) -> Option<String> {
    if let Some(rest) = path.strip_prefix(V1_PROFILES) {
        if rest.is_empty() || rest.starts_with('/') {
            return Some(format!("/customers/v2/profiles{rest}"));
        }
        return None;
    }
    let rest = V1_CONSENTS.iter().find_map(|prefix| path.strip_prefix(prefix))?;
    let customer = rest.split('/').next().unwrap_or_default();
    if !customer.is_empty() && customer.len() <= 19 && customer.bytes().all(|b| b.is_ascii_digit()) {
        Some(format!("{GIVEN_CONSENTS}?customerNumber={customer}"))
    } else {
        Some(GIVEN_CONSENTS.to_owned())
    }
}

/// Adds `Deprecation`, `Sunset` and `Link: <successor>; rel="successor-version"` to a response
/// of a deprecated path (a response that has them already keeps its own).
pub fn decorate(path: &str, response: &mut Response<Vec<u8>>) {
    let Some(successor) = successor(path) else { return };
    let headers = response.headers_mut();
    if headers.contains_key("deprecation") {
        return;
    }
    headers.insert("deprecation", HeaderValue::from_static(DEPRECATION));
    headers.insert("sunset", HeaderValue::from_static(SUNSET));
    // One `Link` field: a page's `rel="next"` (v1 search) comes first, then the successor.
    let mut link = format!("<{successor}>; rel=\"successor-version\"");
    if let Some(next) = headers.get("link").and_then(|v| v.to_str().ok()) {
        link = format!("{next}, {link}");
    }
    if let Ok(link) = HeaderValue::from_str(&link) {
        headers.insert("link", link);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_profile_paths_have_their_v2_path_as_successor() {
        assert_eq!(successor("/customers/v1/profiles").as_deref(), Some("/customers/v2/profiles"));
        assert_eq!(successor("/customers/v1/profiles/7").as_deref(), Some("/customers/v2/profiles/7"));
        assert_eq!(successor("/customers/v1/profilesx"), None);
        assert_eq!(successor("/customers/v2/profiles/7"), None);
    }

    #[test]
    fn legacy_consent_paths_lead_to_the_customers_given_consents() {
        let given = "/customers/v2/consents/client/given-consents?customerNumber=7";
        assert_eq!(successor("/customers/v1/consents/7/NEWS").as_deref(), Some(given));
        assert_eq!(successor("/customers/v2/consents/v1/7").as_deref(), Some(given));
        assert_eq!(successor("/customers/v1/consents/x").as_deref(), Some(GIVEN_CONSENTS));
        assert_eq!(successor("/customers/v2/consents/client/consents"), None);
    }

    #[test]
    fn every_response_of_a_deprecated_path_is_marked_once() {
        let mut response = Response::builder().status(404).body(Vec::new()).unwrap();
        decorate("/customers/v1/profiles/7", &mut response);
        decorate("/customers/v1/profiles/7", &mut response);
        let headers = response.headers();
        assert_eq!(headers["deprecation"], DEPRECATION);
        assert_eq!(headers["sunset"], SUNSET);
        assert_eq!(headers.get_all("link").iter().count(), 1);
        assert_eq!(headers["link"], "</customers/v2/profiles/7>; rel=\"successor-version\"");
        let mut page = Response::new(Vec::new());
        page.headers_mut()
            .insert("link", HeaderValue::from_static("</customers/v1/profiles?cursor=x>; rel=\"next\""));
        decorate("/customers/v1/profiles", &mut page);
        assert_eq!(
            page.headers()["link"],
            "</customers/v1/profiles?cursor=x>; rel=\"next\", </customers/v2/profiles>; rel=\"successor-version\""
        );
        let mut other = Response::new(Vec::new());
        decorate("/customers/v2/profiles/7", &mut other);
        assert!(other.headers().is_empty());
    }
}
