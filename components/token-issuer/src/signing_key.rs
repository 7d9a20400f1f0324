//! The issuer's Ed25519 signing key, kept in key-value.

use auth::issuer::DevSigningKey;
use errors::ApiError;

const SIGNING_KEY: &str = "dev-issuer/signing-key";

/// The key, generated on first use. The public JWKS is stored before the private key and
/// the key is read back after storing, so two first requests at once settle on the key
/// that was stored last, whose public half is the one published.
pub fn load_or_create() -> Result<DevSigningKey, ApiError> {
    let store = spin_glue::kv()?;
    let kv_error = |e: spin_sdk::key_value::Error| ApiError::Internal(anyhow::anyhow!("key-value: {e}"));
    if store.get(SIGNING_KEY).map_err(kv_error)?.is_none() {
        let mut seed = [0u8; 32];
        seed.copy_from_slice(&spin_glue::random_bytes(32)[..32]);
        let key = DevSigningKey::from_seed(seed);
        store.set(spin_glue::DEV_ISSUER_JWKS_KEY, key.public_jwks().as_bytes()).map_err(kv_error)?;
        store.set(SIGNING_KEY, key.to_private_json().as_bytes()).map_err(kv_error)?;
    }
    let stored = store.get(SIGNING_KEY).map_err(kv_error)?.unwrap_or_default();
    DevSigningKey::from_private_json(&String::from_utf8_lossy(&stored))
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored signing key: {e}")))
}
