//! Who is calling: the bearer token verified against every trusted key (contract §2).
//! Keys come from `jwt_jwks` (inline), `jwt_jwks_url` (fetched through Spin's outbound HTTP
//! and cached in key-value, since no memory survives a request) and, while the local issuer
//! is enabled, the public keys it publishes in key-value. All tokens then take exactly the
//! same path: `auth::Verifier::verify_token`, whose outcome is remembered in key-value for a
//! minute (`auth::Remembered`).

use crate::Settings;
use auth::{AuthError, Caller, Jwks, Remembered};
use domain::time::Timestamp;
use errors::ApiError;
use http::Request;
use serde::{Deserialize, Serialize};

/// Where the local issuer publishes its public JWKS (written by the token-issuer component).
pub const DEV_ISSUER_JWKS_KEY: &str = "dev-issuer/public-jwks";

/// A cached JWKS is used without asking the issuer for this long...
const JWKS_MAX_AGE_MS: i64 = 10 * 60 * 1000;
/// ...and an unknown `kid` makes us ask again at most this often (contract §2).
const JWKS_REFETCH_INTERVAL_MS: i64 = 60 * 1000;

/// Verifies the request's bearer token. A token verified less than a minute ago under the
/// same settings is taken from key-value instead of being verified again (see
/// `auth::Remembered`: the signature check is the largest cost of a request), and then the
/// trusted keys are not needed either.
pub async fn authenticate(
    req: &Request<Vec<u8>>,
    settings: &Settings,
    now: Timestamp,
) -> Result<Caller, ApiError> {
    let token = auth::bearer_token(web::header(req, "authorization")).map_err(auth_error)?;
    let trust = format!(
        "inline={:?} url={:?} dev={}",
        settings.jwks_inline, settings.jwks_url, settings.dev_issuer_enabled
    );
    let digest = settings.verifier.digest(token, &trust);
    let store = crate::kv()?;
    let slot = digest.slot_key();
    let remembered = store.get(&slot).ok().flatten().and_then(|bytes| Remembered::from_bytes(&bytes));
    if let Some(caller) = remembered.and_then(|entry| entry.caller(&digest, now.unix_seconds())) {
        return Ok(caller);
    }
    let kid = auth::token_kid(token);
    let keys = trusted_keys(settings, kid.as_deref(), now).await?;
    let verified = settings.verifier.verify_token(token, &keys, now.unix_seconds()).map_err(auth_error)?;
    let entry = Remembered::new(&digest, &verified, now.unix_seconds());
    if let Err(e) = store.set(&slot, &entry.to_bytes()) {
        web::write_log_line(
            &serde_json::json!({"event": "token_cache_write_failed", "error": e.to_string()}),
        );
    }
    Ok(verified.caller)
}

fn auth_error(e: AuthError) -> ApiError {
    match e {
        AuthError::MissingToken => ApiError::MissingToken,
        AuthError::Invalid(reason) => ApiError::InvalidToken(reason),
        AuthError::UnknownKid => ApiError::InvalidToken("unknown kid"),
        AuthError::NoOrganisation => ApiError::MissingOrganisation,
    }
}

/// Every key the service trusts right now.
async fn trusted_keys(settings: &Settings, kid: Option<&str>, now: Timestamp) -> Result<Jwks, ApiError> {
    let mut keys = Jwks::empty();
    if let Some(inline) = &settings.jwks_inline {
        keys.extend(Jwks::parse(inline).map_err(|e| config_error("jwt_jwks", e))?);
    }
    if settings.dev_issuer_enabled {
        if let Some(bytes) = crate::kv()?.get(DEV_ISSUER_JWKS_KEY).map_err(kv_error)? {
            keys.extend(
                Jwks::parse(&String::from_utf8_lossy(&bytes))
                    .map_err(|e| config_error("local issuer JWKS", e))?,
            );
        }
    }
    if let Some(url) = &settings.jwks_url {
        let known = |keys: &Jwks| kid.is_none_or(|kid| keys.has_kid(kid));
        let from_url = url_keys(url, now, |fetched| known(&keys) || known(fetched)).await?;
        keys.extend(from_url);
    }
    Ok(keys)
}

/// What key-value holds for one JWKS URL.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CachedJwks {
    /// When the document was last fetched successfully.
    fetched_at: i64,
    /// When we last asked (successfully or not): the refetch rate limit.
    attempted_at: i64,
    jwks: String,
}

/// The URL's keys: from the cache when it is fresh and knows the token's `kid`, else
/// fetched (an unknown `kid` at most once a minute). A failed fetch falls back to the
/// cached keys, so an issuer outage does not lock out tokens signed with known keys.
async fn url_keys(url: &str, now: Timestamp, kid_known: impl Fn(&Jwks) -> bool) -> Result<Jwks, ApiError> {
    let store = crate::kv()?;
    let cache_key = format!("jwks-cache/{url}");
    let cached: Option<CachedJwks> =
        store.get(&cache_key).map_err(kv_error)?.and_then(|bytes| serde_json::from_slice(&bytes).ok());
    let cached_keys = cached.as_ref().and_then(|c| Jwks::parse(&c.jwks).ok());
    let fetch_due = match (&cached, &cached_keys) {
        (Some(c), Some(keys)) => {
            let stale = now.0 - c.fetched_at >= JWKS_MAX_AGE_MS;
            let may_refetch = now.0 - c.attempted_at >= JWKS_REFETCH_INTERVAL_MS;
            (stale || !kid_known(keys)) && may_refetch
        }
        _ => cached.as_ref().is_none_or(|c| now.0 - c.attempted_at >= JWKS_REFETCH_INTERVAL_MS),
    };
    if !fetch_due {
        return Ok(cached_keys.unwrap_or_default());
    }
    match fetch_jwks(url).await {
        Ok((text, keys)) => {
            let entry = CachedJwks { fetched_at: now.0, attempted_at: now.0, jwks: text };
            store_cache(&store, &cache_key, &entry);
            Ok(keys)
        }
        Err(cause) => {
            web::write_log_line(
                &serde_json::json!({"event": "jwks_fetch_failed", "url": url, "error": format!("{cause:#}")}),
            );
            let entry = match cached {
                Some(c) => CachedJwks { attempted_at: now.0, ..c },
                None => CachedJwks { fetched_at: 0, attempted_at: now.0, jwks: String::new() },
            };
            store_cache(&store, &cache_key, &entry);
            Ok(cached_keys.unwrap_or_default())
        }
    }
}

fn store_cache(store: &spin_sdk::key_value::Store, key: &str, entry: &CachedJwks) {
    let bytes = serde_json::to_vec(entry).expect("cache entry serialises");
    if let Err(e) = store.set(key, &bytes) {
        web::write_log_line(&serde_json::json!({"event": "jwks_cache_write_failed", "error": e.to_string()}));
    }
}

/// GETs the JWKS document. Only HTTPS, or plain HTTP to this machine (local issuers, tests).
async fn fetch_jwks(url: &str) -> anyhow::Result<(String, Jwks)> {
    let uri: http::Uri = url.parse()?;
    let loopback = matches!(uri.host(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if loopback => {}
        _ => anyhow::bail!("jwt_jwks_url must be an https URL"),
    }
    let request = http::Request::get(url).header("accept", "application/json").body(Vec::<u8>::new())?;
    let response: http::Response<Vec<u8>> = spin_sdk::http::send(request).await?;
    anyhow::ensure!(response.status() == 200, "JWKS answered {}", response.status());
    let text = String::from_utf8(response.into_body())?;
    let keys = Jwks::parse(&text)?;
    Ok((text, keys))
}

fn config_error(what: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("{what} is not a valid JWKS: {e}"))
}

fn kv_error(e: spin_sdk::key_value::Error) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("key-value: {e}"))
}
