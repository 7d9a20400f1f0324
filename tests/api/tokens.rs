//! Third-party tokens for the tests: a "partner issuer" with keys of every supported type,
//! whose JWKS the tests hand to the service (inline or served by URL), and raw builders
//! for the malformed tokens the service must refuse.

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_compact::alg::{Ed25519, Es256, Hs256, Hs256Key, ModulusBits, Rsa, RsaPrivateKey, RsaPublicKey};
use jwt_compact::jwk::JsonWebKey;
use jwt_compact::{AlgorithmExt, Claims, Header};
use serde_json::{json, Map, Value};
use std::sync::OnceLock;

type EcSigningKey = <Es256 as jwt_compact::Algorithm>::SigningKey;

pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

fn rsa_pair() -> &'static (RsaPrivateKey, RsaPublicKey) {
    static PAIR: OnceLock<(RsaPrivateKey, RsaPublicKey)> = OnceLock::new();
    PAIR.get_or_init(|| {
        let (private, public) =
            Rsa::generate(&mut rand_core::OsRng, ModulusBits::TwoKibibytes).expect("RSA keygen");
        (private.into_inner(), public.into_inner())
    })
}

fn ec_key() -> EcSigningKey {
    EcSigningKey::from_slice(&[0x11; 32]).expect("P-256 scalar")
}

/// An Ed25519 key from a seed byte: different seeds, different keys (rotation tests).
pub fn ed_key(seed: u8) -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&[seed; 32])
}

fn jwk(jwk: JsonWebKey<'_>, kid: &str) -> Value {
    let mut value = serde_json::to_value(jwk).expect("JWK");
    value["kid"] = json!(kid);
    value
}

pub fn rsa_jwk(kid: &str) -> Value {
    jwk(JsonWebKey::from(&rsa_pair().1), kid)
}
pub fn ec_jwk(kid: &str) -> Value {
    jwk(JsonWebKey::from(ec_key().verifying_key()), kid)
}
pub fn ed_jwk(seed: u8, kid: &str) -> Value {
    jwk(JsonWebKey::from(&ed_key(seed).verifying_key()), kid)
}

/// The partner's JWKS: RSA `rsa-1`, P-256 `ec-1`, Ed25519 `ed-1` (seed 1).
pub fn partner_jwks() -> String {
    json!({"keys": [rsa_jwk("rsa-1"), ec_jwk("ec-1"), ed_jwk(1, "ed-1")]}).to_string()
}

/// Claims the service accepts for organisation `org`, with every permission.
pub fn claims(org: i64) -> Value {
    let now = now();
    json!({
        "iss": crate::helpers::ISSUER, "aud": [crate::helpers::AUDIENCE, "other-api"],
        "sub": "partner-service", "azp": "partner-service",
        "iat": now - 5, "nbf": now - 5, "exp": now + 600,
        "permissions": ["customers-profile:les", "customers-profile:opprett", "customers-profile:endre",
                        "customers-profile:slett", "consents:les", "consents:endre", "consents:admin"],
        "https://entur.io/organisationID": org,
    })
}

fn claims_of(value: &Value) -> Claims<Map<String, Value>> {
    Claims::new(value.as_object().expect("object").clone())
}

fn header(kid: &str) -> Header {
    Header::empty().with_token_type("JWT").with_key_id(kid)
}

pub fn rs256(kid: &str, claims: &Value) -> String {
    Rsa::rs256().token(&header(kid), &claims_of(claims), &rsa_pair().0).expect("sign")
}
pub fn ps256(kid: &str, claims: &Value) -> String {
    Rsa::ps256().token(&header(kid), &claims_of(claims), &rsa_pair().0).expect("sign")
}
pub fn es256(kid: &str, claims: &Value) -> String {
    Es256.token(&header(kid), &claims_of(claims), &ec_key()).expect("sign")
}
pub fn eddsa(seed: u8, kid: &str, claims: &Value) -> String {
    Ed25519.token(&header(kid), &claims_of(claims), &ed_key(seed)).expect("sign")
}

/// HS256 signed with the RSA public key's JWK text as the secret: the classic
/// algorithm-confusion attack.
pub fn hs256_with_public_key(kid: &str, claims: &Value) -> String {
    let secret = Hs256Key::new(rsa_jwk(kid).to_string().as_bytes());
    Hs256.token(&header(kid), &claims_of(claims), &secret).expect("sign")
}

/// An unsigned token (`alg: none`).
pub fn alg_none(kid: &str, claims: &Value) -> String {
    let header = json!({"alg": "none", "typ": "JWT", "kid": kid});
    format!("{}.{}.", b64(&header), b64(claims))
}

/// A valid token whose payload was changed after signing.
pub fn tampered(token: &str, claims: &Value) -> String {
    let mut parts: Vec<&str> = token.split('.').collect();
    let forged = b64(claims);
    parts[1] = &forged;
    parts.join(".")
}

fn b64(value: &Value) -> String {
    Base64UrlUnpadded::encode_string(value.to_string().as_bytes())
}

/// An EdDSA token with the given `typ` header.
pub fn eddsa_typed(seed: u8, kid: &str, typ: &str, claims: &Value) -> String {
    let header = Header::empty().with_token_type(typ).with_key_id(kid);
    Ed25519.token(&header, &claims_of(claims), &ed_key(seed)).expect("sign")
}

/// A token with any header and a signature of junk: for algorithms nothing can verify.
pub fn with_header(header: &Value, claims: &Value) -> String {
    format!("{}.{}.c2lnbmF0dXJl", b64(header), b64(claims))
}
