//! The local development token issuer: an Ed25519 signing key, how it is stored and
//! published (JWKS), and the tokens it signs.
//!
//! Used only by the dev-only issuer component. Its tokens carry the same claims as a real
//! identity provider's and are verified by the same [`crate::Verifier::verify`].

use std::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_compact::alg::Ed25519;
use jwt_compact::jwk::JsonWebKey;
use jwt_compact::{AlgorithmExt, Claims, Header};
use serde_json::{json, Map, Value};
use sha2::Sha256;

/// The development issuer's Ed25519 signing key.
#[derive(Clone)]
pub struct DevSigningKey {
    key: ed25519_dalek::SigningKey,
}

/// What a development token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevClaims {
    /// `iss`.
    pub issuer: String,
    /// `aud` (a single string).
    pub audience: String,
    /// Both `sub` and `azp`: the client the token is issued to.
    pub client_id: String,
    /// The name of the claim carrying `organisation_id`.
    pub organisation_claim: String,
    /// The organisation id (an integer in the token).
    pub organisation_id: i64,
    /// `permissions`.
    pub permissions: Vec<String>,
    /// `iat` and `nbf`, in seconds since the Unix epoch.
    pub issued_at: i64,
    /// `exp`, in seconds since the Unix epoch.
    pub expires_at: i64,
}

/// A stored private key that cannot be read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevKeyError(String);

impl fmt::Display for DevKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unreadable development signing key: {}", self.0)
    }
}

impl std::error::Error for DevKeyError {}

impl DevSigningKey {
    /// The key for a 32-byte seed; the caller supplies the randomness.
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self { key: ed25519_dalek::SigningKey::from_bytes(&seed) }
    }

    /// The key id: the RFC 7638 thumbprint (SHA-256, base64url) of the public key, so the same
    /// key always has the same id.
    pub fn kid(&self) -> String {
        let public = self.key.verifying_key();
        let thumbprint = JsonWebKey::from(&public).thumbprint::<Sha256>();
        Base64UrlUnpadded::encode_string(&thumbprint)
    }

    /// The private key as a JWK (`{"kty":"OKP","crv":"Ed25519","x":..,"d":..}`), the form in
    /// which it is kept in the key-value store. Secret: never log or serve it.
    pub fn to_private_json(&self) -> String {
        serde_json::to_string(&JsonWebKey::from(&self.key)).expect("a JWK always serialises")
    }

    /// Reads a key written by [`DevSigningKey::to_private_json`].
    pub fn from_private_json(json: &str) -> Result<Self, DevKeyError> {
        let jwk: JsonWebKey<'_> = serde_json::from_str(json).map_err(|err| DevKeyError(err.to_string()))?;
        let key = ed25519_dalek::SigningKey::try_from(&jwk).map_err(|err| DevKeyError(err.to_string()))?;
        Ok(Self { key })
    }

    /// The JWKS publishing the public key:
    /// `{"keys":[{"kty":"OKP","crv":"Ed25519","x":..,"kid":..,"alg":"EdDSA","use":"sig"}]}`.
    pub fn public_jwks(&self) -> String {
        let public = self.key.verifying_key();
        let mut jwk = serde_json::to_value(JsonWebKey::from(&public)).expect("JWK to JSON");
        jwk["kid"] = json!(self.kid());
        jwk["alg"] = json!("EdDSA");
        jwk["use"] = json!("sig");
        json!({ "keys": [jwk] }).to_string()
    }

    /// A signed token (header `alg` `EdDSA`, `typ` `JWT`, `kid`) carrying `iss`, `aud`,
    /// `sub`, `azp`, `iat`, `nbf`, `exp`, `permissions` and the organisation claim.
    pub fn sign(&self, claims: &DevClaims) -> String {
        let header = Header::empty().with_token_type("JWT").with_key_id(self.kid());
        let mut payload = Map::new();
        payload.insert("iss".into(), json!(claims.issuer));
        payload.insert("aud".into(), json!(claims.audience));
        payload.insert("sub".into(), json!(claims.client_id));
        payload.insert("azp".into(), json!(claims.client_id));
        payload.insert("iat".into(), json!(claims.issued_at));
        payload.insert("nbf".into(), json!(claims.issued_at));
        payload.insert("exp".into(), json!(claims.expires_at));
        payload.insert("permissions".into(), json!(claims.permissions));
        payload.insert(claims.organisation_claim.clone(), Value::from(claims.organisation_id));
        Ed25519
            .token(&header, &Claims::new(payload), &self.key)
            .expect("a JSON object of strings and numbers always serialises")
    }
}

impl fmt::Debug for DevSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevSigningKey").field("kid", &self.kid()).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{verifier, AUDIENCE, ISSUER, NOW, ORGANISATION_CLAIM};
    use crate::{AuthError, Jwks, Permission};

    fn dev_claims() -> DevClaims {
        DevClaims {
            issuer: ISSUER.to_owned(),
            audience: AUDIENCE.to_owned(),
            client_id: "dev-client".to_owned(),
            organisation_claim: ORGANISATION_CLAIM.to_owned(),
            organisation_id: 1234,
            permissions: vec!["customers-profile:opprett".to_owned()],
            issued_at: NOW,
            expires_at: NOW + 3600,
        }
    }

    #[test]
    fn a_dev_token_verifies_through_the_ordinary_verifier() {
        let key = DevSigningKey::from_seed([7; 32]);
        let keys = Jwks::parse(&key.public_jwks()).unwrap();
        let caller = verifier().verify(&key.sign(&dev_claims()), &keys, NOW).unwrap();
        assert_eq!(caller.org(), 1234);
        assert_eq!(caller.client_id(), Some("dev-client"));
        assert!(caller.has(Permission::ProfileCreate));
        assert!(!caller.has(Permission::ProfileRead));
    }

    #[test]
    fn a_dev_token_is_checked_like_any_other() {
        let key = DevSigningKey::from_seed([7; 32]);
        let keys = Jwks::parse(&key.public_jwks()).unwrap();
        let token = key.sign(&dev_claims());
        assert_eq!(verifier().verify(&token, &keys, NOW + 3600 + 61), Err(AuthError::Invalid("expired")));
        let other_key = DevSigningKey::from_seed([8; 32]);
        let other_keys = Jwks::parse(&other_key.public_jwks()).unwrap();
        assert_eq!(verifier().verify(&token, &other_keys, NOW), Err(AuthError::UnknownKid));
    }

    #[test]
    fn the_dev_token_header_names_the_key() {
        let key = DevSigningKey::from_seed([7; 32]);
        let token = key.sign(&dev_claims());
        assert_eq!(crate::token_kid(&token), Some(key.kid()));
        let header: Value =
            serde_json::from_slice(&Base64UrlUnpadded::decode_vec(token.split('.').next().unwrap()).unwrap())
                .unwrap();
        assert_eq!(header["alg"], "EdDSA");
        assert_eq!(header["typ"], "JWT");
    }

    #[test]
    fn the_kid_is_stable_for_a_key_and_differs_between_keys() {
        let key = DevSigningKey::from_seed([7; 32]);
        assert_eq!(key.kid(), DevSigningKey::from_seed([7; 32]).kid());
        assert_ne!(key.kid(), DevSigningKey::from_seed([8; 32]).kid());
        assert_eq!(key.kid().len(), 43); // 32 bytes of SHA-256, base64url without padding
    }

    #[test]
    fn the_public_jwks_has_the_contract_members_and_no_secret() {
        let key = DevSigningKey::from_seed([7; 32]);
        let jwks: Value = serde_json::from_str(&key.public_jwks()).unwrap();
        let jwk = &jwks["keys"][0];
        assert_eq!(jwk["kty"], "OKP");
        assert_eq!(jwk["crv"], "Ed25519");
        assert_eq!(jwk["alg"], "EdDSA");
        assert_eq!(jwk["use"], "sig");
        assert_eq!(jwk["kid"], key.kid().as_str());
        assert!(jwk["x"].is_string());
        assert!(jwk.get("d").is_none());
    }

    #[test]
    fn the_private_json_roundtrips_to_the_same_key() {
        let key = DevSigningKey::from_seed([7; 32]);
        let json = key.to_private_json();
        let restored = DevSigningKey::from_private_json(&json).unwrap();
        assert_eq!(restored.kid(), key.kid());
        let keys = Jwks::parse(&key.public_jwks()).unwrap();
        assert!(verifier().verify(&restored.sign(&dev_claims()), &keys, NOW).is_ok());
    }

    #[test]
    fn unreadable_private_json_is_an_error() {
        assert!(DevSigningKey::from_private_json("{}").is_err());
        assert!(DevSigningKey::from_private_json("not json").is_err());
        let public_only: Value =
            serde_json::from_str(&DevSigningKey::from_seed([7; 32]).public_jwks()).unwrap();
        assert!(DevSigningKey::from_private_json(&public_only["keys"][0].to_string()).is_err());
    }

    #[test]
    fn the_debug_output_does_not_show_the_secret() {
        let key = DevSigningKey::from_seed([7; 32]);
        let debug = format!("{key:?}");
        assert!(debug.contains(&key.kid()));
        let private: Value = serde_json::from_str(&key.to_private_json()).unwrap();
        assert!(!debug.contains(private["d"].as_str().unwrap()));
    }
}
