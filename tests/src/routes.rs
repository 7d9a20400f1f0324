//! HTTP route matching with Spin's rules, and the `spin-*` request headers derived from a match.
//!
//! Spin (crates/http/src/routes.rs, built on `routefinder`) matches the request path segment
//! by segment, ignoring empty segments (so `/health/` reaches `/health`). A route is exact
//! (`/health`), or has a trailing wildcard (`/customers/v2/profiles/...`, which also matches
//! `/customers/v2/profiles` itself), and may contain `:name` segments matching any one
//! segment. An exact route beats a wildcard; among wildcards the longest prefix wins; a literal
//! segment beats a `:name` segment. When two triggers use the same route the later one wins.

use std::net::SocketAddr;

use anyhow::{bail, Result};

/// One segment of a route pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
}

/// A parsed route of one `[[trigger.http]]` entry.
#[derive(Debug, Clone)]
struct Route {
    /// The route as written in spin.toml.
    raw: String,
    segments: Vec<Segment>,
    trailing_wildcard: bool,
    /// The index of the handling component in the host's component list.
    component: usize,
}

/// The routing table of one host.
#[derive(Debug, Clone, Default)]
pub struct Router {
    routes: Vec<Route>,
}

/// The result of routing a path: which component handles it and the data Spin passes along.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch {
    /// The index given to [`Router::add`] for the matched route.
    pub component: usize,
    /// The route as written in spin.toml, e.g. `/customers/v2/profiles/...`.
    pub raw_route: String,
    /// The part of the path matched by the trailing wildcard: `""`, or starting with `/`
    /// (keeping a trailing slash, as Spin does). Always `""` for exact routes.
    pub path_info: String,
    /// `:name` segments and the path segment each matched, in route order.
    pub params: Vec<(String, String)>,
}

impl RouteMatch {
    /// The route without its trailing `/...` (Spin's `spin-component-route`).
    pub fn component_route(&self) -> &str {
        self.raw_route.strip_suffix("/...").unwrap_or(&self.raw_route)
    }

    /// The headers Spin's HTTP trigger adds to every request it hands a component
    /// (`compute_default_headers` in spin-trigger-http), for a request to `path_and_query`
    /// carrying `host`, received from `client`.
    pub fn spin_headers(
        &self,
        host: &str,
        path_and_query: &str,
        client: SocketAddr,
    ) -> Vec<(String, String)> {
        let mut headers = vec![
            ("spin-full-url".to_string(), format!("http://{host}{path_and_query}")),
            ("spin-path-info".to_string(), self.path_info.clone()),
            ("spin-matched-route".to_string(), self.raw_route.clone()),
            ("spin-base-path".to_string(), "/".to_string()),
            ("spin-raw-component-route".to_string(), self.raw_route.clone()),
            ("spin-component-route".to_string(), self.component_route().to_string()),
            ("spin-client-addr".to_string(), client.to_string()),
        ];
        for (name, value) in &self.params {
            headers.push((format!("spin-path-match-{}", name.to_ascii_lowercase()), value.clone()));
        }
        headers
    }
}

/// The non-empty segments of a path.
fn path_segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

impl Router {
    /// Adds `route` (as written in spin.toml), handled by the component with index
    /// `component`. A route that is already present is replaced (Spin: last one wins).
    pub fn add(&mut self, route: &str, component: usize) -> Result<()> {
        if !route.starts_with('/') {
            bail!("route {route:?} must start with '/'");
        }
        let (prefix, trailing_wildcard) = match route.strip_suffix("/...") {
            Some(prefix) => (prefix, true),
            None => (route, false),
        };
        let mut segments = Vec::new();
        for segment in path_segments(prefix) {
            if segment == "..." || segment == "*" {
                bail!("route {route:?}: a wildcard is only allowed as the trailing '/...'");
            }
            match segment.strip_prefix(':') {
                Some("") => bail!("route {route:?}: ':' must be followed by a name"),
                Some(name) => segments.push(Segment::Param(name.to_string())),
                None => segments.push(Segment::Literal(segment.to_string())),
            }
        }
        let parsed = Route { raw: route.to_string(), segments, trailing_wildcard, component };
        match self
            .routes
            .iter_mut()
            .find(|existing| existing.raw.trim_end_matches('/') == route.trim_end_matches('/'))
        {
            Some(existing) => *existing = parsed,
            None => self.routes.push(parsed),
        }
        Ok(())
    }

    /// Finds the best route for `path` (the path only, without the query).
    pub fn route(&self, path: &str) -> Option<RouteMatch> {
        let segments = path_segments(path);
        let mut best: Option<(RankKey, RouteMatch)> = None;
        for route in &self.routes {
            let Some(found) = route.matches(path, &segments) else {
                continue;
            };
            let key = route.rank();
            if best.as_ref().is_none_or(|(best_key, _)| key > *best_key) {
                best = Some((key, found));
            }
        }
        best.map(|(_, found)| found)
    }
}

/// Orders competing matches: exact before wildcard, then more segments (the longest prefix),
/// then literal segments before `:name` segments, position by position.
type RankKey = (bool, usize, Vec<u8>);

impl Route {
    fn rank(&self) -> RankKey {
        let specificity = self
            .segments
            .iter()
            .map(|s| match s {
                Segment::Literal(_) => 2,
                Segment::Param(_) => 1,
            })
            .collect();
        (!self.trailing_wildcard, self.segments.len(), specificity)
    }

    fn matches(&self, path: &str, segments: &[&str]) -> Option<RouteMatch> {
        if segments.len() < self.segments.len()
            || (!self.trailing_wildcard && segments.len() != self.segments.len())
        {
            return None;
        }
        let mut params = Vec::new();
        for (pattern, actual) in self.segments.iter().zip(segments) {
            match pattern {
                Segment::Literal(literal) if literal == actual => {}
                Segment::Literal(_) => return None,
                Segment::Param(name) => params.push((name.clone(), actual.to_string())),
            }
        }
        let path_info = if self.trailing_wildcard {
            let rest = segments[self.segments.len()..].join("/");
            match (rest.is_empty(), path.ends_with('/')) {
                (true, false) => String::new(),
                (true, true) => "/".to_string(),
                (false, false) => format!("/{rest}"),
                (false, true) => format!("/{rest}/"),
            }
        } else {
            String::new()
        };
        Some(RouteMatch { component: self.component, raw_route: self.raw.clone(), path_info, params })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router(routes: &[(&str, usize)]) -> Router {
        let mut router = Router::default();
        for (route, component) in routes {
            router.add(route, *component).unwrap();
        }
        router
    }

    fn component(router: &Router, path: &str) -> Option<usize> {
        router.route(path).map(|m| m.component)
    }

    #[test]
    fn exact_routes_match_only_their_path() {
        let r = router(&[("/health", 1), ("/oauth/token", 2)]);
        assert_eq!(component(&r, "/health"), Some(1));
        assert_eq!(component(&r, "/health/"), Some(1));
        assert_eq!(component(&r, "/oauth/token"), Some(2));
        assert_eq!(component(&r, "/health/x"), None);
        assert_eq!(component(&r, "/healthz"), None);
        assert_eq!(component(&r, "/"), None);
        assert_eq!(r.route("/health").unwrap().path_info, "");
    }

    #[test]
    fn exact_beats_wildcard() {
        let r = router(&[("/...", 1), ("/one", 2), ("/a/...", 3), ("/a/b", 4)]);
        assert_eq!(component(&r, "/one"), Some(2));
        assert_eq!(component(&r, "/two"), Some(1));
        assert_eq!(component(&r, "/a/b"), Some(4));
        assert_eq!(component(&r, "/a/c"), Some(3));
    }

    #[test]
    fn longest_wildcard_prefix_wins_regardless_of_order() {
        for routes in [
            [("/customers/v2/profiles/...", 1), ("/customers/v2/profiles/temporary/...", 2)],
            [("/customers/v2/profiles/temporary/...", 2), ("/customers/v2/profiles/...", 1)],
        ] {
            let r = router(&routes);
            assert_eq!(component(&r, "/customers/v2/profiles/temporary/5"), Some(2));
            assert_eq!(component(&r, "/customers/v2/profiles/temporary"), Some(2));
            assert_eq!(component(&r, "/customers/v2/profiles/5"), Some(1));
            assert_eq!(component(&r, "/customers/v2/profiles/temporaryx"), Some(1));
            assert_eq!(component(&r, "/customers/v2/profiles-search"), None);
        }
    }

    #[test]
    fn wildcard_matches_its_own_prefix_and_reports_path_info() {
        let r = router(&[("/a/...", 1)]);
        let info = |path: &str| r.route(path).map(|m| m.path_info);
        assert_eq!(info("/a").as_deref(), Some(""));
        assert_eq!(info("/a/").as_deref(), Some("/"));
        assert_eq!(info("/a/b/c").as_deref(), Some("/b/c"));
        assert_eq!(info("/a/b/").as_deref(), Some("/b/"));
        assert_eq!(info("/ab"), None);
        assert_eq!(info("/"), None);

        let root = router(&[("/...", 7)]);
        assert_eq!(root.route("/").unwrap().path_info, "/");
        assert_eq!(root.route("/x/y").unwrap().path_info, "/x/y");
    }

    #[test]
    fn named_segments_match_one_segment() {
        let r = router(&[("/users/:id", 1), ("/users/:id/items/...", 2), ("/users/me", 3)]);
        let m = r.route("/users/42").unwrap();
        assert_eq!(m.component, 1);
        assert_eq!(m.params, vec![("id".to_string(), "42".to_string())]);
        assert_eq!(component(&r, "/users/me"), Some(3));
        assert_eq!(component(&r, "/users"), None);
        assert_eq!(component(&r, "/users/42/43"), None);
        let m = r.route("/users/42/items/9").unwrap();
        assert_eq!(m.component, 2);
        assert_eq!(m.path_info, "/9");
        assert_eq!(m.params, vec![("id".to_string(), "42".to_string())]);
    }

    #[test]
    fn duplicate_route_last_one_wins() {
        let r = router(&[("/x", 1), ("/x", 2)]);
        assert_eq!(component(&r, "/x"), Some(2));
    }

    #[test]
    fn spin_headers_describe_the_match() {
        let r = router(&[("/customers/v2/profiles/...", 0), ("/u/:id", 1)]);
        let m = r.route("/customers/v2/profiles/1").unwrap();
        let client: SocketAddr = "127.0.0.1:5555".parse().unwrap();
        let headers = m.spin_headers("127.0.0.1:3000", "/customers/v2/profiles/1?x=y", client);
        let get = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        assert_eq!(get("spin-full-url"), Some("http://127.0.0.1:3000/customers/v2/profiles/1?x=y"));
        assert_eq!(get("spin-path-info"), Some("/1"));
        assert_eq!(get("spin-matched-route"), Some("/customers/v2/profiles/..."));
        assert_eq!(get("spin-raw-component-route"), Some("/customers/v2/profiles/..."));
        assert_eq!(get("spin-component-route"), Some("/customers/v2/profiles"));
        assert_eq!(get("spin-base-path"), Some("/"));
        assert_eq!(get("spin-client-addr"), Some("127.0.0.1:5555"));

        let m = r.route("/u/abc").unwrap();
        let headers = m.spin_headers("h", "/u/abc", client);
        assert!(headers.contains(&("spin-path-match-id".to_string(), "abc".to_string())));
        assert!(headers.contains(&("spin-path-info".to_string(), String::new())));
    }

    #[test]
    fn bad_routes_are_rejected() {
        let mut r = Router::default();
        assert!(r.add("health", 0).is_err());
        assert!(r.add("/a/.../b", 0).is_err());
        assert!(r.add("/a/:", 0).is_err());
    }
}
