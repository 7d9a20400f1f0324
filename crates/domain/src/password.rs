//! Passwords (contract §3): the policy, and Argon2id hashes stored as PHC strings. A
//! password is never stored, returned or logged; hashing is slow on purpose, so callers
//! hash before they open a write transaction, never inside one.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use errors::{ErrorCode, Invalid};

/// A password that satisfies the policy. `Debug` hides it.
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// How many characters a password has.
pub const LENGTH: std::ops::RangeInclusive<usize> = 7..=128;

impl Password {
    /// At least 7 characters with a lower-case letter, an upper-case letter and a digit
    /// (`abcD123` passes), at most 128 ([`LENGTH`]). Not trimmed: spaces count.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let length = raw.chars().count();
        let rule = LENGTH.contains(&length)
            && raw.chars().any(char::is_lowercase)
            && raw.chars().any(char::is_uppercase)
            && raw.chars().any(|c| c.is_ascii_digit());
        if rule {
            Ok(Self(raw.to_owned()))
        } else {
            Err(Invalid::new(
                ErrorCode::WEAK_PASSWORD,
                "must be 7 to 128 characters with a lower-case letter, an upper-case letter and a digit",
            ))
        }
    }
}

/// OWASP's minimum for Argon2id: 19 MiB of memory, 2 iterations, 1 lane.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string of `password` with a salt made from 16 random bytes.
pub fn hash(password: &Password, salt_bytes: &[u8]) -> String {
    let salt = SaltString::encode_b64(salt_bytes).expect("16 bytes make a valid salt");
    hasher().hash_password(password.0.as_bytes(), &salt).expect("Argon2id hashing succeeds").to_string()
}

/// A hash of no one's password, with the same parameters: checking against it costs the
/// same as checking a real one, so an unknown email answers in the same time (§3).
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$ZHVtbXktc2FsdC0wMDAwMA$bWMKpvOMwsSpoHPmKC3yiTR/+e3Fi3+/B3mlQhIC1CI";

/// Whether `candidate` matches the stored hash. Without a stored hash (unknown email, no
/// password set) the dummy is checked instead and the answer is `false`.
pub fn verify(candidate: &str, stored: Option<&str>) -> bool {
    let (hash, real) = match stored {
        Some(hash) => (hash, true),
        None => (DUMMY_HASH, false),
    };
    let Ok(parsed) = PasswordHash::new(hash) else { return false };
    let matches = hasher().verify_password(candidate.as_bytes(), &parsed).is_ok();
    real && matches
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_wants_seven_characters_with_lower_upper_and_digit() {
        assert!(Password::parse("abcD123").is_ok());
        for weak in ["abcD12", "abcdefg1", "ABCDEFG1", "abcDefgh", &format!("aA1{}", "x".repeat(126))] {
            assert_eq!(Password::parse(weak).unwrap_err().code, "WEAK_PASSWORD", "{weak}");
        }
    }

    #[test]
    fn a_hash_is_an_argon2id_phc_string_that_verifies_only_its_password() {
        let stored = hash(&Password::parse("abcD123").unwrap(), &[7; 16]);
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(verify("abcD123", Some(&stored)));
        assert!(!verify("abcD124", Some(&stored)));
    }

    #[test]
    fn without_a_stored_hash_nothing_verifies_and_the_dummy_is_a_valid_hash() {
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!verify("abcD123", None));
    }

    #[test]
    fn passwords_stay_out_of_debug_output() {
        assert_eq!(format!("{:?}", Password::parse("abcD123").unwrap()), "Password(***)");
    }
}
