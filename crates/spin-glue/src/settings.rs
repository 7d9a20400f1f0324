//! Configuration from Spin variables (contract §7): manifest defaults, then
//! `SPIN_VARIABLE_*`, `spin up --variable`, Fermyon Cloud or SpinApp variables. A bad
//! setting fails closed: a 500 whose log line names the variable.

use auth::Verifier;
use errors::ApiError;
use web::Cors;

/// A variable the component declared; an empty value counts as unset.
pub fn variable(name: &str) -> Result<Option<String>, ApiError> {
    match spin_sdk::variables::get(name) {
        Ok(value) if value.trim().is_empty() => Ok(None),
        Ok(value) => Ok(Some(value.trim().to_owned())),
        Err(e) => Err(ApiError::Internal(anyhow::anyhow!("variable {name}: {e}"))),
    }
}

fn required(name: &str) -> Result<String, ApiError> {
    variable(name)?.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("variable {name} must be set")))
}

/// The settings an API component needs to verify tokens.
pub struct Settings {
    pub verifier: Verifier,
    /// `jwt_jwks_url`: the issuer's JWKS, fetched and cached.
    pub jwks_url: Option<String>,
    /// `jwt_jwks`: a JWKS given inline.
    pub jwks_inline: Option<String>,
    /// Trust the local issuer's keys too: `dev_issuer_enabled` and a loopback `jwt_issuer`
    /// (`auth::issuer::active`).
    pub dev_issuer_active: bool,
}

impl Settings {
    pub fn load() -> Result<Self, ApiError> {
        let organisation_claim =
            variable("organisation_claim")?.unwrap_or_else(|| auth::DEFAULT_ORGANISATION_CLAIM.to_owned());
        let issuer = required("jwt_issuer")?;
        Ok(Self {
            dev_issuer_active: auth::issuer::active(dev_issuer_enabled()?, &issuer),
            verifier: Verifier { issuer, audience: required("jwt_audience")?, organisation_claim },
            jwks_url: variable("jwt_jwks_url")?,
            jwks_inline: variable("jwt_jwks")?,
        })
    }
}

/// `dev_issuer_enabled`: exactly `true` turns the local issuer on; anything else is off.
fn dev_issuer_enabled() -> Result<bool, ApiError> {
    Ok(variable("dev_issuer_enabled")?.is_some_and(|v| v.eq_ignore_ascii_case("true")))
}

/// Whether the local issuer answers this request (`auth::issuer::serves`: enabled, a loopback
/// `jwt_issuer`, and a caller on this machine according to Spin's `spin-client-addr`).
pub fn dev_issuer_serves<B>(req: &http::Request<B>) -> Result<bool, ApiError> {
    let issuer = variable("jwt_issuer")?.unwrap_or_default();
    Ok(auth::issuer::serves(dev_issuer_enabled()?, &issuer, web::header(req, "spin-client-addr")))
}

/// `cors_allowed_origins`; unreadable means no origin is allowed. Read only for a request
/// with an `Origin` header: CORS concerns browsers only, and the partners' servers, who make
/// nearly every request, save a host call.
pub fn cors<B>(req: &http::Request<B>) -> Cors {
    if web::header(req, "origin").is_none() {
        return Cors::from_setting("");
    }
    Cors::from_setting(&variable("cors_allowed_origins").ok().flatten().unwrap_or_default())
}
