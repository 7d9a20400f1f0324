//! Configuration from Spin variables (contract §7): manifest defaults, then
//! `SPIN_VARIABLE_*`, `spin up --variable`, Fermyon Cloud or SpinApp variables. A bad
//! setting fails closed: a 500 whose log line names the variable.

use auth::Verifier;
use errors::ApiError;
use std::collections::HashMap;
use std::sync::OnceLock;
use web::Cors;

/// A setting (an application variable of contract §7) the component reads; an empty value
/// counts as unset.
pub fn variable(name: &str) -> Result<Option<String>, ApiError> {
    let settings = bundle().map_err(|e| ApiError::Internal(anyhow::anyhow!("variable settings: {e}")))?;
    match settings.get(name) {
        Some(value) if value.trim().is_empty() => Ok(None),
        Some(value) => Ok(Some(value.trim().to_owned())),
        None => {
            Err(ApiError::Internal(anyhow::anyhow!("variable {name}: not in the component's `settings`")))
        }
    }
}

/// Every setting of the component, from its one component variable `settings` (spin.toml):
/// `name={{ name }}` pairs separated by U+001E (a character no setting holds; `dev_clients` and
/// `jwt_jwks` may hold newlines). Spin answers each `variables::get` with a host call that
/// cost about as much as a key-value read on real Spin (45 µs of CPU each on our 2 cores), so a
/// request reads them all with one. Read once per instance ([`read`], at the start of every
/// request): in the p2 build an instance serves one request, in the p3 build up to 128.
static SETTINGS: OnceLock<HashMap<String, String>> = OnceLock::new();

/// Reads the component's settings unless this instance has them already. A failed read is not
/// kept: the request fails closed ([`variable`]) and the next one reads again.
pub(crate) async fn read() {
    if SETTINGS.get().is_none() {
        if let Ok(text) = crate::host::variable("settings").await {
            let _ = SETTINGS.set(parse_bundle(&text)); // another request of the instance may have been first
        }
    }
}

fn bundle() -> Result<&'static HashMap<String, String>, &'static str> {
    SETTINGS.get().ok_or("the component variable `settings` could not be read")
}

/// `name=value` pairs separated by U+001E.
fn parse_bundle(text: &str) -> HashMap<String, String> {
    text.split('\u{1e}')
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| (name.trim().to_owned(), value.to_owned()))
        .collect()
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

/// `event_retention_days`: how long the change feed keeps an event (35 days when unset); the
/// purge deletes older ones. Anything but a whole number of days from 1 fails closed.
pub fn event_retention_days() -> Result<i64, ApiError> {
    match variable("event_retention_days")? {
        None => Ok(domain::event::DEFAULT_RETENTION_DAYS),
        Some(raw) => parse_days(&raw).ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!("variable event_retention_days: not a number of days"))
        }),
    }
}

fn parse_days(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().filter(|days| (1..=domain::event::MAX_RETENTION_DAYS).contains(days))
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

#[cfg(test)]
mod tests {
    #[test]
    fn retention_is_a_whole_number_of_days_from_one() {
        assert_eq!(super::parse_days("35"), Some(35));
        for bad in ["0", "-1", "7d", "1.5", "99999999"] {
            assert_eq!(super::parse_days(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_bundle_splits_on_the_record_separator_and_keeps_newlines_and_equals_signs() {
        let text =
            "jwt_issuer=http://localhost:3000/\u{1e}dev_clients=[\n {\"a\":1}\n]\u{1e}jwt_jwks=\u{1e}x=a=b";
        let bundle = super::parse_bundle(text);
        assert_eq!(bundle["jwt_issuer"], "http://localhost:3000/");
        assert_eq!(bundle["dev_clients"], "[\n {\"a\":1}\n]");
        assert_eq!(bundle["jwt_jwks"], "");
        assert_eq!(bundle["x"], "a=b");
        assert_eq!(bundle.len(), 4);
    }
}
