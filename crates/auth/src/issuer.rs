//! The local development token issuer: when it exists at all ([`active`], [`serves`]: the
//! one place of that rule), its Ed25519 signing key, how the key is stored and published
//! (JWKS), and the tokens it signs.
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

/// Whether the local issuer is active as far as configuration goes (contract §2): its keys
/// are trusted, and its endpoints may answer, only when `dev_issuer_enabled` is `true` and
/// `jwt_issuer` is a plain-HTTP URL of this machine. A deployment with a real issuer (an
/// `https://` tenant) thus never mints nor trusts local tokens, whatever `dev_issuer_enabled`
/// says, while `spin up` with no settings (`http://localhost:3000/`) works as before.
pub fn active(enabled: bool, jwt_issuer: &str) -> bool {
    enabled && is_loopback_http_url(jwt_issuer)
}

/// Whether the local issuer answers a request (`POST /oauth/token`, `GET
/// /.well-known/jwks.json`) from `client_addr`, Spin's `spin-client-addr` header (`ip:port`,
/// set by the host on every request, replacing any a client sent): only when it is
/// [`active`] and the caller is on this machine, so no deployment reached from another
/// machine can mint tokens, whatever its settings.
pub fn serves(enabled: bool, jwt_issuer: &str, client_addr: Option<&str>) -> bool {
    let client_ip = client_addr.and_then(split_authority).filter(|(_, port)| port.is_some());
    active(enabled, jwt_issuer) && client_ip.is_some_and(|(ip, _)| is_loopback_ip(ip))
}

/// `http://` (any case) followed by an authority whose host is `localhost`, an address of
/// 127.0.0.0/8 or `[::1]`, with an optional port, then nothing or a path. Anything unusual
/// (user info such as `localhost@evil.example`, a trailing-dot name, `127.1`) is refused.
fn is_loopback_http_url(url: &str) -> bool {
    let Some(rest) = url.get(..7).filter(|scheme| scheme.eq_ignore_ascii_case("http://")).map(|_| &url[7..])
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    split_authority(authority)
        .is_some_and(|(host, _)| host.eq_ignore_ascii_case("localhost") || is_loopback_ip(host))
}

/// `host[:port]` or `[ipv6][:port]` as the host and the port, if it is one: no user info, a
/// port of digits up to 65535.
fn split_authority(authority: &str) -> Option<(&str, Option<&str>)> {
    let (host, port) = match authority.strip_prefix('[') {
        Some(bracketed) => {
            let (host, after) = bracketed.split_once(']')?;
            (host, if after.is_empty() { None } else { Some(after.strip_prefix(':')?) })
        }
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    let port_ok = port.is_none_or(|p| p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok());
    (port_ok && !host.is_empty() && !host.contains('@')).then_some((host, port))
}

/// An address of 127.0.0.0/8 in dotted decimal, `::1`, or 127.0.0.0/8 written as an
/// IPv4-mapped IPv6 address (how a host listening on `[::]` reports a client on 127.0.0.1).
/// Checked by hand: std's address parser is several KiB, and every API component links this.
fn is_loopback_ip(ip: &str) -> bool {
    let ip = ip.to_ascii_lowercase();
    ip == "::1" || is_loopback_v4(&ip) || ip.strip_prefix("::ffff:").is_some_and(is_loopback_v4)
}

fn is_loopback_v4(ip: &str) -> bool {
    let octets: Vec<&str> = ip.split('.').collect();
    let octet = |o: &&str| {
        (1..=3).contains(&o.len())
            && o.bytes().all(|b| b.is_ascii_digit())
            && (o.len() == 1 || !o.starts_with('0'))
            && o.parse::<u16>().is_ok_and(|n| n <= 255)
    };
    octets.len() == 4 && octets[0] == "127" && octets.iter().all(octet)
}

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

    /// The form in which the key pair is kept: one key-value entry, so that the key that
    /// signs and the key that is trusted can never be two different keys (two first requests
    /// each generating one used to store one's public key and the other's private key). It is
    /// the public JWKS ([`DevSigningKey::public_jwks`]) with the private JWK in a member
    /// `private` of its own, so the API components read it with [`crate::Jwks::parse`], which
    /// takes only `keys`. Secret: never log or serve it.
    pub fn to_stored_json(&self) -> String {
        let mut stored: Value = serde_json::from_str(&self.public_jwks()).expect("our own JSON");
        stored["private"] =
            serde_json::to_value(JsonWebKey::from(&self.key)).expect("a JWK always serialises");
        stored.to_string()
    }

    /// Reads a key pair written by [`DevSigningKey::to_stored_json`].
    pub fn from_stored_json(json: &str) -> Result<Self, DevKeyError> {
        let stored: Value = serde_json::from_str(json).map_err(|err| DevKeyError(err.to_string()))?;
        let private = stored.get("private").ok_or_else(|| DevKeyError("no private member".into()))?;
        Self::from_private_json(&private.to_string())
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
    fn the_issuer_is_active_only_when_enabled_with_a_loopback_http_issuer() {
        for issuer in [
            "http://localhost:3000/",
            "http://localhost",
            "HTTP://LocalHost:3000",
            "http://127.0.0.1:3000/",
            "http://127.42.0.9/realm?x",
            "http://[::1]:3000/",
            "http://[::1]",
        ] {
            assert!(active(true, issuer), "{issuer} is a loopback issuer");
            assert!(!active(false, issuer), "{issuer}: disabled means inactive");
        }
        for issuer in [
            "https://localhost:3000/",
            "https://tenant.eu.auth0.com/",
            "http://auth.example.com/",
            "http://localhost.evil.example/",
            "http://localhost@evil.example/",
            "http://evil.example@localhost:3000/",
            "http://127.0.0.1.nip.io/",
            "http://128.0.0.1/",
            "http://0.0.0.0:3000/",
            "http://10.0.0.5:3000/",
            "http://[::2]/",
            "http://[::1/",
            "http://localhost./",
            "http://127.1/",
            "http://localhost:/",
            "http://localhost:99999/",
            "http://localhost:3000x/",
            "http:/localhost/",
            "localhost:3000",
            "",
        ] {
            assert!(!active(true, issuer), "{issuer:?} must not activate the local issuer");
        }
    }

    #[test]
    fn the_issuer_serves_only_callers_on_this_machine() {
        let issuer = "http://localhost:3000/";
        for client in ["127.0.0.1:50000", "127.9.9.9:1", "[::1]:50000", "[::ffff:127.0.0.1]:50000"] {
            assert!(serves(true, issuer, Some(client)), "{client}");
        }
        for client in ["192.0.2.2:50000", "10.0.0.1:1", "[::ffff:192.0.2.2]:1", "[2001:db8::1]:1"] {
            assert!(!serves(true, issuer, Some(client)), "{client}");
        }
        for malformed in [
            None,
            Some(""),
            Some("127.0.0.1"),
            Some("localhost:1"),
            Some("127.0.0.1:1, 10.0.0.1:1"),
            Some("127.0.0.256:1"),
            Some("127.0.0.01:1"),
            Some("127.0.0:1"),
            Some("127.0.0.1:"),
            Some("[::1]"),
            Some("[::1]x:1"),
        ] {
            assert!(!serves(true, issuer, malformed), "{malformed:?}");
        }
        assert!(!serves(false, issuer, Some("127.0.0.1:1")));
        assert!(!serves(true, "https://tenant.eu.auth0.com/", Some("127.0.0.1:1")));
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
    fn the_stored_pair_reads_back_as_the_same_key_and_as_a_jwks_of_its_public_half() {
        let key = DevSigningKey::from_seed([7; 32]);
        let stored = key.to_stored_json();
        assert_eq!(DevSigningKey::from_stored_json(&stored).unwrap().kid(), key.kid());
        let keys = Jwks::parse(&stored).unwrap();
        assert_eq!(keys.len(), 1);
        assert!(keys.has_kid(&key.kid()));
        assert!(verifier().verify(&key.sign(&dev_claims()), &keys, NOW).is_ok());
        assert!(DevSigningKey::from_stored_json(&key.public_jwks()).is_err(), "no private key, no signing");
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
