//! Who is calling: the bearer token verified against every trusted key (contract §2).
//! Keys come from `jwt_jwks` (inline), `jwt_jwks_url` (fetched through Spin's outbound HTTP
//! and cached in key-value, which every instance shares) and, while the local issuer is
//! active, the public keys it keeps in key-value. All tokens then take exactly the same path:
//! `auth::Verifier::verify_token`, whose outcome is remembered for a minute
//! (`auth::Remembered`) in key-value and, where the instance outlives the request (the p3
//! build), in its memory.
//!
//! What an unauthenticated caller can make the service do is bounded (contract §2): a token
//! that can never be accepted (too large, malformed, an algorithm no trusted key type
//! verifies, a wrong `typ`, `iss` or `aud`, expired) is refused before any key is looked up
//! (`auth::Verifier::screen`), and the JWKS is fetched at most once a minute per replica
//! (`auth::jwks_cache`, `domain::jwks_fetch`), within [`FETCH_LIMITS`].

use crate::fetch::Limits;
use crate::host;
use crate::Settings;
use auth::jwks_cache::{CachedJwks, REFETCH_INTERVAL_MS};
use auth::{AuthError, Caller, Jwks, Remembered};
use domain::time::Timestamp;
use errors::ApiError;
use http::Request;
use std::time::Duration;

/// Where the local issuer keeps its key pair (`auth::issuer::DevSigningKey::to_stored_json`,
/// written by the token-issuer component): its public JWKS, which the API components trust
/// while the issuer is active, with the private key beside it in the same entry.
pub const DEV_ISSUER_KEY_PAIR: &str = "dev-issuer/key-pair";

/// One JWKS fetch: 2 s to connect, 2 s for the whole exchange, 256 KiB of body (an Auth0
/// tenant's JWKS is about 3 KiB).
const FETCH_LIMITS: Limits = Limits {
    connect: Duration::from_secs(2),
    total: Duration::from_millis(FETCH_TOTAL_MS as u64),
    max_body_bytes: 256 * 1024,
};

/// How long one fetch may take in all, in milliseconds (the cache's unit).
const FETCH_TOTAL_MS: i64 = 2_000;

/// The random id of this replica's key-value store, which the JWKS cache lives in: fetches are
/// claimed per URL and store (`domain::jwks_fetch`).
const REPLICA_ID_KEY: &str = "jwks-cache/replica-id";

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
        settings.jwks_inline, settings.jwks_url, settings.dev_issuer_active
    );
    let digest = settings.verifier.digest(token, &trust);
    let slot = digest.slot_key();
    // The instance's memory first (p3: it outlives the request), then key-value.
    if let Some(caller) = host::remembered(&slot)
        .and_then(|bytes| Remembered::from_bytes(&bytes))
        .and_then(|entry| entry.caller(&digest, now.unix_seconds()))
    {
        return Ok(caller);
    }
    let store = crate::kv().await?;
    let remembered = store.get(&slot).await.ok().flatten();
    if let Some(bytes) = remembered {
        if let Some(caller) =
            Remembered::from_bytes(&bytes).and_then(|entry| entry.caller(&digest, now.unix_seconds()))
        {
            host::remember(&slot, bytes);
            return Ok(caller);
        }
    }
    let kid = settings.verifier.screen(token, now.unix_seconds()).map_err(auth_error)?;
    let keys = trusted_keys(settings, kid.as_deref(), now).await?;
    let verified = settings.verifier.verify_token(token, &keys, now.unix_seconds()).map_err(auth_error)?;
    let entry = Remembered::new(&digest, &verified, now.unix_seconds()).to_bytes();
    host::remember(&slot, entry.clone());
    if let Err(e) = store.set(&slot, &entry).await {
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

/// Every key the service trusts right now. 503 when there is none at all because the
/// issuer's JWKS has never been fetched (an unknown key with other keys at hand is a 401).
async fn trusted_keys(settings: &Settings, kid: Option<&str>, now: Timestamp) -> Result<Jwks, ApiError> {
    let mut keys = Jwks::empty();
    if let Some(inline) = &settings.jwks_inline {
        keys.extend(Jwks::parse(inline).map_err(|e| config_error("jwt_jwks", e))?);
    }
    if settings.dev_issuer_active {
        if let Some(bytes) = crate::kv().await?.get(DEV_ISSUER_KEY_PAIR).await? {
            keys.extend(
                Jwks::parse(&String::from_utf8_lossy(&bytes))
                    .map_err(|e| config_error("local issuer JWKS", e))?,
            );
        }
    }
    if let Some(url) = &settings.jwks_url {
        let known_elsewhere = kid.is_none_or(|kid| keys.has_kid(kid));
        match url_keys(url, now, |fetched| known_elsewhere || kid.is_none_or(|kid| fetched.has_kid(kid)))
            .await?
        {
            Some(from_url) => keys.extend(from_url),
            None if keys.is_empty() => return Err(ApiError::IssuerUnavailable),
            None => {}
        }
    }
    Ok(keys)
}

/// The URL's keys: from the cache when it is fresh and knows the token's `kid`, else fetched
/// (`CachedJwks::fetch_due`: at most once a minute). `None` when none was ever fetched.
///
/// The attempt is stamped in key-value before the fetch, so requests arriving meanwhile use
/// the cache. Key-value has no compare-and-swap, so the few requests that read the cache
/// before the stamp landed also find a fetch due: the database elects one of them
/// (`domain::jwks_fetch::claim`), and the others use the cache as well. A failed fetch leaves
/// the cached keys in use, so an issuer outage does not lock out tokens signed with known keys.
async fn url_keys(
    url: &str,
    now: Timestamp,
    kid_known: impl Fn(&Jwks) -> bool,
) -> Result<Option<Jwks>, ApiError> {
    let cache_key = format!("jwks-cache/{url}");
    // A reused (WASIp3) instance keeps the copy it last read or fetched, and uses it until it
    // is due for a refetch; then key-value, where another instance may have put a fresher one.
    // (A WASIp2 instance serves one request and keeps nothing: `host::remembered` is `None`.)
    let in_memory: Option<CachedJwks> =
        host::remembered(&cache_key).and_then(|bytes| serde_json::from_slice(&bytes).ok());
    if let Some(keys) = in_memory.as_ref().and_then(CachedJwks::keys) {
        if !CachedJwks::fetch_due(in_memory.as_ref(), kid_known(&keys), now.0) {
            return Ok(Some(keys));
        }
    }
    let store = crate::kv().await?;
    let cached_bytes = store.get(&cache_key).await?;
    let cached: Option<CachedJwks> =
        cached_bytes.as_deref().and_then(|bytes| serde_json::from_slice(bytes).ok());
    let cached_keys = cached.as_ref().and_then(CachedJwks::keys);
    if let (Some(bytes), Some(_)) = (cached_bytes, &cached_keys) {
        host::remember(&cache_key, bytes);
    }
    let known = kid_known(cached_keys.as_ref().unwrap_or(&Jwks::empty()));
    if !CachedJwks::fetch_due(cached.as_ref(), known, now.0) {
        let in_flight = cached.as_ref().is_some_and(|c| now.0 - c.attempted_at < FETCH_TOTAL_MS);
        return Ok(match cached_keys {
            None if in_flight => fetched_meanwhile(&store, &cache_key).await,
            keys => keys,
        });
    }
    store_cache(&store, &cache_key, &CachedJwks::attempted(cached, now.0)).await;
    if !claim_fetch(&store, url, now).await? {
        return Ok(match cached_keys {
            None => fetched_meanwhile(&store, &cache_key).await,
            keys => keys,
        });
    }
    match fetch_jwks(url).await {
        Ok((text, keys)) => {
            store_cache(&store, &cache_key, &CachedJwks::fetched(text, now.0)).await;
            Ok(Some(keys))
        }
        Err(cause) => {
            web::write_log_line(
                &serde_json::json!({"event": "jwks_fetch_failed", "url": url, "error": format!("{cause:#}")}),
            );
            Ok(cached_keys)
        }
    }
}

/// With nothing cached while another request's fetch is under way, a request waits for that
/// fetch (a new replica's first requests come in a burst, and all but one would be 503s), but
/// no longer than a fetch may take. Once a fetch has failed, later requests do not wait: they
/// are 503s at once until the next attempt, a minute later.
async fn fetched_meanwhile(store: &crate::Store, cache_key: &str) -> Option<Jwks> {
    let deadline = std::time::Instant::now() + FETCH_LIMITS.total;
    while std::time::Instant::now() < deadline {
        host::sleep(Duration::from_millis(20)).await;
        let cached: Option<CachedJwks> =
            store.get(cache_key).await.ok().flatten().and_then(|bytes| serde_json::from_slice(&bytes).ok());
        if let Some(keys) = cached.as_ref().and_then(CachedJwks::keys) {
            return Some(keys);
        }
    }
    None
}

/// Whether this request is the one of its replica to fetch `url` now (`domain::jwks_fetch`).
async fn claim_fetch(store: &crate::Store, url: &str, now: Timestamp) -> Result<bool, ApiError> {
    let replica = match store.get(REPLICA_ID_KEY).await? {
        Some(id) => String::from_utf8_lossy(&id).into_owned(),
        None => {
            // Two first requests may each store an id; the one stored last stays. The other
            // claims once under its own id: one fetch more, once per store.
            let id: String = crate::random_bytes(16).iter().map(|b| format!("{b:02x}")).collect();
            store.set(REPLICA_ID_KEY, id.as_bytes()).await?;
            id
        }
    };
    let db = crate::SpinDb::open_default().await?;
    Ok(domain::jwks_fetch::claim(&db, url, &replica, now.0, REFETCH_INTERVAL_MS).await?)
}

async fn store_cache(store: &crate::Store, key: &str, entry: &CachedJwks) {
    let bytes = serde_json::to_vec(entry).expect("cache entry serialises");
    if entry.keys().is_some() {
        host::remember(key, bytes.clone());
    }
    if let Err(e) = store.set(key, &bytes).await {
        web::write_log_line(&serde_json::json!({"event": "jwks_cache_write_failed", "error": e.to_string()}));
    }
}

/// GETs the JWKS document within [`FETCH_LIMITS`]. Only HTTPS, or plain HTTP to this machine
/// (local issuers, tests).
async fn fetch_jwks(url: &str) -> anyhow::Result<(String, Jwks)> {
    let uri: http::Uri = url.parse()?;
    let loopback = matches!(uri.host(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if loopback => {}
        _ => anyhow::bail!("jwt_jwks_url must be an https URL"),
    }
    let (status, body) = host::fetch::get(url, "application/json", &FETCH_LIMITS).await?;
    anyhow::ensure!(status == 200, "JWKS answered {status}");
    let text = String::from_utf8(body)?;
    let keys = Jwks::parse(&text)?;
    Ok((text, keys))
}

fn config_error(what: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("{what} is not a valid JWKS: {e}"))
}
