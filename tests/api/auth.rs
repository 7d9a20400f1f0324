//! Contract §2: every way to break authentication is refused, and every way a real issuer
//! works (inline JWKS, JWKS by URL, key rotation, each algorithm) is accepted.

use crate::helpers::*;
use crate::tokens::{self, claims, partner_jwks};
use serde_json::json;

const PROFILE: &str = "/customers/v2/profiles/1";

/// The app trusting the partner issuer's keys inline (besides the local issuer).
fn app_trusting_partner() -> TestApp {
    spawn_app_with(&[("jwt_jwks", &partner_jwks())])
}

fn get_with(app: &TestApp, token: &str) -> TestResponse {
    app.send("GET", PROFILE, Some(token), None)
}

#[test]
fn a_request_without_a_token_is_401_with_a_bearer_challenge() {
    let app = spawn_app();
    let response = app.send("GET", PROFILE, None, None);
    assert_eq!(response.status, 401);
    assert_eq!(response.header("www-authenticate"), Some("Bearer"));
    assert_eq!(response.error_code(), "MISSING_TOKEN");
    assert_eq!(response.header("content-type"), Some("application/problem+json"));
}

#[test]
fn every_supported_algorithm_is_accepted_from_an_inline_jwks() {
    let app = app_trusting_partner();
    let c = claims(1001);
    for (alg, token) in [
        ("RS256", tokens::rs256("rsa-1", &c)),
        ("PS256", tokens::ps256("rsa-1", &c)),
        ("ES256", tokens::es256("ec-1", &c)),
        ("EdDSA", tokens::eddsa(1, "ed-1", &c)),
    ] {
        // 404: authenticated, and profile 1 does not exist in organisation 1001.
        let response = get_with(&app, &token);
        assert_eq!(response.status, 404, "{alg}: {}", response.body);
    }
}

#[test]
fn invalid_tokens_are_401_invalid_token() {
    let app = app_trusting_partner();
    let now = tokens::now();
    let valid = claims(1001);
    let with = |patch: serde_json::Value| {
        let mut c = valid.clone();
        for (k, v) in patch.as_object().unwrap() {
            c[k] = v.clone();
        }
        c
    };
    let mut oversized = valid.clone();
    oversized["padding"] = json!("x".repeat(9000));
    let cases = [
        ("expired", tokens::eddsa(1, "ed-1", &with(json!({"exp": now - 120})))),
        ("not yet valid", tokens::eddsa(1, "ed-1", &with(json!({"nbf": now + 300})))),
        ("issued in the future", tokens::eddsa(1, "ed-1", &with(json!({"iat": now + 300})))),
        ("wrong issuer", tokens::eddsa(1, "ed-1", &with(json!({"iss": "https://evil.example/"})))),
        ("wrong audience", tokens::eddsa(1, "ed-1", &with(json!({"aud": "https://other.example"})))),
        ("unknown kid", tokens::eddsa(9, "ed-9", &valid)),
        ("right kid, wrong key", tokens::eddsa(9, "ed-1", &valid)),
        (
            "tampered",
            tokens::tampered(
                &tokens::eddsa(1, "ed-1", &valid),
                &with(json!({"https://entur.io/organisationID": 2002})),
            ),
        ),
        ("alg none", tokens::alg_none("ed-1", &valid)),
        ("HS256 with the public key", tokens::hs256_with_public_key("rsa-1", &valid)),
        ("alg of another key type", tokens::es256("rsa-1", &valid)),
        ("oversized", tokens::eddsa(1, "ed-1", &oversized)),
        ("typ of an ID token", tokens::eddsa_typed(1, "ed-1", "id+jwt", &valid)),
        ("typ of a JWE", tokens::eddsa_typed(1, "ed-1", "JOSE", &valid)),
        ("garbage", "not.a.jwt".to_owned()),
    ];
    for (case, token) in cases {
        let response = get_with(&app, &token);
        assert_eq!(response.status, 401, "{case}: {}", response.body);
        let challenge = response.header("www-authenticate").unwrap_or_default();
        assert!(challenge.starts_with(r#"Bearer error="invalid_token""#), "{case}: {challenge}");
        assert_eq!(response.error_code(), "INVALID_TOKEN", "{case}");
    }
}

#[test]
fn access_token_types_are_accepted_in_any_case() {
    let app = app_trusting_partner();
    for typ in ["JWT", "at+jwt", "application/at+jwt", "AT+JWT"] {
        let response = get_with(&app, &tokens::eddsa_typed(1, "ed-1", typ, &claims(1001)));
        assert_eq!(response.status, 404, "typ {typ}: {}", response.body);
    }
}

#[test]
fn time_claims_have_sixty_seconds_of_leeway() {
    let app = app_trusting_partner();
    let mut c = claims(1001);
    c["exp"] = json!(tokens::now() - 30);
    c["nbf"] = json!(tokens::now() + 30);
    assert_eq!(get_with(&app, &tokens::eddsa(1, "ed-1", &c)).status, 404);
}

#[test]
fn a_valid_token_without_an_organisation_is_403() {
    let app = app_trusting_partner();
    let mut c = claims(1001);
    c.as_object_mut().unwrap().remove("https://entur.io/organisationID");
    let response = get_with(&app, &tokens::eddsa(1, "ed-1", &c));
    assert_eq!(response.status, 403);
    assert_eq!(response.error_code(), "MISSING_ORGANISATION");
}

#[test]
fn the_organisation_claim_name_is_configurable() {
    let app = spawn_app_with(&[("jwt_jwks", &partner_jwks()), ("organisation_claim", "org")]);
    let mut c = claims(1001);
    c.as_object_mut().unwrap().remove("https://entur.io/organisationID");
    c["org"] = json!("1001");
    assert_eq!(get_with(&app, &tokens::eddsa(1, "ed-1", &c)).status, 404);
}

#[test]
fn a_valid_token_without_the_permission_is_403() {
    let app = app_trusting_partner();
    let mut c = claims(1001);
    c["permissions"] = json!(["consents:les"]);
    let token = tokens::eddsa(1, "ed-1", &c);
    let read = get_with(&app, &token);
    assert_eq!(read.status, 403);
    assert_eq!(read.error_code(), "MISSING_PERMISSION");
    let create = app.send("POST", "/customers/v2/profiles", Some(&token), Some(&kari_nordmann()));
    assert_eq!(create.status, 403);
    assert_eq!(create.error_code(), "MISSING_PERMISSION");
}

#[test]
fn keys_are_fetched_by_url_once_and_then_served_from_the_cache() {
    let server = JwksServer::start(partner_jwks());
    let app = spawn_app_with(&[("jwt_jwks_url", &server.url)]);
    let token = tokens::eddsa(1, "ed-1", &claims(1001));
    for _ in 0..5 {
        assert_eq!(get_with(&app, &token).status, 404);
    }
    assert_eq!(server.fetches(), 1, "steady state must not fetch the JWKS per request");
}

#[test]
fn a_rotated_key_is_picked_up_with_at_most_one_refetch_a_minute() {
    if test_host_only("moves the components' clock") {
        return;
    }
    let server = JwksServer::start(partner_jwks());
    let app = spawn_app_with(&[("jwt_jwks_url", &server.url)]);
    assert_eq!(get_with(&app, &tokens::eddsa(1, "ed-1", &claims(1001))).status, 404);
    assert_eq!(server.fetches(), 1);

    // The issuer rotates to a new key with a new kid.
    server.set_document(json!({"keys": [tokens::ed_jwk(2, "ed-2")]}).to_string());
    let rotated = tokens::eddsa(2, "ed-2", &claims(1001));
    // Within the minute after the last fetch, an unknown kid does not refetch...
    assert_eq!(get_with(&app, &rotated).status, 401);
    assert_eq!(get_with(&app, &rotated).status, 401);
    assert_eq!(server.fetches(), 1, "unknown kids must not hammer the issuer");
    // ...after it, the first unknown kid refetches and the new key is trusted.
    app.advance_clock_secs(61);
    let mut later = claims(1001);
    later["iat"] = json!(tokens::now() + 61);
    later["nbf"] = json!(tokens::now() + 61);
    later["exp"] = json!(tokens::now() + 661);
    let rotated = tokens::eddsa(2, "ed-2", &later);
    assert_eq!(get_with(&app, &rotated).status, 404);
    assert_eq!(server.fetches(), 2);
    assert_eq!(get_with(&app, &rotated).status, 404);
    assert_eq!(server.fetches(), 2);
}

#[test]
fn local_issuer_tokens_are_refused_once_the_issuer_is_disabled() {
    let state = fresh_state_dir();
    let token = spawn_app_on(state.clone(), &[], None).token(ORG_A);
    let production =
        spawn_app_on(state, &[("dev_issuer_enabled", "false"), ("jwt_jwks", &partner_jwks())], None);
    let response = get_with(&production, &token);
    assert_eq!(response.status, 401, "{}", response.body);
}
