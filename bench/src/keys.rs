//! The benchmark's partner issuer: one key of every algorithm the service accepts, the JWKS
//! that publishes them, and tokens signed with them (as `tests/api/tokens.rs` does).

use jwt_compact::alg::{Ed25519, Es256, ModulusBits, Rsa, RsaPrivateKey, RsaPublicKey};
use jwt_compact::jwk::JsonWebKey;
use jwt_compact::{AlgorithmExt, Claims, Header};
use serde_json::{json, Map, Value};

type EcSigningKey = <Es256 as jwt_compact::Algorithm>::SigningKey;

/// Signing keys: RSA 2048 (`rsa-1`, RS256 and PS256), P-256 (`ec-1`), Ed25519 (`ed-1`).
pub struct Keys {
    rsa: RsaPrivateKey,
    rsa_public: RsaPublicKey,
    ec: EcSigningKey,
    ed: ed25519_dalek::SigningKey,
}

/// The algorithms the service accepts.
pub const ALGORITHMS: [&str; 4] = ["RS256", "PS256", "ES256", "EdDSA"];

impl Keys {
    /// Fresh RSA key (a second or so), fixed EC and Ed25519 keys.
    pub fn generate() -> Keys {
        let (rsa, rsa_public) =
            Rsa::generate(&mut rand_core::OsRng, ModulusBits::TwoKibibytes).expect("RSA key generation");
        Keys {
            rsa: rsa.into_inner(),
            rsa_public: rsa_public.into_inner(),
            ec: EcSigningKey::from_slice(&[0x11; 32]).expect("P-256 scalar"),
            ed: ed25519_dalek::SigningKey::from_bytes(&[7; 32]),
        }
    }

    /// The public JWKS, as an issuer publishes it at its `/.well-known/jwks.json`.
    pub fn jwks(&self) -> String {
        let jwk = |key: JsonWebKey<'_>, kid: &str| {
            let mut value = serde_json::to_value(key).expect("JWK");
            value["kid"] = json!(kid);
            value["use"] = json!("sig");
            value
        };
        json!({"keys": [
            jwk(JsonWebKey::from(&self.rsa_public), "rsa-1"),
            jwk(JsonWebKey::from(self.ec.verifying_key()), "ec-1"),
            jwk(JsonWebKey::from(&self.ed.verifying_key()), "ed-1"),
        ]})
        .to_string()
    }

    /// A token of `alg` for organisation `org` with every permission, valid for `ttl_secs`.
    pub fn token(&self, alg: &str, org: i64, ttl_secs: i64) -> String {
        let now = crate::now_millis() / 1000;
        let claims = json!({
            "iss": crate::ISSUER, "aud": [crate::AUDIENCE, "https://other-api.example"],
            "sub": "bench-client@clients", "azp": "bench-client",
            "iat": now - 5, "nbf": now - 5, "exp": now + ttl_secs,
            "permissions": ["customers-profile:les", "customers-profile:opprett", "customers-profile:endre",
                            "customers-profile:slett", "consents:les", "consents:endre", "consents:admin"],
            "https://entur.io/organisationID": org,
        });
        let claims: Claims<Map<String, Value>> = Claims::new(claims.as_object().expect("object").clone());
        let header = |kid: &str| Header::empty().with_token_type("JWT").with_key_id(kid);
        match alg {
            "RS256" => Rsa::rs256().token(&header("rsa-1"), &claims, &self.rsa),
            "PS256" => Rsa::ps256().token(&header("rsa-1"), &claims, &self.rsa),
            "ES256" => Es256.token(&header("ec-1"), &claims, &self.ec),
            "EdDSA" => Ed25519.token(&header("ed-1"), &claims, &self.ed),
            other => panic!("no such algorithm {other}"),
        }
        .expect("signing")
    }
}
