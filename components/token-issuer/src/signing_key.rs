//! The issuer's Ed25519 key pair, kept in key-value as one entry.

use auth::issuer::DevSigningKey;
use errors::ApiError;
use spin_glue::DEV_ISSUER_KEY_PAIR;

/// The key, generated on first use. The pair is one entry (public JWKS and private key
/// together), so the key published and the key that signs are always the same pair; the entry
/// is read back after storing, so two first requests at once both sign with the pair stored
/// last. (Key-value has no compare-and-swap: a first request that read its own pair back just
/// before another first request stored a different one has signed one token that no longer
/// verifies. That takes two first requests within a few host calls of each other, once per
/// installation; asking for a new token mends it.)
pub async fn load_or_create() -> Result<DevSigningKey, ApiError> {
    let store = spin_glue::kv().await?;
    if store.get(DEV_ISSUER_KEY_PAIR).await?.is_none() {
        let mut seed = [0u8; 32];
        seed.copy_from_slice(&spin_glue::random_bytes(32)[..32]);
        let key = DevSigningKey::from_seed(seed);
        store.set(DEV_ISSUER_KEY_PAIR, key.to_stored_json().as_bytes()).await?;
    }
    let stored = store.get(DEV_ISSUER_KEY_PAIR).await?.unwrap_or_default();
    DevSigningKey::from_stored_json(&String::from_utf8_lossy(&stored))
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored signing key: {e}")))
}
