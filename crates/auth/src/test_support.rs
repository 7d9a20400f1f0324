//! Test fixtures shared by the unit tests: signing keys of every supported type, a key set
//! trusting them, valid claims, and helpers to sign and encode tokens.

use std::sync::OnceLock;

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_compact::alg::{Ed25519, Es256, ModulusBits, Rsa, RsaPrivateKey, RsaPublicKey};
use jwt_compact::jwk::JsonWebKey;
use jwt_compact::{Algorithm, AlgorithmExt, Claims, Header};
use serde_json::{json, Map, Value};

use crate::{Jwks, Verifier, DEFAULT_ORGANISATION_CLAIM};

pub const NOW: i64 = 1_700_000_000;
pub const ISSUER: &str = "https://partner.example/";
pub const AUDIENCE: &str = "https://api.example/customers";
pub const ORGANISATION_CLAIM: &str = DEFAULT_ORGANISATION_CLAIM;
pub const ORGANISATION: i64 = 42;
pub const RSA_KID: &str = "rsa-1";
pub const EC_KID: &str = "ec-1";
pub const ED_KID: &str = "ed-1";

pub type TestClaims = Claims<Map<String, Value>>;
type EcSigningKey = <Es256 as Algorithm>::SigningKey;

fn rsa_pair() -> &'static (RsaPrivateKey, RsaPublicKey) {
    static PAIR: OnceLock<(RsaPrivateKey, RsaPublicKey)> = OnceLock::new();
    PAIR.get_or_init(|| {
        let (private, public) =
            Rsa::generate(&mut rand_core::OsRng, ModulusBits::TwoKibibytes).expect("RSA key generation");
        (private.into_inner(), public.into_inner())
    })
}

pub fn rsa_private() -> &'static RsaPrivateKey {
    &rsa_pair().0
}

pub fn ec_private() -> &'static EcSigningKey {
    static KEY: OnceLock<EcSigningKey> = OnceLock::new();
    KEY.get_or_init(|| EcSigningKey::from_slice(&[0x11; 32]).expect("valid P-256 scalar"))
}

pub fn ed_private() -> &'static ed25519_dalek::SigningKey {
    static KEY: OnceLock<ed25519_dalek::SigningKey> = OnceLock::new();
    KEY.get_or_init(|| ed25519_dalek::SigningKey::from_bytes(&[0x22; 32]))
}

fn with_members(jwk: &JsonWebKey<'_>, kid: Option<&str>, alg: Option<&str>) -> Value {
    let mut value = serde_json::to_value(jwk).expect("JWK to JSON");
    if let Some(kid) = kid {
        value["kid"] = json!(kid);
    }
    if let Some(alg) = alg {
        value["alg"] = json!(alg);
    }
    value
}

/// The public JWK of the test RSA key, with optional `kid` and `alg` members.
pub fn rsa_jwk(kid: Option<&str>, alg: Option<&str>) -> Value {
    with_members(&JsonWebKey::from(&rsa_pair().1), kid, alg)
}

/// The public JWK of the test P-256 key, with optional `kid` and `alg` members.
pub fn ec_jwk(kid: Option<&str>, alg: Option<&str>) -> Value {
    with_members(&JsonWebKey::from(ec_private().verifying_key()), kid, alg)
}

/// The public JWK of the test Ed25519 key, with optional `kid` and `alg` members.
pub fn ed_jwk(kid: Option<&str>, alg: Option<&str>) -> Value {
    with_members(&JsonWebKey::from(&ed_private().verifying_key()), kid, alg)
}

/// A key set trusting the three test keys under [`RSA_KID`], [`EC_KID`] and [`ED_KID`].
pub fn trusted_keys() -> Jwks {
    let document = json!({"keys": [
        rsa_jwk(Some(RSA_KID), None),
        ec_jwk(Some(EC_KID), None),
        ed_jwk(Some(ED_KID), None),
    ]});
    Jwks::parse(&document.to_string()).expect("test JWKS")
}

pub fn verifier() -> Verifier {
    Verifier::new(ISSUER, AUDIENCE)
}

/// Claims that [`verifier`] accepts at [`NOW`].
pub fn claims_value() -> Value {
    json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "subject-1",
        "azp": "client-1",
        "iat": NOW - 10,
        "nbf": NOW - 10,
        "exp": NOW + 300,
        "permissions": ["customers-profile:les", "consents:endre", "other:scope"],
        ORGANISATION_CLAIM: ORGANISATION,
    })
}

pub fn to_claims(value: Value) -> TestClaims {
    Claims::new(value.as_object().expect("claims are an object").clone())
}

pub fn claims() -> TestClaims {
    to_claims(claims_value())
}

pub fn header(kid: Option<&str>) -> Header {
    let header = Header::empty().with_token_type("JWT");
    match kid {
        Some(kid) => header.with_key_id(kid),
        None => header,
    }
}

pub fn b64_json(value: &Value) -> String {
    Base64UrlUnpadded::encode_string(value.to_string().as_bytes())
}

pub fn sign_rs256(kid: Option<&str>, claims: &TestClaims) -> String {
    Rsa::rs256().token(&header(kid), claims, rsa_private()).unwrap()
}

pub fn sign_ps256(kid: Option<&str>, claims: &TestClaims) -> String {
    Rsa::ps256().token(&header(kid), claims, rsa_private()).unwrap()
}

pub fn sign_es256(kid: Option<&str>, claims: &TestClaims) -> String {
    Es256.token(&header(kid), claims, ec_private()).unwrap()
}

pub fn sign_eddsa(kid: Option<&str>, claims: &TestClaims) -> String {
    Ed25519.token(&header(kid), claims, ed_private()).unwrap()
}
