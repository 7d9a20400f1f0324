//! Token verification: from the `Authorization` header to a [`Caller`], one small step at a
//! time (size, structure, algorithm, key, signature, issuer, audience, times, organisation,
//! permissions).

use jwt_compact::alg::{Ed25519, Es256, Rsa};
use jwt_compact::{AlgorithmExt, Claims, UntrustedToken, ValidationError};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::jwks::{Alg, PublicKey, TrustedKey};
use crate::{AuthError, Caller, Jwks};

/// Tokens longer than this many bytes are refused before parsing.
pub const MAX_TOKEN_BYTES: usize = 8192;

/// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
pub const LEEWAY_SECS: i64 = 60;

/// The claim carrying the organisation id unless configured otherwise.
pub const DEFAULT_ORGANISATION_CLAIM: &str = "https://entur.io/organisationID";

/// What a token must say to be accepted (the keys are passed to [`Verifier::verify`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifier {
    /// The required `iss`, compared exactly.
    pub issuer: String,
    /// The audience that `aud` (a string or an array of strings) must contain.
    pub audience: String,
    /// The name of the claim carrying the organisation id.
    pub organisation_claim: String,
}

/// A verified token: who is calling, and until when the token is valid (`exp`, seconds since
/// the Unix epoch; [`LEEWAY_SECS`] still apply).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub caller: Caller,
    pub expires_at: i64,
}

/// The claims this crate reads, besides `exp`, `nbf` and `iat` (read by jwt-compact).
#[derive(Debug, Clone, Deserialize)]
struct TokenClaims {
    iss: Option<String>,
    aud: Option<Audience>,
    azp: Option<String>,
    client_id: Option<String>,
    sub: Option<String>,
    permissions: Option<Vec<String>>,
    /// All other claims; the organisation claim is looked up here by its configured name.
    #[serde(flatten)]
    other: Map<String, Value>,
}

/// `aud` is either one string or an array of strings (RFC 7519, section 4.1.3).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn contains(&self, audience: &str) -> bool {
        match self {
            Audience::One(one) => one == audience,
            Audience::Many(many) => many.iter().any(|one| one == audience),
        }
    }
}

/// The header members read besides `alg`, `kid` and `typ`.
#[derive(Debug, Clone, Deserialize)]
struct ExtraHeader {
    /// Critical extensions (RFC 7515, section 4.1.11): none is understood, so any is refused.
    crit: Option<Value>,
}

impl Verifier {
    /// A verifier for `issuer` and `audience`, reading the organisation from
    /// [`DEFAULT_ORGANISATION_CLAIM`].
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            audience: audience.into(),
            organisation_claim: DEFAULT_ORGANISATION_CLAIM.to_owned(),
        }
    }

    /// Verifies `token` with the trusted `keys` at the time `now_unix_secs` (seconds since the
    /// Unix epoch), and returns who is calling.
    ///
    /// Errors: [`AuthError::UnknownKid`] when the token's `kid` is not in `keys`;
    /// [`AuthError::NoOrganisation`] when the token is valid but has no usable organisation
    /// claim; [`AuthError::Invalid`] for everything else.
    pub fn verify(&self, token: &str, keys: &Jwks, now_unix_secs: i64) -> Result<Caller, AuthError> {
        self.verify_token(token, keys, now_unix_secs).map(|verified| verified.caller)
    }

    /// Everything about `token` that can be checked without a key: size, structure, `typ`,
    /// `crit`, `alg`, and then `iss`, `aud`, `exp`, `nbf` and `iat` as the token claims them
    /// (read without verifying the signature). A token that fails here can never be accepted,
    /// so it must never make the service fetch the issuer's keys (contract §2: an unknown `kid`
    /// triggers a refetch, and junk must not). Returns the token's `kid`, which decides
    /// whether the trusted keys may need a refetch; [`Verifier::verify_token`] still checks
    /// all of it again, on the verified claims.
    pub fn screen(&self, token: &str, now_unix_secs: i64) -> Result<Option<String>, AuthError> {
        let token = parse(token)?;
        Alg::from_header(token.algorithm())?;
        let claims = token
            .deserialize_claims_unchecked::<TokenClaims>()
            .map_err(|_| AuthError::Invalid("malformed claims"))?;
        self.check_issuer(&claims.custom)?;
        self.check_audience(&claims.custom)?;
        check_times(&claims, now_unix_secs)?;
        Ok(token.header().key_id.clone())
    }

    /// [`Verifier::verify`], also returning the token's validity period, so that the
    /// verification can be remembered for a while ([`crate::Remembered`]).
    pub fn verify_token(&self, token: &str, keys: &Jwks, now_unix_secs: i64) -> Result<Verified, AuthError> {
        let token = parse(token)?;
        let alg = Alg::from_header(token.algorithm())?;
        let candidates = keys.candidates(token.header().key_id.as_deref(), alg)?;
        let claims = verify_signature(&token, alg, &candidates)?;
        self.check_issuer(&claims.custom)?;
        self.check_audience(&claims.custom)?;
        check_times(&claims, now_unix_secs)?;
        let expires_at = claims.expiration.map_or(0, |exp| exp.timestamp());
        Ok(Verified { caller: self.caller(claims.custom)?, expires_at })
    }

    fn check_issuer(&self, claims: &TokenClaims) -> Result<(), AuthError> {
        match &claims.iss {
            Some(iss) if *iss == self.issuer => Ok(()),
            Some(_) => Err(AuthError::Invalid("wrong issuer")),
            None => Err(AuthError::Invalid("no issuer")),
        }
    }

    fn check_audience(&self, claims: &TokenClaims) -> Result<(), AuthError> {
        match &claims.aud {
            Some(aud) if aud.contains(&self.audience) => Ok(()),
            Some(_) => Err(AuthError::Invalid("wrong audience")),
            None => Err(AuthError::Invalid("no audience")),
        }
    }

    fn caller(&self, claims: TokenClaims) -> Result<Caller, AuthError> {
        let organisation_id =
            organisation_id(claims.other.get(&self.organisation_claim)).ok_or(AuthError::NoOrganisation)?;
        let client_id =
            [claims.azp, claims.client_id, claims.sub].into_iter().flatten().find(|id| !id.is_empty());
        Ok(Caller::new(organisation_id, claims.permissions.unwrap_or_default(), client_id))
    }
}

/// Size check, then structure: three base64url parts with a JSON header without `crit` and
/// with an acceptable `typ`.
fn parse(token: &str) -> Result<UntrustedToken<'_, ExtraHeader>, AuthError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(AuthError::Invalid("token too large"));
    }
    let token =
        UntrustedToken::<ExtraHeader>::try_from(token).map_err(|_| AuthError::Invalid("malformed token"))?;
    if token.header().other_fields.crit.is_some() {
        return Err(AuthError::Invalid("critical header extension"));
    }
    if !acceptable_type(token.header().token_type.as_deref()) {
        return Err(AuthError::Invalid("unexpected typ"));
    }
    Ok(token)
}

/// `typ` may be absent, `JWT` or `at+jwt` (an OAuth access token, RFC 9068 §2.1), each with or
/// without the `application/` prefix that RFC 7515 §4.1.9 lets a sender omit; anything else
/// (an ID token's `id+jwt`, a logout token, a JWE's `JOSE`...) is a token of another kind and
/// is refused (RFC 8725 §3.11). `typ` is a media type, and media types compare
/// case-insensitively (RFC 7515 §4.1.9, RFC 2045), so `at+JWT` is `at+jwt`.
fn acceptable_type(typ: Option<&str>) -> bool {
    let Some(typ) = typ else { return true };
    let subtype = match typ.get(..12) {
        Some(prefix) if prefix.eq_ignore_ascii_case("application/") => &typ[12..],
        _ => typ,
    };
    subtype.eq_ignore_ascii_case("jwt") || subtype.eq_ignore_ascii_case("at+jwt")
}

/// The claims, once the signature verifies with one of the candidate keys.
fn verify_signature(
    token: &UntrustedToken<'_, ExtraHeader>,
    alg: Alg,
    candidates: &[&TrustedKey],
) -> Result<Claims<TokenClaims>, AuthError> {
    let mut failure = AuthError::Invalid("bad signature");
    for candidate in candidates {
        let validated = match (alg, &candidate.key) {
            (Alg::Rs256, PublicKey::Rsa(key)) => Rsa::rs256().validator(key).validate(token),
            (Alg::Ps256, PublicKey::Rsa(key)) => Rsa::ps256().validator(key).validate(token),
            (Alg::Es256, PublicKey::P256(key)) => Es256.validator(key).validate(token),
            (Alg::EdDsa, PublicKey::Ed25519(key)) => Ed25519.validator(key).validate(token),
            _ => continue, // not reached: candidates fit `alg`
        };
        match validated {
            Ok(token) => return Ok(token.into_parts().1),
            Err(ValidationError::MalformedClaims(_)) => {
                failure = AuthError::Invalid("malformed claims");
            }
            Err(_) => {}
        }
    }
    Err(failure)
}

/// `exp` present and not past, `nbf` and `iat` (when present) not in the future, all with
/// [`LEEWAY_SECS`].
fn check_times(claims: &Claims<TokenClaims>, now: i64) -> Result<(), AuthError> {
    let expiration = claims.expiration.ok_or(AuthError::Invalid("no expiration"))?;
    if now > expiration.timestamp().saturating_add(LEEWAY_SECS) {
        return Err(AuthError::Invalid("expired"));
    }
    let latest_start = now.saturating_add(LEEWAY_SECS);
    if claims.not_before.is_some_and(|nbf| nbf.timestamp() > latest_start) {
        return Err(AuthError::Invalid("not yet valid"));
    }
    if claims.issued_at.is_some_and(|iat| iat.timestamp() > latest_start) {
        return Err(AuthError::Invalid("issued in the future"));
    }
    Ok(())
}

/// A positive organisation id, given as an integer or as a string of digits.
fn organisation_id(claim: Option<&Value>) -> Option<i64> {
    let id = match claim? {
        Value::Number(number) => number.as_i64()?,
        Value::String(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
            digits.parse().ok()?
        }
        _ => return None,
    };
    (id > 0).then_some(id)
}

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
///
/// No header: [`AuthError::MissingToken`]. Another scheme, no token, or a token with spaces:
/// [`AuthError::Invalid`].
pub fn bearer_token(authorization_header: Option<&str>) -> Result<&str, AuthError> {
    let header = authorization_header.ok_or(AuthError::MissingToken)?;
    let (scheme, token) = header.trim().split_once(' ').ok_or(AuthError::Invalid("not a bearer token"))?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::Invalid("not a bearer token"));
    }
    let token = token.trim_start_matches(' ');
    if token.is_empty() || token.contains(char::is_whitespace) {
        return Err(AuthError::Invalid("malformed bearer token"));
    }
    Ok(token)
}

/// The `kid` of a token's header, read without verifying anything (to decide whether an
/// unknown key warrants refetching the key set). `None` when there is no `kid` or the token
/// cannot be parsed.
pub fn token_kid(token: &str) -> Option<String> {
    parse(token).ok()?.header().key_id.clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use crate::Permission;
    use jwt_compact::alg::{Hs256, Hs256Key};
    use jwt_compact::Renamed;
    use serde_json::json;

    fn verify(token: &str) -> Result<Caller, AuthError> {
        verifier().verify(token, &trusted_keys(), NOW)
    }

    // --- accepted signatures ---

    #[test]
    fn a_valid_rs256_token_is_accepted() {
        let caller = verify(&sign_rs256(Some(RSA_KID), &claims())).unwrap();
        assert_eq!(caller.org(), ORGANISATION);
    }

    #[test]
    fn a_valid_ps256_token_is_accepted() {
        let caller = verify(&sign_ps256(Some(RSA_KID), &claims())).unwrap();
        assert_eq!(caller.org(), ORGANISATION);
    }

    #[test]
    fn a_valid_es256_token_is_accepted() {
        let caller = verify(&sign_es256(Some(EC_KID), &claims())).unwrap();
        assert_eq!(caller.org(), ORGANISATION);
    }

    #[test]
    fn a_valid_eddsa_token_is_accepted() {
        let caller = verify(&sign_eddsa(Some(ED_KID), &claims())).unwrap();
        assert_eq!(caller.org(), ORGANISATION);
    }

    #[test]
    fn a_token_without_kid_is_verified_with_the_keys_of_its_alg_type() {
        assert!(verify(&sign_rs256(None, &claims())).is_ok());
        assert!(verify(&sign_es256(None, &claims())).is_ok());
        assert!(verify(&sign_eddsa(None, &claims())).is_ok());
    }

    // --- refused algorithms and keys ---

    #[test]
    fn a_token_with_alg_none_is_refused() {
        let header = json!({"alg": "none", "kid": RSA_KID});
        let token = format!("{}.{}.", b64_json(&header), b64_json(&claims_value()));
        assert_eq!(verify(&token), Err(AuthError::Invalid("alg none refused")));
    }

    #[test]
    fn an_hs256_token_keyed_with_the_rsa_public_key_is_refused() {
        let secret = rsa_jwk(None, None).to_string();
        let token = Hs256.token(&header(Some(RSA_KID)), &claims(), &Hs256Key::new(secret)).unwrap();
        assert_eq!(verify(&token), Err(AuthError::Invalid("HMAC alg refused")));
    }

    #[test]
    fn an_rsa_signature_under_an_es256_header_is_refused() {
        let renamed = Renamed::new(Rsa::rs256(), "ES256");
        let token = renamed.token(&header(Some(RSA_KID)), &claims(), rsa_private()).unwrap();
        assert_eq!(verify(&token), Err(AuthError::Invalid("alg does not fit the key")));
    }

    #[test]
    fn an_unsupported_alg_is_refused() {
        let renamed = Renamed::new(Rsa::rs384(), "RS384");
        let token = renamed.token(&header(Some(RSA_KID)), &claims(), rsa_private()).unwrap();
        assert_eq!(verify(&token), Err(AuthError::Invalid("unsupported alg")));
    }

    #[test]
    fn a_jwk_alg_pins_the_rsa_key_to_that_alg() {
        let pinned =
            Jwks::parse(&json!({"keys": [rsa_jwk(Some("pinned"), Some("PS256"))]}).to_string()).unwrap();
        let verify = |token: &str| verifier().verify(token, &pinned, NOW);
        assert!(verify(&sign_ps256(Some("pinned"), &claims())).is_ok());
        assert_eq!(
            verify(&sign_rs256(Some("pinned"), &claims())),
            Err(AuthError::Invalid("alg does not fit the key"))
        );
    }

    #[test]
    fn an_unknown_kid_is_reported_as_such() {
        assert_eq!(verify(&sign_eddsa(Some("rotated-away"), &claims())), Err(AuthError::UnknownKid));
    }

    #[test]
    fn a_signature_by_an_untrusted_key_is_refused() {
        let stranger = ed25519_dalek::SigningKey::from_bytes(&[99; 32]);
        let token = Ed25519.token(&header(Some(ED_KID)), &claims(), &stranger).unwrap();
        assert_eq!(verify(&token), Err(AuthError::Invalid("bad signature")));
    }

    #[test]
    fn a_tampered_payload_is_refused() {
        let token = sign_eddsa(Some(ED_KID), &claims());
        let mut forged = claims_value();
        forged[ORGANISATION_CLAIM] = json!(ORGANISATION + 1);
        let parts: Vec<&str> = token.split('.').collect();
        let tampered = format!("{}.{}.{}", parts[0], b64_json(&forged), parts[2]);
        assert_eq!(verify(&tampered), Err(AuthError::Invalid("bad signature")));
    }

    #[test]
    fn a_token_over_8_kib_is_refused_before_parsing() {
        let mut big = claims_value();
        big["padding"] = json!("x".repeat(MAX_TOKEN_BYTES));
        let token = sign_eddsa(Some(ED_KID), &to_claims(big));
        assert!(token.len() > MAX_TOKEN_BYTES);
        assert_eq!(verify(&token), Err(AuthError::Invalid("token too large")));
        assert_eq!(token_kid(&token), None);
    }

    #[test]
    fn a_token_just_under_8_kib_is_accepted() {
        let mut big = claims_value();
        big["padding"] = json!("x".repeat(MAX_TOKEN_BYTES / 2));
        let token = sign_eddsa(Some(ED_KID), &to_claims(big));
        assert!(token.len() > MAX_TOKEN_BYTES / 2 && token.len() <= MAX_TOKEN_BYTES);
        assert!(verify(&token).is_ok());
    }

    #[test]
    fn a_token_with_a_critical_header_extension_is_refused() {
        let header = header(Some(ED_KID));
        let mut header = serde_json::to_value(&header).unwrap();
        header["crit"] = json!(["b64"]);
        header["b64"] = json!(false);
        let token = Ed25519.token(&jwt_compact::Header::new(header), &claims(), ed_private()).unwrap();
        assert_eq!(verify(&token), Err(AuthError::Invalid("critical header extension")));
    }

    #[test]
    fn typ_may_be_absent_jwt_or_at_jwt_in_any_case_with_or_without_the_application_prefix() {
        for typ in [
            None,
            Some("JWT"),
            Some("jwt"),
            Some("at+jwt"),
            Some("AT+JWT"),
            Some("application/at+jwt"),
            Some("Application/At+JWT"),
            Some("application/jwt"),
        ] {
            let mut header = jwt_compact::Header::empty().with_key_id(ED_KID);
            header.token_type = typ.map(str::to_owned);
            let token = Ed25519.token(&header, &claims(), ed_private()).unwrap();
            assert!(verify(&token).is_ok(), "typ {typ:?}");
        }
    }

    #[test]
    fn any_other_typ_is_refused() {
        for typ in [
            "id+jwt",
            "logout+jwt",
            "JOSE",
            "JOSE+JSON",
            "secevent+jwt",
            "application/id+jwt",
            "",
            "jwt ",
            "application/",
            "text/jwt",
            "at+jwt; charset=utf-8",
        ] {
            let header = jwt_compact::Header::empty().with_key_id(ED_KID).with_token_type(typ);
            let token = Ed25519.token(&header, &claims(), ed_private()).unwrap();
            assert_eq!(verify(&token), Err(AuthError::Invalid("unexpected typ")), "typ {typ:?}");
            assert_eq!(
                verifier().screen(&token, NOW),
                Err(AuthError::Invalid("unexpected typ")),
                "typ {typ:?}"
            );
        }
    }

    #[test]
    fn screening_refuses_without_keys_what_can_never_be_accepted() {
        let screen = |token: &str| verifier().screen(token, NOW);
        let unknown_kid = sign_eddsa(Some("rotated-in"), &claims());
        assert_eq!(screen(&unknown_kid), Ok(Some("rotated-in".to_owned())), "a good token passes");
        assert_eq!(screen(&sign_eddsa(None, &claims())), Ok(None));
        let mut oversized = claims_value();
        oversized["padding"] = json!("x".repeat(MAX_TOKEN_BYTES));
        let renamed = Renamed::new(Rsa::rs384(), "RS384");
        let with = |member: &str, value: Value| {
            let mut claims = claims_value();
            claims[member] = value;
            sign_eddsa(Some("rotated-in"), &to_claims(claims))
        };
        let cases = [
            ("oversized", sign_eddsa(Some("k"), &to_claims(oversized)), "token too large"),
            ("garbage", "a.b.c".to_owned(), "malformed token"),
            (
                "alg none",
                format!("{}.{}.", b64_json(&json!({"alg": "none", "kid": "k"})), b64_json(&claims_value())),
                "alg none refused",
            ),
            (
                "HS256",
                b64_json(&json!({"alg": "HS256", "kid": "k"})) + "." + &b64_json(&claims_value()) + ".c2ln",
                "HMAC alg refused",
            ),
            (
                "RS384",
                renamed.token(&header(Some("k")), &claims(), rsa_private()).unwrap(),
                "unsupported alg",
            ),
            (
                "ES512",
                b64_json(&json!({"alg": "ES512", "kid": "k"})) + "." + &b64_json(&claims_value()) + ".c2ln",
                "unsupported alg",
            ),
            (
                "payload not JSON",
                b64_json(&json!({"alg": "EdDSA", "kid": "k"})) + ".bm90IGpzb24.c2ln",
                "malformed claims",
            ),
            ("wrong issuer", with("iss", json!("https://evil.example")), "wrong issuer"),
            ("wrong audience", with("aud", json!("https://other.example")), "wrong audience"),
            ("expired", with("exp", json!(NOW - LEEWAY_SECS - 1)), "expired"),
            ("not yet valid", with("nbf", json!(NOW + LEEWAY_SECS + 1)), "not yet valid"),
        ];
        for (case, token, reason) in cases {
            assert_eq!(screen(&token), Err(AuthError::Invalid(reason)), "{case}");
        }
    }

    #[test]
    fn garbage_is_refused_as_malformed() {
        assert_eq!(verify("not-a-token"), Err(AuthError::Invalid("malformed token")));
        assert_eq!(verify("a.b.c"), Err(AuthError::Invalid("malformed token")));
        assert_eq!(verify(""), Err(AuthError::Invalid("malformed token")));
    }

    // --- issuer and audience ---

    #[test]
    fn a_token_from_another_issuer_is_refused() {
        let mut other = claims_value();
        other["iss"] = json!("https://evil.example");
        assert_eq!(
            verify(&sign_eddsa(Some(ED_KID), &to_claims(other))),
            Err(AuthError::Invalid("wrong issuer"))
        );
        let mut missing = claims_value();
        missing.as_object_mut().unwrap().remove("iss");
        assert_eq!(
            verify(&sign_eddsa(Some(ED_KID), &to_claims(missing))),
            Err(AuthError::Invalid("no issuer"))
        );
    }

    #[test]
    fn a_token_for_another_audience_is_refused() {
        let mut other = claims_value();
        other["aud"] = json!("https://other-api.example");
        assert_eq!(
            verify(&sign_eddsa(Some(ED_KID), &to_claims(other))),
            Err(AuthError::Invalid("wrong audience"))
        );
        let mut others = claims_value();
        others["aud"] = json!(["https://a.example", "https://b.example"]);
        assert_eq!(
            verify(&sign_eddsa(Some(ED_KID), &to_claims(others))),
            Err(AuthError::Invalid("wrong audience"))
        );
    }

    #[test]
    fn an_audience_array_containing_the_audience_is_accepted() {
        let mut claims = claims_value();
        claims["aud"] = json!(["https://other-api.example", AUDIENCE]);
        assert!(verify(&sign_eddsa(Some(ED_KID), &to_claims(claims))).is_ok());
    }

    // --- times ---

    fn with_time(claim: &str, value: Option<i64>) -> TestClaims {
        let mut claims = claims_value();
        match value {
            Some(value) => claims[claim] = json!(value),
            None => drop(claims.as_object_mut().unwrap().remove(claim)),
        }
        to_claims(claims)
    }

    fn verify_with_time(claim: &str, value: Option<i64>) -> Result<Caller, AuthError> {
        verify(&sign_eddsa(Some(ED_KID), &with_time(claim, value)))
    }

    #[test]
    fn a_token_expired_beyond_the_leeway_is_refused() {
        assert_eq!(verify_with_time("exp", Some(NOW - LEEWAY_SECS - 1)), Err(AuthError::Invalid("expired")));
    }

    #[test]
    fn a_token_expired_within_the_leeway_is_accepted() {
        assert!(verify_with_time("exp", Some(NOW - LEEWAY_SECS)).is_ok());
        assert!(verify_with_time("exp", Some(NOW - 1)).is_ok());
    }

    #[test]
    fn a_token_without_exp_is_refused() {
        assert_eq!(verify_with_time("exp", None), Err(AuthError::Invalid("no expiration")));
    }

    #[test]
    fn a_token_not_yet_valid_beyond_the_leeway_is_refused() {
        assert_eq!(
            verify_with_time("nbf", Some(NOW + LEEWAY_SECS + 1)),
            Err(AuthError::Invalid("not yet valid"))
        );
    }

    #[test]
    fn a_token_not_yet_valid_within_the_leeway_is_accepted() {
        assert!(verify_with_time("nbf", Some(NOW + LEEWAY_SECS)).is_ok());
    }

    #[test]
    fn a_token_issued_in_the_future_beyond_the_leeway_is_refused() {
        assert_eq!(
            verify_with_time("iat", Some(NOW + LEEWAY_SECS + 1)),
            Err(AuthError::Invalid("issued in the future"))
        );
    }

    #[test]
    fn a_token_issued_in_the_future_within_the_leeway_is_accepted() {
        assert!(verify_with_time("iat", Some(NOW + LEEWAY_SECS)).is_ok());
    }

    #[test]
    fn nbf_and_iat_are_optional() {
        let mut claims = claims_value();
        claims.as_object_mut().unwrap().remove("nbf");
        claims.as_object_mut().unwrap().remove("iat");
        assert!(verify(&sign_eddsa(Some(ED_KID), &to_claims(claims))).is_ok());
    }

    #[test]
    fn a_non_numeric_exp_is_refused_as_malformed_claims() {
        let mut claims = claims_value();
        claims["exp"] = json!("tomorrow");
        assert_eq!(
            verify(&sign_eddsa(Some(ED_KID), &to_claims(claims))),
            Err(AuthError::Invalid("malformed claims"))
        );
    }

    // --- organisation ---

    fn verify_with_organisation(value: Option<Value>) -> Result<Caller, AuthError> {
        let mut claims = claims_value();
        match value {
            Some(value) => claims[ORGANISATION_CLAIM] = value,
            None => drop(claims.as_object_mut().unwrap().remove(ORGANISATION_CLAIM)),
        }
        verify(&sign_eddsa(Some(ED_KID), &to_claims(claims)))
    }

    #[test]
    fn a_valid_token_without_organisation_is_reported_as_such() {
        assert_eq!(verify_with_organisation(None), Err(AuthError::NoOrganisation));
    }

    #[test]
    fn an_organisation_given_as_a_string_of_digits_is_accepted() {
        assert_eq!(verify_with_organisation(Some(json!("123"))).unwrap().org(), 123);
    }

    #[test]
    fn an_organisation_that_is_not_a_positive_integer_is_reported_as_no_organisation() {
        for malformed in [
            json!("12a"),
            json!("abc"),
            json!(""),
            json!("-5"),
            json!("+5"),
            json!(" 5"),
            json!("99999999999999999999"),
            json!(0),
            json!(-3),
            json!(1.5),
            json!(u64::MAX),
            json!(null),
            json!([1]),
        ] {
            assert_eq!(
                verify_with_organisation(Some(malformed.clone())),
                Err(AuthError::NoOrganisation),
                "{malformed}"
            );
        }
    }

    #[test]
    fn the_organisation_claim_name_is_configurable() {
        let mut claims = claims_value();
        claims["org"] = json!(77);
        let token = sign_eddsa(Some(ED_KID), &to_claims(claims));
        let custom = Verifier { organisation_claim: "org".to_owned(), ..verifier() };
        assert_eq!(custom.verify(&token, &trusted_keys(), NOW).unwrap().org(), 77);
        assert_eq!(verifier().organisation_claim, DEFAULT_ORGANISATION_CLAIM);
    }

    // --- permissions and client id ---

    #[test]
    fn permissions_are_read_from_the_permissions_claim() {
        let caller = verify(&sign_eddsa(Some(ED_KID), &claims())).unwrap();
        assert!(caller.has(Permission::ProfileRead));
        assert!(caller.has(Permission::ConsentsChange));
        assert!(!caller.has(Permission::ProfileDelete));
        assert!(!caller.has(Permission::ConsentsAdmin));
        assert!(caller.permissions().contains("other:scope"));
    }

    #[test]
    fn a_token_without_permissions_grants_none() {
        let mut claims = claims_value();
        claims.as_object_mut().unwrap().remove("permissions");
        let caller = verify(&sign_eddsa(Some(ED_KID), &to_claims(claims))).unwrap();
        assert!(Permission::ALL.iter().all(|p| !caller.has(*p)));
    }

    #[test]
    fn the_client_id_is_azp_else_client_id_else_sub() {
        let client_id = |members: &[(&str, &str)]| {
            let mut claims = claims_value();
            for name in ["azp", "client_id", "sub"] {
                claims.as_object_mut().unwrap().remove(name);
            }
            for (name, value) in members {
                claims[*name] = json!(value);
            }
            let caller = verify(&sign_eddsa(Some(ED_KID), &to_claims(claims))).unwrap();
            caller.client_id().map(str::to_owned)
        };
        let all = [("azp", "a"), ("client_id", "c"), ("sub", "s")];
        assert_eq!(client_id(&all).as_deref(), Some("a"));
        assert_eq!(client_id(&all[1..]).as_deref(), Some("c"));
        assert_eq!(client_id(&all[2..]).as_deref(), Some("s"));
        assert_eq!(client_id(&[]), None);
    }

    // --- header parsing helpers ---

    #[test]
    fn the_bearer_token_is_taken_from_the_authorization_header() {
        assert_eq!(bearer_token(Some("Bearer abc.def.ghi")), Ok("abc.def.ghi"));
        assert_eq!(bearer_token(Some("bearer abc")), Ok("abc"));
        assert_eq!(bearer_token(Some("BEARER  abc ")), Ok("abc"));
    }

    #[test]
    fn a_missing_authorization_header_is_a_missing_token() {
        assert_eq!(bearer_token(None), Err(AuthError::MissingToken));
    }

    #[test]
    fn another_scheme_or_an_empty_token_is_invalid() {
        for header in ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "", "Bearerabc", "Bearer a b", "abc"] {
            assert!(matches!(bearer_token(Some(header)), Err(AuthError::Invalid(_))), "{header:?}");
        }
    }

    #[test]
    fn the_kid_is_read_without_verifying() {
        let token = sign_eddsa(Some("any-kid"), &claims());
        assert_eq!(token_kid(&token).as_deref(), Some("any-kid"));
        assert_eq!(token_kid(&sign_eddsa(None, &claims())), None);
        assert_eq!(token_kid("garbage"), None);
    }
}
