//! The trusted key set: parsing JWKS documents into public keys, each with the signature
//! algorithms it may verify, and picking the keys a token may be checked with.

use std::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_compact::alg::{Es256, RsaPublicKey};
use jwt_compact::Algorithm;
use rsa::BigUint;
use serde::Deserialize;
use serde_json::Value;

use crate::AuthError;

/// An ECDSA P-256 public key, as jwt-compact's `ES256` expects it.
pub(crate) type P256PublicKey = <Es256 as Algorithm>::VerifyingKey;

/// The smallest RSA modulus trusted, in bits (RFC 7518, section 3.3).
const MIN_RSA_BITS: usize = 2048;

/// A signature algorithm accepted in a token header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Alg {
    Rs256,
    Ps256,
    Es256,
    EdDsa,
}

impl Alg {
    /// The algorithm named by a token header's `alg`; `none`, HMAC and anything else refused.
    pub(crate) fn from_header(name: &str) -> Result<Alg, AuthError> {
        match name {
            "RS256" => Ok(Alg::Rs256),
            "PS256" => Ok(Alg::Ps256),
            "ES256" => Ok(Alg::Es256),
            "EdDSA" => Ok(Alg::EdDsa),
            _ if name.eq_ignore_ascii_case("none") => Err(AuthError::Invalid("alg none refused")),
            _ if name.starts_with("HS") => Err(AuthError::Invalid("HMAC alg refused")),
            _ => Err(AuthError::Invalid("unsupported alg")),
        }
    }
}

/// The public part of a trusted key.
#[derive(Debug, Clone)]
pub(crate) enum PublicKey {
    Rsa(RsaPublicKey),
    P256(P256PublicKey),
    Ed25519(ed25519_dalek::VerifyingKey),
}

/// A trusted key: its id, its public part, and the algorithms it may verify (fixed by its
/// type, narrowed by the JWK's `alg` member).
#[derive(Debug, Clone)]
pub(crate) struct TrustedKey {
    pub(crate) kid: Option<String>,
    pub(crate) key: PublicKey,
    pub(crate) algs: &'static [Alg],
}

/// The trusted public keys that token signatures are checked against.
///
/// Only asymmetric signing keys are kept: RSA (2048 bits or more; `RS256`/`PS256`),
/// EC P-256 (`ES256`) and OKP Ed25519 (`EdDSA`).
#[derive(Debug, Clone, Default)]
pub struct Jwks {
    keys: Vec<TrustedKey>,
}

/// A JWKS document that is not JSON of the form `{"keys": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwksError(String);

impl fmt::Display for JwksError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed JWKS document: {}", self.0)
    }
}

impl std::error::Error for JwksError {}

#[derive(Deserialize)]
struct JwksDocument {
    keys: Vec<Value>,
}

impl Jwks {
    /// Parses a JWKS document (`{"keys": [...]}`).
    ///
    /// Keys that cannot be used to verify our tokens are skipped, not reported: symmetric
    /// (`oct`) keys, unsupported `kty`/`crv`, `use` other than `sig`, an `alg` that does not
    /// fit the key type, RSA keys under 2048 bits, and malformed key members. Only a document
    /// that is not JSON of that shape is an error.
    pub fn parse(json: &str) -> Result<Jwks, JwksError> {
        let document: JwksDocument = serde_json::from_str(json).map_err(|err| JwksError(err.to_string()))?;
        let keys = document.keys.iter().filter_map(trusted_key).collect();
        Ok(Jwks { keys })
    }

    /// A key set that trusts nothing.
    pub fn empty() -> Jwks {
        Jwks::default()
    }

    /// Adds the keys of `other` (keys from several sources are all trusted).
    pub fn extend(&mut self, other: Jwks) {
        self.keys.extend(other.keys);
    }

    /// Whether a key has this `kid`.
    pub fn has_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|key| key.kid.as_deref() == Some(kid))
    }

    /// The number of trusted keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no key is trusted.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys a token with this `kid` and `alg` may be verified with: the keys named by
    /// `kid` (none: [`AuthError::UnknownKid`]) or, without `kid`, all keys; in both cases only
    /// those allowed to verify `alg`.
    pub(crate) fn candidates(&self, kid: Option<&str>, alg: Alg) -> Result<Vec<&TrustedKey>, AuthError> {
        let named: Vec<&TrustedKey> = match kid {
            Some(kid) => self.keys.iter().filter(|key| key.kid.as_deref() == Some(kid)).collect(),
            None => self.keys.iter().collect(),
        };
        if kid.is_some() && named.is_empty() {
            return Err(AuthError::UnknownKid);
        }
        let fitting: Vec<&TrustedKey> = named.into_iter().filter(|key| key.algs.contains(&alg)).collect();
        if fitting.is_empty() {
            return Err(AuthError::Invalid("alg does not fit the key"));
        }
        Ok(fitting)
    }
}

/// One JWK of the document as a trusted key, or `None` when it is skipped.
fn trusted_key(jwk: &Value) -> Option<TrustedKey> {
    let member = |name: &str| jwk.get(name);
    let text = |name: &str| member(name).and_then(Value::as_str);
    if member("use").is_some() && text("use") != Some("sig") {
        return None;
    }
    if member("alg").is_some() && text("alg").is_none() {
        return None;
    }
    let kid = match member("kid") {
        None | Some(Value::Null) => None,
        Some(Value::String(kid)) => Some(kid.clone()),
        Some(_) => return None,
    };
    let pinned_alg = text("alg");
    let (key, algs) = match text("kty")? {
        "RSA" => (PublicKey::Rsa(rsa_key(jwk)?), rsa_algs(pinned_alg)?),
        "EC" if matches!(pinned_alg, None | Some("ES256")) => {
            (PublicKey::P256(p256_key(jwk)?), &[Alg::Es256][..])
        }
        "OKP" if matches!(pinned_alg, None | Some("EdDSA")) => {
            (PublicKey::Ed25519(ed25519_key(jwk)?), &[Alg::EdDsa][..])
        }
        _ => return None,
    };
    Some(TrustedKey { kid, key, algs })
}

/// The algorithms an RSA key verifies: both, or only the one its JWK `alg` pins.
fn rsa_algs(pinned_alg: Option<&str>) -> Option<&'static [Alg]> {
    match pinned_alg {
        None => Some(&[Alg::Rs256, Alg::Ps256]),
        Some("RS256") => Some(&[Alg::Rs256]),
        Some("PS256") => Some(&[Alg::Ps256]),
        Some(_) => None,
    }
}

// The key members are read here rather than through jwt-compact's `JsonWebKey`, whose serde
// derive and conversions were about 25 KB of every API component's `.wasm`; the checks are the
// ones its conversions make (curve, coordinate lengths, the point on the curve, RSA's own).

/// A base64url (unpadded) member of the JWK, decoded.
fn bytes(jwk: &Value, name: &str) -> Option<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(jwk.get(name)?.as_str()?).ok()
}

/// An RSA key of at least [`MIN_RSA_BITS`]: modulus `n`, exponent `e`.
fn rsa_key(jwk: &Value) -> Option<RsaPublicKey> {
    let modulus = bytes(jwk, "n")?;
    let exponent = bytes(jwk, "e")?;
    if bit_length(&modulus) < MIN_RSA_BITS {
        return None;
    }
    RsaPublicKey::new(BigUint::from_bytes_be(&modulus), BigUint::from_bytes_be(&exponent)).ok()
}

/// A P-256 key: `crv` `P-256`, coordinates `x` and `y` of 32 bytes each, a point on the curve.
fn p256_key(jwk: &Value) -> Option<P256PublicKey> {
    const COORDINATE: usize = 32;
    if jwk.get("crv")?.as_str()? != "P-256" {
        return None;
    }
    let (x, y) = (bytes(jwk, "x")?, bytes(jwk, "y")?);
    if x.len() != COORDINATE || y.len() != COORDINATE {
        return None;
    }
    let mut uncompressed = Vec::with_capacity(1 + 2 * COORDINATE);
    uncompressed.push(4); // SEC1: an uncompressed point
    uncompressed.extend_from_slice(&x);
    uncompressed.extend_from_slice(&y);
    P256PublicKey::from_sec1_bytes(&uncompressed).ok()
}

/// An Ed25519 key: `crv` `Ed25519`, `x` the 32-byte public key.
fn ed25519_key(jwk: &Value) -> Option<ed25519_dalek::VerifyingKey> {
    if jwk.get("crv")?.as_str()? != "Ed25519" {
        return None;
    }
    let x: [u8; 32] = bytes(jwk, "x")?.try_into().ok()?;
    ed25519_dalek::VerifyingKey::from_bytes(&x).ok()
}

/// Bit length of a big-endian unsigned integer.
fn bit_length(big_endian: &[u8]) -> usize {
    let significant = match big_endian.iter().position(|&byte| byte != 0) {
        Some(first) => &big_endian[first..],
        None => return 0,
    };
    significant.len() * 8 - significant[0].leading_zeros() as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{ec_jwk, ed_jwk, rsa_jwk};
    use serde_json::json;

    fn document(keys: Vec<Value>) -> String {
        json!({ "keys": keys }).to_string()
    }

    #[test]
    fn parsing_keeps_rsa_ec_and_ed25519_keys_with_their_kids() {
        let jwks = Jwks::parse(&document(vec![
            rsa_jwk(Some("r"), None),
            ec_jwk(Some("e"), None),
            ed_jwk(Some("d"), None),
        ]))
        .unwrap();
        assert_eq!(jwks.len(), 3);
        assert!(jwks.has_kid("r") && jwks.has_kid("e") && jwks.has_kid("d"));
        assert!(!jwks.has_kid("x"));
    }

    #[test]
    fn parsing_skips_symmetric_oct_keys() {
        let oct = json!({"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQ", "kid": "hmac", "alg": "HS256"});
        let jwks = Jwks::parse(&document(vec![oct, ed_jwk(Some("d"), None)])).unwrap();
        assert_eq!(jwks.len(), 1);
        assert!(!jwks.has_kid("hmac"));
    }

    #[test]
    fn parsing_skips_keys_not_for_signatures_or_of_unsupported_type_or_curve() {
        let mut encryption = rsa_jwk(Some("enc"), None);
        encryption["use"] = json!("enc");
        let mut p384 = ec_jwk(Some("p384"), None);
        p384["crv"] = json!("P-384");
        let x25519 = json!({"kty": "OKP", "crv": "X25519", "x": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "kid": "x"});
        let unknown = json!({"kty": "PQC", "kid": "pqc"});
        let not_an_object = json!("key");
        let mut signing = rsa_jwk(Some("sig"), None);
        signing["use"] = json!("sig");
        let jwks =
            Jwks::parse(&document(vec![encryption, p384, x25519, unknown, not_an_object, signing])).unwrap();
        assert_eq!(jwks.len(), 1);
        assert!(jwks.has_kid("sig"));
    }

    #[test]
    fn parsing_skips_keys_whose_alg_does_not_fit_their_type() {
        let jwks = Jwks::parse(&document(vec![
            rsa_jwk(Some("rsa-es"), Some("ES256")),
            rsa_jwk(Some("rsa-rs512"), Some("RS512")),
            ec_jwk(Some("ec-rs"), Some("RS256")),
            ed_jwk(Some("ed-es"), Some("ES256")),
            ed_jwk(Some("ed-ok"), Some("EdDSA")),
        ]))
        .unwrap();
        assert_eq!(jwks.len(), 1);
        assert!(jwks.has_kid("ed-ok"));
    }

    #[test]
    fn parsing_skips_malformed_keys_and_rsa_keys_under_2048_bits() {
        let mut short_rsa = rsa_jwk(Some("short"), None);
        short_rsa["n"] = json!("AQAB".repeat(10));
        let mut bad_base64 = ed_jwk(Some("bad"), None);
        bad_base64["x"] = json!("!!!");
        let jwks = Jwks::parse(&document(vec![short_rsa, bad_base64])).unwrap();
        assert!(jwks.is_empty());
    }

    #[test]
    fn parsing_skips_keys_whose_members_do_not_make_a_key() {
        let mut off_curve = ec_jwk(Some("off-curve"), None);
        off_curve["y"] = off_curve["x"].clone();
        let mut short_x = ec_jwk(Some("short-x"), None);
        short_x["x"] = json!("AAAA");
        let mut no_y = ec_jwk(Some("no-y"), None);
        no_y.as_object_mut().unwrap().remove("y");
        let mut ed_long = ed_jwk(Some("ed-long"), None);
        ed_long["x"] = json!("A".repeat(44));
        let mut ed_on_p256 = ed_jwk(Some("ed-p256"), None);
        ed_on_p256["crv"] = json!("P-256");
        let mut no_exponent = rsa_jwk(Some("no-e"), None);
        no_exponent.as_object_mut().unwrap().remove("e");
        let mut exponent_one = rsa_jwk(Some("e-1"), None);
        exponent_one["e"] = json!("AQ");
        let mut padded = ed_jwk(Some("padded"), None);
        padded["x"] = json!(format!("{}=", padded["x"].as_str().unwrap()));
        let keys = vec![off_curve, short_x, no_y, ed_long, ed_on_p256, no_exponent, exponent_one, padded];
        let jwks = Jwks::parse(&document(keys)).unwrap();
        assert!(jwks.is_empty(), "{} keys kept", jwks.len());
        // The same members, well formed, are kept: the skips above are the members' fault.
        let good = vec![ec_jwk(Some("e"), None), ed_jwk(Some("d"), None), rsa_jwk(Some("r"), None)];
        assert_eq!(Jwks::parse(&document(good)).unwrap().len(), 3);
    }

    #[test]
    fn parsing_fails_only_on_a_document_that_is_not_a_key_set() {
        assert!(Jwks::parse("not json").is_err());
        assert!(Jwks::parse(r#"{"no_keys": []}"#).is_err());
        assert!(Jwks::parse(r#"{"keys": {}}"#).is_err());
        assert_eq!(Jwks::parse(r#"{"keys": []}"#).unwrap().len(), 0);
    }

    #[test]
    fn extending_trusts_the_keys_of_both_sets() {
        let mut jwks = Jwks::parse(&document(vec![ed_jwk(Some("a"), None)])).unwrap();
        jwks.extend(Jwks::parse(&document(vec![ec_jwk(Some("b"), None)])).unwrap());
        jwks.extend(Jwks::empty());
        assert_eq!(jwks.len(), 2);
        assert!(jwks.has_kid("a") && jwks.has_kid("b"));
    }

    #[test]
    fn bit_length_ignores_leading_zero_bytes_and_bits() {
        assert_eq!(bit_length(&[]), 0);
        assert_eq!(bit_length(&[0, 0]), 0);
        assert_eq!(bit_length(&[0, 1]), 1);
        assert_eq!(bit_length(&[0x80, 0]), 16);
        assert_eq!(bit_length(&[0, 0x7f, 0xff]), 15);
    }
}
