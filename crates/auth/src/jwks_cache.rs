//! When the issuer's JWKS (`jwt_jwks_url`) is fetched again (contract §2): the cached copy is
//! used for [`MAX_AGE_MS`]; a token whose `kid` it lacks makes the service ask again, but never
//! more than once per [`REFETCH_INTERVAL_MS`]. The caller stamps the attempt before it fetches
//! ([`CachedJwks::attempted`]), so the requests that arrive while a fetch is on its way find
//! the stamp and use what is cached instead of fetching too.

use serde::{Deserialize, Serialize};

use crate::Jwks;

/// A cached JWKS is used without asking the issuer for this long...
pub const MAX_AGE_MS: i64 = 10 * 60 * 1000;
/// ...and it is asked at most this often, whatever tokens arrive.
pub const REFETCH_INTERVAL_MS: i64 = 60 * 1000;

/// What the cache holds for one JWKS URL (as JSON in key-value). Times are milliseconds since
/// the Unix epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CachedJwks {
    /// When the document was last fetched successfully; 0: never.
    pub fetched_at: i64,
    /// When it was last asked for, successfully or not: the refetch limit.
    pub attempted_at: i64,
    /// The document as fetched (empty when never fetched).
    pub jwks: String,
}

impl CachedJwks {
    /// A document just fetched at `now`.
    pub fn fetched(jwks: String, now: i64) -> Self {
        Self { fetched_at: now, attempted_at: now, jwks }
    }

    /// `cached` (or nothing) with an attempt stamped at `now`: written before fetching, and
    /// kept when the fetch fails, so the cached keys stay in use.
    pub fn attempted(cached: Option<Self>, now: i64) -> Self {
        match cached {
            Some(cached) => Self { attempted_at: now, ..cached },
            None => Self { fetched_at: 0, attempted_at: now, jwks: String::new() },
        }
    }

    /// The cached keys; `None` when nothing usable was ever fetched.
    pub fn keys(&self) -> Option<Jwks> {
        (self.fetched_at > 0).then(|| Jwks::parse(&self.jwks).ok()).flatten()
    }

    /// Whether to fetch now: never within [`REFETCH_INTERVAL_MS`] of the last attempt, and then
    /// when nothing usable is cached, the copy is older than [`MAX_AGE_MS`], or the token's
    /// `kid` is not among the trusted keys (`kid_known`: the caller also counts keys from other
    /// sources).
    pub fn fetch_due(cached: Option<&Self>, kid_known: bool, now: i64) -> bool {
        let Some(cached) = cached else { return true };
        if now - cached.attempted_at < REFETCH_INTERVAL_MS {
            return false;
        }
        let usable = cached.keys().is_some();
        !usable || now - cached.fetched_at >= MAX_AGE_MS || !kid_known
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000_000;
    const JWKS: &str = r#"{"keys":[]}"#;

    #[test]
    fn nothing_cached_means_fetch() {
        assert!(CachedJwks::fetch_due(None, false, NOW));
        assert!(CachedJwks::fetch_due(None, true, NOW));
    }

    #[test]
    fn a_fresh_copy_is_used_unless_the_kid_is_unknown() {
        let cached = CachedJwks::fetched(JWKS.into(), NOW - REFETCH_INTERVAL_MS);
        assert!(!CachedJwks::fetch_due(Some(&cached), true, NOW));
        assert!(CachedJwks::fetch_due(Some(&cached), false, NOW));
    }

    #[test]
    fn an_unknown_kid_fetches_at_most_once_a_minute() {
        let cached = CachedJwks::fetched(JWKS.into(), NOW - 1);
        assert!(!CachedJwks::fetch_due(Some(&cached), false, NOW));
        let stamped = CachedJwks::attempted(Some(cached), NOW);
        assert!(!CachedJwks::fetch_due(Some(&stamped), false, NOW + REFETCH_INTERVAL_MS - 1));
        assert!(CachedJwks::fetch_due(Some(&stamped), false, NOW + REFETCH_INTERVAL_MS));
    }

    #[test]
    fn a_stale_copy_is_refreshed_even_for_known_kids() {
        let cached = CachedJwks::fetched(JWKS.into(), NOW - MAX_AGE_MS);
        assert!(CachedJwks::fetch_due(Some(&cached), true, NOW));
        assert!(!CachedJwks::fetch_due(Some(&cached), true, NOW - 1));
    }

    #[test]
    fn a_failed_first_fetch_is_retried_only_after_a_minute_and_trusts_nothing() {
        let failed = CachedJwks::attempted(None, NOW);
        assert_eq!(failed.keys().map(|k| k.len()), None);
        assert!(!CachedJwks::fetch_due(Some(&failed), true, NOW + REFETCH_INTERVAL_MS - 1));
        assert!(CachedJwks::fetch_due(Some(&failed), true, NOW + REFETCH_INTERVAL_MS));
    }

    #[test]
    fn a_failed_refetch_keeps_the_cached_keys() {
        let cached = CachedJwks::fetched(JWKS.into(), NOW - MAX_AGE_MS);
        let stamped = CachedJwks::attempted(Some(cached.clone()), NOW);
        assert_eq!((stamped.fetched_at, &stamped.jwks), (cached.fetched_at, &cached.jwks));
        assert!(stamped.keys().is_some());
    }

    #[test]
    fn the_cache_entry_roundtrips_as_json() {
        let cached = CachedJwks::fetched(JWKS.into(), NOW);
        let json = serde_json::to_string(&cached).unwrap();
        assert!(json.contains("fetchedAt") && json.contains("attemptedAt"), "{json}");
        assert_eq!(serde_json::from_str::<CachedJwks>(&json).unwrap(), cached);
    }
}
