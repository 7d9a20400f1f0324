//! Contract §2, what an unauthenticated caller can make the service do to the issuer's key
//! server (`jwt_jwks_url`): nothing for a token that can never be accepted, at most one fetch a
//! minute for unknown `kid`s however many arrive at once, and never a request held by a slow
//! key server.

use crate::helpers::*;
use crate::tokens::{self, claims, partner_jwks};
use serde_json::json;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PROFILE: &str = "/customers/v2/profiles/1";

/// What the key server does with a request.
#[derive(Clone)]
enum Behaviour {
    Serve(String),
    /// Reads the request, then holds the connection for this long without answering.
    Stall(Duration),
}

/// A key server on loopback that counts the connections it accepts and can be switched
/// between serving a JWKS and stalling.
struct KeyServer {
    url: String,
    behaviour: Arc<Mutex<Behaviour>>,
    connections: Arc<AtomicU64>,
}

impl KeyServer {
    fn start(behaviour: Behaviour) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/.well-known/jwks.json", listener.local_addr().unwrap());
        let (shared, connections) = (Arc::new(Mutex::new(behaviour)), Arc::new(AtomicU64::new(0)));
        let (behaviour, count) = (shared.clone(), connections.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                count.fetch_add(1, Ordering::SeqCst);
                let behaviour = behaviour.lock().unwrap().clone();
                std::thread::spawn(move || {
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                        head.push(byte[0]);
                    }
                    match behaviour {
                        Behaviour::Serve(body) => {
                            let response = format!(
                                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                                body.len()
                            );
                            let _ = stream.write_all(response.as_bytes());
                        }
                        Behaviour::Stall(how_long) => std::thread::sleep(how_long),
                    }
                });
            }
        });
        Self { url, behaviour: shared, connections }
    }

    fn behave(&self, behaviour: Behaviour) {
        *self.behaviour.lock().unwrap() = behaviour;
    }

    fn connections(&self) -> u64 {
        self.connections.load(Ordering::SeqCst)
    }
}

fn get_with(app: &TestApp, token: &str) -> TestResponse {
    app.send("GET", PROFILE, Some(token), None)
}

#[test]
fn tokens_that_can_never_be_accepted_make_no_key_fetch() {
    let server = JwksServer::start(partner_jwks());
    let app = spawn_app_with(&[("jwt_jwks_url", &server.url), ("dev_issuer_enabled", "false")]);
    let valid = claims(1001);
    let with = |member: &str, value: serde_json::Value| {
        let mut c = valid.clone();
        c[member] = value;
        c
    };
    let mut oversized = valid.clone();
    oversized["padding"] = json!("x".repeat(9000));
    // Each names a key the service has never seen, which would otherwise warrant a refetch.
    let cases = [
        ("alg none", tokens::alg_none("new-1", &valid)),
        ("HS256", tokens::hs256_with_public_key("new-2", &valid)),
        ("RS384", tokens::with_header(&json!({"alg": "RS384", "kid": "new-3"}), &valid)),
        ("ES512", tokens::with_header(&json!({"alg": "ES512", "kid": "new-4"}), &valid)),
        ("typ of an ID token", tokens::eddsa_typed(9, "new-5", "id+jwt", &valid)),
        ("header not JSON", "bm90IGpzb24.e30.c2ln".to_owned()),
        ("over 8 KiB", tokens::eddsa(9, "new-6", &oversized)),
        ("another issuer", tokens::eddsa(9, "new-7", &with("iss", json!("https://evil.example/")))),
        ("another audience", tokens::eddsa(9, "new-8", &with("aud", json!("https://other.example")))),
        ("expired", tokens::eddsa(9, "new-9", &with("exp", json!(tokens::now() - 3600)))),
    ];
    for (case, token) in cases {
        let response = get_with(&app, &token);
        assert_eq!(response.status, 401, "{case}: {}", response.body);
        assert_eq!(server.fetches(), 0, "{case} made the service fetch the JWKS");
    }
    // A token that could be accepted does fetch, and is.
    assert_eq!(get_with(&app, &tokens::eddsa(1, "ed-1", &valid)).status, 404);
    assert_eq!(server.fetches(), 1);
}

#[test]
fn thirty_concurrent_unknown_kids_make_at_most_one_fetch_a_minute() {
    let server = JwksServer::start(partner_jwks());
    let app = spawn_app_with(&[("jwt_jwks_url", &server.url), ("dev_issuer_enabled", "false")]);
    // Well-formed tokens with the right issuer, audience and times, each naming a key the
    // issuer does not have: exactly what an outsider can make at will.
    let tokens: Vec<String> =
        (0..30).map(|i| tokens::eddsa(9, &format!("unknown-{i}"), &claims(1001))).collect();
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let answers: Vec<_> = tokens.iter().map(|t| scope.spawn(|| get_with(&app, t).status)).collect();
        answers.into_iter().map(|a| a.join().unwrap()).collect()
    });
    // None is accepted, and none is a 503: the requests that found the fetch under way waited
    // for it instead of answering that there were no keys.
    assert!(statuses.iter().all(|s| *s == 401), "{statuses:?}");
    // One per minute; a second one only if two first requests of a fresh store each named the
    // store differently (`crates/spin-glue/src/authenticate.rs`, REPLICA_ID_KEY).
    assert!(server.fetches() <= 3, "{} fetches for 30 unknown kids", server.fetches());
    assert!(server.fetches() >= 1);
    // The keys fetched are in use: a token of a known key is accepted, with no fetch.
    let fetched = server.fetches();
    assert_eq!(get_with(&app, &tokens::eddsa(1, "ed-1", &claims(1001))).status, 404);
    assert_eq!(server.fetches(), fetched);
}

#[test]
fn a_stalled_key_server_holds_no_request() {
    let server = KeyServer::start(Behaviour::Stall(Duration::from_secs(10)));
    let app = spawn_app_with(&[("jwt_jwks_url", &server.url), ("dev_issuer_enabled", "false")]);
    let token = tokens::eddsa(1, "ed-1", &claims(1001));
    let started = Instant::now();
    let response = get_with(&app, &token);
    let waited = started.elapsed();
    // A functional bound, with a wide margin: the fetch gives up after 2 s.
    assert!(waited < Duration::from_secs(3), "the request waited {waited:?} for the key server");
    assert_eq!(response.status, 503, "no key at all yet: {}", response.body);
    assert_eq!(response.error_code(), "ISSUER_UNAVAILABLE");
    assert!(response.header("retry-after").is_some());
    // The next requests do not wait on the key server again within the minute.
    let started = Instant::now();
    assert_eq!(get_with(&app, &token).status, 503);
    assert!(started.elapsed() < Duration::from_secs(1), "a second request waited for the key server");
    assert_eq!(server.connections(), 1);
}

#[test]
fn a_key_set_over_256_kib_is_refused() {
    let mut padded: serde_json::Value = serde_json::from_str(&partner_jwks()).unwrap();
    padded["padding"] = json!("x".repeat(300 * 1024));
    let server = JwksServer::start(padded.to_string());
    let app = spawn_app_with(&[("jwt_jwks_url", &server.url), ("dev_issuer_enabled", "false")]);
    let response = get_with(&app, &tokens::eddsa(1, "ed-1", &claims(1001)));
    assert_eq!(response.status, 503, "{}", response.body);
    assert_eq!(server.fetches(), 1);
}

#[test]
fn cached_keys_stay_in_use_while_the_key_server_stalls() {
    if test_host_only("moves the components' clock") {
        return;
    }
    let server = KeyServer::start(Behaviour::Serve(partner_jwks()));
    let app = spawn_app_with(&[("jwt_jwks_url", &server.url), ("dev_issuer_enabled", "false")]);
    assert_eq!(get_with(&app, &tokens::eddsa(1, "ed-1", &claims(1001))).status, 404);
    assert_eq!(server.connections(), 1);

    // Eleven minutes later the cached copy is stale, and the key server stalls.
    server.behave(Behaviour::Stall(Duration::from_secs(10)));
    app.advance_clock_secs(11 * 60);
    let mut later = claims(1001);
    for (claim, offset) in [("iat", 660), ("nbf", 660), ("exp", 1260)] {
        later[claim] = json!(tokens::now() + offset);
    }
    let started = Instant::now();
    let known = get_with(&app, &tokens::eddsa(1, "ed-1", &later));
    assert!(started.elapsed() < Duration::from_secs(3), "the refetch held the request");
    assert_eq!(known.status, 404, "a known key stays trusted: {}", known.body);
    assert_eq!(server.connections(), 2, "the stale copy was asked to be refreshed");
    let unknown = get_with(&app, &tokens::eddsa(9, "unknown", &later));
    assert_eq!(unknown.status, 401, "an unknown key with keys at hand is a 401");
    assert_eq!(server.connections(), 2, "and no second refetch within the minute");
}
