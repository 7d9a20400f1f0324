//! Remembering a verified token for a short while, across requests.
//!
//! A component keeps no memory between requests, so without this every request verifies its
//! token's signature again: about 1 ms of RSA arithmetic in WebAssembly, the largest single
//! cost of an authenticated request (measured with `scripts/bench`). A partner's service sends
//! the same token for its whole lifetime, so the outcome of one verification is stored in
//! key-value and reused for [`REMEMBER_SECS`].
//!
//! What keeps this as strict as verifying every time:
//! - only a token that passed [`crate::Verifier::verify_token`] is ever stored;
//! - an entry names its token by a SHA-256 [`TokenDigest`] of the token *and* of every setting
//!   that decides acceptance (issuer, audience, organisation claim, and the caller's
//!   description of the trusted keys' sources), so another token, or the same token under
//!   changed settings, never matches;
//! - `exp` is checked again (with the usual leeway) on every use;
//! - an entry is used for at most [`REMEMBER_SECS`], far less than the 10 minutes for which
//!   the issuer's JWKS itself is cached: a key withdrawn from the JWKS stops being trusted no
//!   later than before, give or take this minute.
//!
//! Entries live in a fixed set of [`SLOTS`] keys (a token's slot is picked by its digest), so
//! the store never grows: a collision only costs a verification.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Caller, Verified, Verifier, LEEWAY_SECS};

/// How long one verification is reused, in seconds.
pub const REMEMBER_SECS: i64 = 60;

/// How many key-value keys the entries share.
const SLOTS: u8 = 64;

/// A token under a set of settings, as a SHA-256 digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenDigest([u8; 32]);

impl TokenDigest {
    /// The key-value key of this token's slot (`auth/verified/00` … `auth/verified/3f`).
    pub fn slot_key(&self) -> String {
        format!("auth/verified/{:02x}", self.0[0] % SLOTS)
    }

    fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl Verifier {
    /// The digest of `token` under these settings and `trust`: whatever else decides which
    /// tokens are accepted (the trusted keys' sources), described by the caller.
    pub fn digest(&self, token: &str, trust: &str) -> TokenDigest {
        let mut hasher = Sha256::new();
        for part in [self.issuer.as_str(), &self.audience, &self.organisation_claim, trust, token] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        TokenDigest(hasher.finalize().into())
    }
}

/// A remembered verification, as stored in key-value (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Remembered {
    digest: String,
    organisation_id: i64,
    permissions: Vec<String>,
    client_id: Option<String>,
    expires_at: i64,
    verified_at: i64,
}

impl Remembered {
    /// What to store after `verified` was verified at `now` (seconds since the Unix epoch).
    pub fn new(digest: &TokenDigest, verified: &Verified, now: i64) -> Self {
        Self {
            digest: digest.hex(),
            organisation_id: verified.caller.org(),
            permissions: verified.caller.permissions().iter().cloned().collect(),
            client_id: verified.caller.client_id().map(str::to_owned),
            expires_at: verified.expires_at,
            verified_at: now,
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a remembered verification serialises")
    }

    /// An entry read back; `None` for anything unreadable.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        serde_json::from_slice(bytes).ok()
    }

    /// The caller, when this entry is about `digest` and may still be used at `now`: verified
    /// less than [`REMEMBER_SECS`] ago (and not in the future) and the token not expired.
    pub fn caller(&self, digest: &TokenDigest, now: i64) -> Option<Caller> {
        let fresh = (0..REMEMBER_SECS).contains(&(now - self.verified_at));
        let unexpired = now <= self.expires_at.saturating_add(LEEWAY_SECS);
        (self.digest == digest.hex() && fresh && unexpired).then(|| {
            Caller::new(self.organisation_id, self.permissions.iter().cloned(), self.client_id.clone())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{claims, sign_eddsa, trusted_keys, verifier, NOW};

    fn verified(token: &str) -> Verified {
        verifier().verify_token(token, &trusted_keys(), NOW).expect("the test token verifies")
    }

    #[test]
    fn a_remembered_verification_gives_the_same_caller() {
        let token = sign_eddsa(Some("ed-1"), &claims());
        let verified = verified(&token);
        let digest = verifier().digest(&token, "trust");
        let stored = Remembered::new(&digest, &verified, NOW).to_bytes();
        let entry = Remembered::from_bytes(&stored).unwrap();
        assert_eq!(entry.caller(&digest, NOW + 1), Some(verified.caller));
    }

    #[test]
    fn another_token_or_other_settings_never_match() {
        let token = sign_eddsa(Some("ed-1"), &claims());
        let digest = verifier().digest(&token, "trust");
        let entry = Remembered::new(&digest, &verified(&token), NOW);
        let other_token = format!("{token}x");
        assert_eq!(entry.caller(&verifier().digest(&other_token, "trust"), NOW), None);
        assert_eq!(entry.caller(&verifier().digest(&token, "other trust"), NOW), None);
        let mut other_audience = verifier();
        other_audience.audience.push('x');
        assert_eq!(entry.caller(&other_audience.digest(&token, "trust"), NOW), None);
    }

    #[test]
    fn an_entry_is_used_for_a_minute_at_most_and_never_past_exp() {
        let token = sign_eddsa(Some("ed-1"), &claims());
        let digest = verifier().digest(&token, "trust");
        let verified = verified(&token);
        let entry = Remembered::new(&digest, &verified, NOW);
        assert!(entry.caller(&digest, NOW + REMEMBER_SECS - 1).is_some());
        assert!(entry.caller(&digest, NOW + REMEMBER_SECS).is_none());
        assert!(entry.caller(&digest, NOW - 1).is_none(), "verified in the future");
        let late = Remembered::new(&digest, &verified, verified.expires_at + LEEWAY_SECS - 10);
        assert!(late.caller(&digest, verified.expires_at + LEEWAY_SECS).is_some());
        assert!(late.caller(&digest, verified.expires_at + LEEWAY_SECS + 1).is_none(), "expired");
    }

    #[test]
    fn slots_are_bounded() {
        let keys: std::collections::BTreeSet<String> =
            (0..2000).map(|i| verifier().digest(&format!("token-{i}"), "").slot_key()).collect();
        assert_eq!(keys.len(), usize::from(SLOTS));
        assert!(keys.iter().all(|k| k.starts_with("auth/verified/") && k.len() == 16));
    }
}
