//! Outbound HTTP policy: a component may only reach what its `allowed_outbound_hosts` lists.
//!
//! Spin checks each outgoing request's scheme, host and port against the component's list and
//! fails a disallowed request with wasi-http's `HttpRequestDenied`. Here the check sits in the
//! [`WasiHttpHooks::send_request`] hook of wasmtime-wasi-http, which otherwise delegates to
//! [`wasmtime_wasi_http::default_send_request`], so guests get real network I/O for allowed
//! destinations and the same error code as in Spin for the rest.

use std::future::Future;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use http_body_util::BodyExt;
use wasmtime_wasi_http::{RequestOptions, WasiBody, WasiHttpHooks};

/// One parsed `allowed_outbound_hosts` entry, e.g. `https://*:443` or `http://127.0.0.1:*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHost {
    /// Lower-case scheme, or `None` for `*`.
    scheme: Option<String>,
    host: HostPattern,
    ports: PortPattern,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    Any,
    /// `*.example.com`: any subdomain (not the domain itself). Holds `.example.com`.
    Subdomains(String),
    Exact(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PortPattern {
    Any,
    /// An inclusive range; a single port `p` is `p..=p`.
    Range(u16, u16),
}

/// The default port of a scheme, as used by Spin when an entry or a URL omits the port.
fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

impl AllowedHost {
    /// Parses one entry: `scheme://host[:port]` where scheme may be `*`, host may be `*` or
    /// `*.domain`, and port may be `*`, a number or a range `a..b`. Without a port, the
    /// scheme's default port applies (so `*://host` must give a port, as in Spin).
    pub fn parse(entry: &str) -> Result<AllowedHost> {
        let (scheme, rest) = entry
            .split_once("://")
            .with_context(|| format!("allowed outbound host {entry:?}: missing scheme://"))?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains('/') {
            bail!("allowed outbound host {entry:?}: paths are not allowed");
        }
        let scheme = scheme.to_ascii_lowercase();
        if scheme.is_empty() {
            bail!("allowed outbound host {entry:?}: empty scheme");
        }
        let (host, port) = split_host_port(rest);
        let host = host.to_ascii_lowercase();
        let host = if host == "*" {
            HostPattern::Any
        } else if let Some(domain) = host.strip_prefix("*.") {
            HostPattern::Subdomains(format!(".{domain}"))
        } else if host.is_empty() || host.contains('*') {
            bail!("allowed outbound host {entry:?}: invalid host");
        } else {
            HostPattern::Exact(host)
        };
        let ports = match port {
            Some("*") => PortPattern::Any,
            Some(port) => match port.split_once("..") {
                Some((low, high)) => {
                    PortPattern::Range(parse_port(entry, low)?, parse_port(entry, high)?.saturating_sub(1))
                }
                None => {
                    let port = parse_port(entry, port)?;
                    PortPattern::Range(port, port)
                }
            },
            None => match default_port(&scheme) {
                Some(port) => PortPattern::Range(port, port),
                None => bail!("allowed outbound host {entry:?}: a port is required"),
            },
        };
        let scheme = (scheme != "*").then_some(scheme);
        Ok(AllowedHost { scheme, host, ports })
    }

    /// Whether a request to `scheme://host:port` is allowed by this entry.
    pub fn allows(&self, scheme: &str, host: &str, port: u16) -> bool {
        let scheme_ok = self.scheme.as_deref().is_none_or(|allowed| allowed.eq_ignore_ascii_case(scheme));
        let host = host.to_ascii_lowercase();
        let host_ok = match &self.host {
            HostPattern::Any => true,
            HostPattern::Subdomains(suffix) => host.len() > suffix.len() && host.ends_with(suffix),
            HostPattern::Exact(exact) => *exact == host,
        };
        let port_ok = match self.ports {
            PortPattern::Any => true,
            PortPattern::Range(low, high) => (low..=high).contains(&port),
        };
        scheme_ok && host_ok && port_ok
    }
}

/// Splits `host[:port]`, keeping IPv6 literals (`[::1]:8080`) intact.
fn split_host_port(authority: &str) -> (&str, Option<&str>) {
    if let Some(rest) = authority.strip_prefix('[') {
        if let Some((host, after)) = rest.split_once(']') {
            return (host, after.strip_prefix(':'));
        }
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    }
}

fn parse_port(entry: &str, port: &str) -> Result<u16> {
    port.parse().with_context(|| format!("allowed outbound host {entry:?}: invalid port {port:?}"))
}

/// A component's whole `allowed_outbound_hosts` list. Empty denies everything;
/// `insecure:allow-all` allows everything.
#[derive(Debug, Clone, Default)]
pub struct AllowedHosts {
    allow_all: bool,
    entries: Vec<AllowedHost>,
}

impl AllowedHosts {
    /// Parses every entry; one bad entry fails the whole list (Spin fails to start).
    pub fn parse(entries: &[String]) -> Result<AllowedHosts> {
        let mut hosts = AllowedHosts::default();
        for entry in entries {
            if entry == "insecure:allow-all" {
                hosts.allow_all = true;
            } else {
                hosts.entries.push(AllowedHost::parse(entry)?);
            }
        }
        Ok(hosts)
    }

    /// Whether an outgoing request to `uri` may be sent.
    pub fn allows_uri(&self, uri: &http::Uri) -> bool {
        if self.allow_all {
            return true;
        }
        let scheme = uri.scheme_str().unwrap_or("https").to_ascii_lowercase();
        let Some(host) = uri.host() else {
            return false;
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let Some(port) = uri.port_u16().or_else(|| default_port(&scheme)) else {
            return false;
        };
        self.entries.iter().any(|entry| entry.allows(&scheme, host, port))
    }
}

/// The `wasi:http` hooks of one component's store: enforce its outbound policy.
pub struct OutboundPolicy {
    component_id: Arc<str>,
    allowed: Arc<AllowedHosts>,
}

impl OutboundPolicy {
    /// The policy of component `component_id`.
    pub fn new(component_id: Arc<str>, allowed: Arc<AllowedHosts>) -> OutboundPolicy {
        OutboundPolicy { component_id, allowed }
    }
}

type ResponseFuture = Box<
    dyn Future<
            Output = wasmtime_wasi_http::Result<(
                http::Response<WasiBody>,
                Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
            )>,
        > + Send,
>;

impl WasiHttpHooks for OutboundPolicy {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
    ) -> ResponseFuture {
        if !self.allowed.allows_uri(request.uri()) {
            eprintln!(
                "testhost: component {:?}: outbound request to {} denied (not in allowed_outbound_hosts)",
                self.component_id,
                request.uri()
            );
            return Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) });
        }
        Box::new(async move {
            let (response, io) = wasmtime_wasi_http::default_send_request(request, options).await?;
            Ok((response.map(BodyExt::boxed_unsync), Box::new(io) as Box<dyn Future<Output = _> + Send>))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allows(entries: &[&str], url: &str) -> bool {
        let entries: Vec<String> = entries.iter().map(|s| s.to_string()).collect();
        let hosts = AllowedHosts::parse(&entries).unwrap();
        hosts.allows_uri(&url.parse().unwrap())
    }

    #[test]
    fn empty_list_denies_everything() {
        assert!(!allows(&[], "https://example.com/"));
        assert!(!allows(&[], "http://127.0.0.1:3000/"));
    }

    #[test]
    fn scheme_and_host_without_port_mean_the_default_port() {
        let list = ["https://example.com"];
        assert!(allows(&list, "https://example.com/x"));
        assert!(allows(&list, "https://example.com:443/x"));
        assert!(allows(&list, "https://EXAMPLE.com/x"));
        assert!(!allows(&list, "https://example.com:8443/x"));
        assert!(!allows(&list, "http://example.com/x"));
        assert!(!allows(&list, "https://other.com/x"));
        assert!(allows(&["http://example.com"], "http://example.com/"));
        assert!(!allows(&["http://example.com"], "http://example.com:8080/"));
    }

    #[test]
    fn explicit_ports() {
        let list = ["https://example.com:8443"];
        assert!(allows(&list, "https://example.com:8443/"));
        assert!(!allows(&list, "https://example.com/"));
        let range = ["http://localhost:8000..8002"];
        assert!(allows(&range, "http://localhost:8000/"));
        assert!(allows(&range, "http://localhost:8001/"));
        assert!(!allows(&range, "http://localhost:8002/"));
    }

    #[test]
    fn wildcards() {
        let list = ["http://127.0.0.1:*"];
        assert!(allows(&list, "http://127.0.0.1:1234/jwks"));
        assert!(allows(&list, "http://127.0.0.1/jwks"));
        assert!(!allows(&list, "https://127.0.0.1:1234/jwks"));
        assert!(!allows(&list, "http://127.0.0.2:1234/jwks"));

        assert!(allows(&["https://*:*"], "https://issuer.example/jwks"));
        assert!(allows(&["https://*:*"], "https://issuer.example:8443/jwks"));
        assert!(!allows(&["https://*:*"], "http://issuer.example/jwks"));

        assert!(allows(&["https://*:443"], "https://a.b/"));
        assert!(!allows(&["https://*:443"], "https://a.b:444/"));

        assert!(allows(&["*://host:8080"], "http://host:8080/"));
        assert!(allows(&["*://host:8080"], "https://host:8080/"));
        assert!(!allows(&["*://host:8080"], "https://host/"));

        assert!(allows(&["https://*.example.com"], "https://a.example.com/"));
        assert!(!allows(&["https://*.example.com"], "https://example.com/"));

        assert!(allows(&["insecure:allow-all"], "http://anything:1/"));
    }

    #[test]
    fn the_manifest_list_allows_https_anywhere_and_plain_http_to_loopback() {
        let list = ["https://*:*", "http://localhost:*", "http://127.0.0.1:*"];
        assert!(allows(&list, "https://login.example.com/.well-known/jwks.json"));
        assert!(allows(&list, "http://localhost:3000/.well-known/jwks.json"));
        assert!(allows(&list, "http://127.0.0.1:41234/.well-known/jwks.json"));
        assert!(!allows(&list, "http://example.com/.well-known/jwks.json"));
    }

    #[test]
    fn bad_entries_are_rejected() {
        for bad in [
            "example.com",
            "*://example.com",
            "https://example.com:notaport",
            "https://example.com/path",
            "https://a*b.com",
        ] {
            assert!(AllowedHost::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
