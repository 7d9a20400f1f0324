//! Identifiers the service makes: customer uuids and correlation ids. Randomness is an input
//! (the component reads it from WASI's random interface), so these are plain functions.

const ALPHANUMERIC: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// How many characters a customer's `uuid` has.
pub const CUSTOMER_UUID_LENGTH: usize = 32;

/// A customer's `uuid`: 32 random alphanumeric characters (contract §3). Rejection sampling
/// keeps every character equally likely; 64 random bytes are plenty for 32 characters
/// (each byte is rejected with probability 4/256) and the caller retries in the unlikely
/// case they are not.
pub fn customer_uuid(random: &[u8]) -> Option<String> {
    let out: String = random
        .iter()
        .filter(|b| **b < 248) // 248 = 4 * 62: keep only bytes that map without bias
        .take(CUSTOMER_UUID_LENGTH)
        .map(|b| ALPHANUMERIC[usize::from(*b % 62)] as char)
        .collect();
    (out.len() == CUSTOMER_UUID_LENGTH).then_some(out)
}

/// A version-4 UUID in its usual text form, from 16 random bytes.
pub fn uuid_v4(random: [u8; 16]) -> String {
    let mut b = random;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_uuids_are_32_alphanumeric_characters() {
        let random: Vec<u8> = (0..64u8).map(|i| i.wrapping_mul(37)).collect();
        let uuid = customer_uuid(&random).unwrap();
        assert_eq!(uuid.len(), 32);
        assert!(uuid.chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn too_few_usable_bytes_give_no_uuid() {
        assert_eq!(customer_uuid(&[255; 64]), None);
    }

    #[test]
    fn uuid_v4_sets_version_and_variant() {
        let id = uuid_v4([0xff; 16]);
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert_eq!(&id[19..20], "b");
    }
}
