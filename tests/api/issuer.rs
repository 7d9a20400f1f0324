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
