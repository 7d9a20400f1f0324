//! Contract §2, local development issuer: client-credentials tokens for the configured
//! clients, its public keys, and nothing at all when it is disabled.

use crate::helpers::*;
use base64ct::{Base64UrlUnpadded, Encoding};
use serde_json::{json, Value};

fn payload(token: &str) -> Value {
    let part = token.split('.').nth(1).expect("three parts");
    serde_json::from_slice(&Base64UrlUnpadded::decode_vec(part).expect("base64url")).expect("JSON")
}

fn header(token: &str) -> Value {
    let part = token.split('.').next().expect("three parts");
    serde_json::from_slice(&Base64UrlUnpadded::decode_vec(part).expect("base64url")).expect("JSON")
}

#[test]
fn a_json_token_request_gets_a_bearer_token_for_the_clients_organisation() {
    let app = spawn_app();
    let body = json!({"grant_type": "client_credentials", "client_id": "partner-b",
                      "client_secret": "partner-b-secret", "audience": AUDIENCE});
    let response = app.send("POST", "/oauth/token", None, Some(&body));
    assert_eq!(response.status, 200, "{}", response.body);
    let granted = response.json();
    assert_eq!(granted["token_type"], "Bearer");
    assert_eq!(granted["expires_in"], 86400);
    let claims = payload(granted["access_token"].as_str().unwrap());
    assert_eq!(claims["iss"], ISSUER);
    assert_eq!(claims["aud"], AUDIENCE);
    assert_eq!(claims["https://entur.io/organisationID"], 2002);
    assert!(claims["permissions"].as_array().unwrap().contains(&json!("customers-profile:les")));
}

#[test]
fn a_form_encoded_token_request_works_too() {
    let app = spawn_app();
    let form = "grant_type=client_credentials&client_id=partner-a&client_secret=partner-a-secret";
    let response = app.request(
        "POST",
        "/oauth/token",
        &[("content-type", "application/x-www-form-urlencoded")],
        Some(form.as_bytes().to_vec()),
    );
    assert_eq!(response.status, 200, "{}", response.body);
    let token = response.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.send("GET", "/customers/v2/profiles/1", Some(&token), None).status, 404);
}

#[test]
fn a_wrong_secret_or_unknown_client_is_401() {
    let app = spawn_app();
    for (id, secret) in [("partner-a", "wrong"), ("nobody", "partner-a-secret"), ("partner-a", "")] {
        let body = json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret});
        let response = app.send("POST", "/oauth/token", None, Some(&body));
        assert_eq!(response.status, 401, "{id}/{secret}");
        assert_eq!(response.error_code(), "INVALID_CLIENT");
    }
}

#[test]
fn only_the_client_credentials_grant_and_the_configured_audience_are_served() {
    let app = spawn_app();
    let password =
        json!({"grant_type": "password", "client_id": "partner-a", "client_secret": "partner-a-secret"});
    assert_eq!(
        app.send("POST", "/oauth/token", None, Some(&password)).error_code(),
        "UNSUPPORTED_GRANT_TYPE"
    );
    let other = json!({"grant_type": "client_credentials", "client_id": "partner-a",
                       "client_secret": "partner-a-secret", "audience": "https://other.example"});
    assert_eq!(app.send("POST", "/oauth/token", None, Some(&other)).status, 400);
}

#[test]
fn the_published_key_is_the_one_tokens_are_signed_with() {
    let app = spawn_app();
    let token = app.token(ORG_A);
    let jwks = app.send("GET", "/.well-known/jwks.json", None, None).json();
    let key = &jwks["keys"][0];
    assert_eq!(key["kty"], "OKP");
    assert_eq!(key["kid"], header(&token)["kid"]);
    assert!(key.get("d").is_none(), "the private key must never be published");
    assert_eq!(header(&token)["alg"], "EdDSA");
}

#[test]
fn the_signing_key_survives_across_requests_and_is_not_in_the_repository() {
    let app = spawn_app();
    let first = app.send("GET", "/.well-known/jwks.json", None, None).json();
    let second = app.send("GET", "/.well-known/jwks.json", None, None).json();
    assert_eq!(first, second);
    let kid = first["keys"][0]["kid"].as_str().unwrap().to_owned();
    let fresh = spawn_app().send("GET", "/.well-known/jwks.json", None, None).json();
    assert_ne!(fresh["keys"][0]["kid"].as_str().unwrap(), kid, "each installation makes its own key");
}

#[test]
fn a_disabled_issuer_serves_nothing() {
    let app =
        spawn_app_with(&[("dev_issuer_enabled", "false"), ("jwt_jwks", &crate::tokens::partner_jwks())]);
    let body = json!({"grant_type": "client_credentials", "client_id": "partner-a", "client_secret": "partner-a-secret"});
    assert_eq!(app.send("POST", "/oauth/token", None, Some(&body)).status, 404);
    assert_eq!(app.send("GET", "/.well-known/jwks.json", None, None).status, 404);
}

// --- When the issuer exists at all (contract §2: enabled, a loopback `jwt_issuer`, a caller
// on this machine) ---

/// The local issuer's signing key as the key-value store holds it (the table Spin and the test
/// host share), so a test can sign what the issuer would never sign.
fn stored_dev_key(state_dir: &std::path::Path) -> (ed25519_dalek::SigningKey, String) {
    let kv = rusqlite::Connection::open(state_dir.join("sqlite_key_value.db")).expect("key-value file");
    let stored: Vec<u8> = kv
        .query_row("SELECT value FROM spin_key_value WHERE key = 'dev-issuer/key-pair'", [], |r| r.get(0))
        .expect("the issuer stored its key pair");
    let stored: Value = serde_json::from_slice(&stored).expect("JSON");
    let d = Base64UrlUnpadded::decode_vec(stored["private"]["d"].as_str().expect("d")).expect("base64url");
    let key = ed25519_dalek::SigningKey::from_bytes(&d.try_into().expect("32 bytes"));
    (key, stored["keys"][0]["kid"].as_str().expect("kid").to_owned())
}

fn sign_as_local_issuer(key: &ed25519_dalek::SigningKey, kid: &str, claims: &Value) -> String {
    use jwt_compact::AlgorithmExt;
    let claims = jwt_compact::Claims::new(claims.as_object().expect("object").clone());
    let header = jwt_compact::Header::empty().with_token_type("JWT").with_key_id(kid);
    jwt_compact::alg::Ed25519.token(&header, &claims, key).expect("sign")
}

#[test]
fn a_disabled_issuer_mints_nothing_and_its_earlier_tokens_are_refused() {
    let state = fresh_state_dir();
    let token = spawn_app_on(state.clone(), &[], None).token(ORG_A);
    let app = spawn_app_on(
        state,
        &[("dev_issuer_enabled", "false"), ("jwt_jwks", &crate::tokens::partner_jwks())],
        None,
    );
    let grant = json!({"grant_type": "client_credentials", "client_id": "partner-a", "client_secret": "partner-a-secret"});
    assert_eq!(app.send("POST", "/oauth/token", None, Some(&grant)).status, 404);
    assert_eq!(app.send("GET", "/.well-known/jwks.json", None, None).status, 404);
    assert_eq!(app.send("GET", "/customers/v2/profiles/1", Some(&token), None).status, 401);
}

/// The attack of issue 14: a production `jwt_issuer` set, `dev_issuer_enabled` left at its
/// default `true`. The issuer must neither mint (with `iss` = the production issuer and every
/// permission) nor have its key trusted.
#[test]
fn a_real_issuer_turns_the_local_issuer_off_whatever_dev_issuer_enabled_says() {
    let state = fresh_state_dir();
    drop(spawn_app_on(state.clone(), &[], None).token(ORG_A)); // the key pair exists from before
    for issuer in ["https://tenant.eu.auth0.com/", "http://auth.example.com/", "http://localhost@192.0.2.7/"]
    {
        let app = spawn_app_on(
            state.clone(),
            &[("jwt_issuer", issuer), ("jwt_jwks", &crate::tokens::partner_jwks())],
            None,
        );
        let grant = json!({"grant_type": "client_credentials", "client_id": "partner-a",
                           "client_secret": "partner-a-secret", "audience": AUDIENCE});
        let minted = app.send("POST", "/oauth/token", None, Some(&grant));
        assert_eq!(minted.status, 404, "{issuer}: the local issuer minted a token: {}", minted.body);
        assert_eq!(app.send("GET", "/.well-known/jwks.json", None, None).status, 404, "{issuer}");
        let mut claims = crate::tokens::claims(1001);
        claims["iss"] = json!(issuer);
        let (key, kid) = stored_dev_key(&state);
        let forged = sign_as_local_issuer(&key, &kid, &claims);
        let response = app.send("GET", "/customers/v2/profiles/1", Some(&forged), None);
        assert_eq!(response.status, 401, "{issuer}: a token signed with the local key was trusted");
        let partner = crate::tokens::eddsa(1, "ed-1", &claims);
        assert_eq!(app.send("GET", "/customers/v2/profiles/1", Some(&partner), None).status, 404, "{issuer}");
    }
}

/// An address of this machine that is not loopback, as the kernel would pick it to reach the
/// outside (no packet is sent: connecting a UDP socket only chooses a route).
fn non_loopback_address() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("198.51.100.1:9").ok()?; // TEST-NET-2
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

/// Where this test's process has no such address (no network at all), it runs itself again
/// in a network namespace of its own with one: `unshare` makes a user and a network namespace
/// (no privilege needed where unprivileged user namespaces are allowed) and `ip` puts
/// 192.0.2.9 (TEST-NET-1) on its loopback interface, an address outside 127.0.0.0/8 that
/// connections can come from. An error says why that cannot be done either.
fn rerun_in_own_network_namespace(test: &str) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let setup = "ip link set lo up && ip addr add 192.0.2.9/32 dev lo && exec \"$0\" \"$@\"";
    let status = std::process::Command::new("unshare")
        .args(["--user", "--map-root-user", "--net", "sh", "-c", setup])
        .arg(exe)
        .args([test, "--exact", "--test-threads", "1", "--nocapture"])
        .env("E2E_NON_LOOPBACK_ADDRESS", "192.0.2.9")
        .status()
        .map_err(|e| format!("cannot run unshare: {e}"))?;
    match status.code() {
        Some(0) => Ok(()),
        Some(101) => panic!("{test} failed in its own network namespace (its output is above)"),
        _ => Err(format!("unshare or ip failed ({status}): no user or network namespace here")),
    }
}

#[test]
fn the_issuer_answers_only_callers_on_this_machine() {
    const TEST: &str = "issuer::the_issuer_answers_only_callers_on_this_machine";
    let forced = std::env::var("E2E_NON_LOOPBACK_ADDRESS").ok().and_then(|a| a.parse().ok());
    let Some(address) = forced.or_else(non_loopback_address) else {
        match rerun_in_own_network_namespace(TEST) {
            Ok(()) => return,
            Err(why) => {
                eprintln!("SKIPPED {TEST}: this machine has no address but loopback, and {why}");
                return;
            }
        }
    };
    // Listening on every interface, like `spin up --listen 0.0.0.0:3000` behind a port mapping.
    let app = spawn_app_listening(
        fresh_state_dir(),
        &[],
        None,
        Some(std::net::SocketAddr::from(([0, 0, 0, 0], 0))),
    );
    let port: u16 = app.url("").rsplit(':').next().and_then(|p| p.parse().ok()).expect("a port");
    let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    let grant = json!({"grant_type": "client_credentials", "client_id": "partner-a",
                       "client_secret": "partner-a-secret", "audience": AUDIENCE})
    .to_string();
    let ask = |host: std::net::IpAddr| {
        let base = format!("http://{}", std::net::SocketAddr::new(host, port));
        let token = agent
            .post(format!("{base}/oauth/token"))
            .header("content-type", "application/json")
            .send(grant.as_str())
            .expect("the host answers");
        let jwks = agent.get(format!("{base}/.well-known/jwks.json")).call().expect("the host answers");
        (token.status().as_u16(), jwks.status().as_u16())
    };
    assert_eq!(ask(std::net::Ipv4Addr::LOCALHOST.into()), (200, 200), "a caller on this machine");
    assert_eq!(ask(address), (404, 404), "a caller from {address} must find no issuer");
    // Tokens it issued are still trusted from anywhere: the rule for its keys is the configuration.
    let token = app.token(ORG_A);
    let from_outside = agent
        .get(format!("http://{}/customers/v2/profiles/1", std::net::SocketAddr::new(address, port)))
        .header("authorization", format!("Bearer {token}"))
        .call()
        .expect("the host answers");
    assert_eq!(from_outside.status().as_u16(), 404, "authenticated, and no profile 1");
}

/// Two first requests used to store one's public key and the other's private key, and from
/// then on no token of the installation verified. A race shows it only now and then, so three
/// fresh installations race here.
#[test]
fn the_first_token_requests_agree_on_one_key() {
    for round in 1..=3 {
        let app = spawn_app();
        let grant = json!({"grant_type": "client_credentials", "client_id": "partner-a",
                           "client_secret": "partner-a-secret", "audience": AUDIENCE});
        std::thread::scope(|scope| {
            for _ in 0..16 {
                scope.spawn(|| app.send("POST", "/oauth/token", None, Some(&grant)).status);
            }
        });
        let later = app.send("POST", "/oauth/token", None, Some(&grant)).json()["access_token"]
            .as_str()
            .expect("a token")
            .to_owned();
        let published = app.send("GET", "/.well-known/jwks.json", None, None).json();
        assert_eq!(published["keys"].as_array().map(Vec::len), Some(1));
        assert_eq!(
            published["keys"][0]["kid"],
            header(&later)["kid"],
            "round {round}: the published key signs"
        );
        let response = app.send("GET", "/customers/v2/profiles/1", Some(&later), None);
        assert_eq!(response.status, 404, "round {round}: and is the key the API trusts");
    }
}
