//! Profile value types, parsed once: holding one means it was checked. Each parser returns
//! a code and a message; the caller adds the field name. Input arrives trimmed.

use chrono::NaiveDate;
use errors::{ErrorCode, Invalid};

use crate::text::{self, fold};

/// The longest `firstName` / `surname`, in characters.
pub const NAME_MAX: usize = 100;
/// The longest `createdBy`, `createdByChannel`, `changedBy`, `changedByChannel`.
pub const ACTOR_MAX: usize = 100;
/// The longest `customerRef`.
pub const CUSTOMER_REF_MAX: usize = 40;
/// The longest email address, and the longest part before its `@`.
pub const EMAIL_MAX: usize = 254;
pub const EMAIL_LOCAL_MAX: usize = 64;
/// How many digits a telephone or landline number has (spaces and dashes aside).
pub const PHONE_DIGITS: std::ops::RangeInclusive<usize> = 4..=15;
/// How many digits a country calling code has after its `+`.
pub const COUNTRY_CODE_DIGITS: std::ops::RangeInclusive<usize> = 1..=3;

/// `firstName` / `surname`: at most [`NAME_MAX`] characters.
pub fn person_name(raw: &str) -> Result<String, Invalid> {
    text::bounded(raw, NAME_MAX)
}

/// `createdBy`, `createdByChannel`, `changedBy`, `changedByChannel`: at most [`ACTOR_MAX`]
/// characters.
pub fn actor_text(raw: &str) -> Result<String, Invalid> {
    text::bounded(raw, ACTOR_MAX)
}

/// `customerRef`: at most [`CUSTOMER_REF_MAX`] characters, unique per organisation.
pub fn customer_ref(raw: &str) -> Result<String, Invalid> {
    if raw.starts_with('~') {
        // Reserved, and documented as such (400 `INVALID_CUSTOMER_REF`): no stored ref starts
        // with `~`, so the prefix stays free for a marker of the service's own.
        return Err(Invalid::new(ErrorCode::INVALID_CUSTOMER_REF, "must not start with '~'"));
    }
    text::bounded(raw, CUSTOMER_REF_MAX)
}

/// A trimmed email address of at most 254 characters, at most 64 before the `@` (the
/// OpenAPI document's pattern says the same).
#[derive(Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let invalid = || Invalid::new(ErrorCode::INVALID_EMAIL, "is not a valid email address");
        if raw.chars().count() > EMAIL_MAX {
            return Err(Invalid::new(ErrorCode::TOO_LONG, "must be at most 254 characters"));
        }
        let (local, domain) = raw.rsplit_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        let chars_ok = !raw.chars().any(|c| c.is_whitespace() || c.is_control());
        if local.is_empty()
            || local.chars().count() > EMAIL_LOCAL_MAX
            || !domain_ok
            || !chars_ok
            || local.contains('@')
        {
            return Err(invalid());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Uniqueness and search compare case-insensitively.
    pub fn key(&self) -> String {
        fold(&self.0)
    }
}

impl std::fmt::Debug for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Email(***)") // personal data stays out of logs
    }
}

/// Accepted `languagePreference` values: Entur's two-letter codes and ISO 639-3.
pub const LANGUAGES: &[&str] = &[
    "NO", "EN", "SV", "DA", "FI", "DE", "FR", "ES", "nob", "nno", "nor", "eng", "sme", "sma", "smj", "swe",
    "dan", "fin", "deu", "fra", "spa",
];

/// `languagePreference`, normalised: two-letter codes upper case, three-letter lower case.
pub fn language(raw: &str) -> Result<String, Invalid> {
    let normalised = match raw.len() {
        2 => raw.to_ascii_uppercase(),
        3 => raw.to_ascii_lowercase(),
        _ => String::new(),
    };
    if LANGUAGES.contains(&normalised.as_str()) {
        Ok(normalised)
    } else {
        Err(Invalid::new(ErrorCode::INVALID_LANGUAGE, format!("must be one of {}", LANGUAGES.join(", "))))
    }
}

/// `dateOfBirth`: a real date, not in the future, not before 1900.
pub fn date_of_birth(raw: &str, today: NaiveDate) -> Result<NaiveDate, Invalid> {
    let date = crate::time::parse_date(raw)?;
    let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date");
    if date > today || date < earliest {
        return Err(Invalid::new(ErrorCode::INVALID_DATE_OF_BIRTH, "must be between 1900-01-01 and today"));
    }
    Ok(date)
}

/// Digits of a phone number with spaces and dashes removed; anything else is invalid.
pub fn phone_digits(raw: &str) -> Result<String, Invalid> {
    let invalid =
        || Invalid::new(ErrorCode::INVALID_TELEPHONE, "must be 4 to 15 digits (spaces and dashes allowed)");
    let mut digits = String::new();
    for c in raw.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' => {}
            _ => return Err(invalid()),
        }
    }
    if PHONE_DIGITS.contains(&digits.len()) {
        Ok(digits)
    } else {
        Err(invalid())
    }
}

/// `countryCode`: `+` and one to three digits (at most 4 characters), e.g. `+47`.
pub fn country_code(raw: &str) -> Result<String, Invalid> {
    let digits = raw.strip_prefix('+').unwrap_or("");
    if COUNTRY_CODE_DIGITS.contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) {
        Ok(raw.to_owned())
    } else {
        Err(Invalid::new(ErrorCode::INVALID_TELEPHONE, "must be '+' followed by 1 to 3 digits, e.g. +47"))
    }
}

/// A mobile number: country code and number as given, plus the normalised key.
#[derive(Clone, PartialEq, Eq)]
pub struct Telephone {
    pub country_code: String,
    pub number: Option<String>,
}

impl Telephone {
    /// The search key: country code digits and number digits (`4791234567`).
    pub fn key(&self) -> Option<String> {
        let number = self.number.as_deref()?;
        let digits = phone_digits(number).ok()?;
        Some(format!("{}{}", self.country_code.trim_start_matches('+'), digits))
    }
}

impl std::fmt::Debug for Telephone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Telephone(***)")
    }
}

/// The search key of a full number given with its country code (`+47 912 34 567`).
pub fn full_telephone_key(raw: &str) -> Result<String, Invalid> {
    phone_digits(raw.trim().trim_start_matches('+'))
}

/// A landline number as given, validated.
#[derive(Clone, PartialEq, Eq)]
pub struct Landline(String);

impl Landline {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        phone_digits(raw).map(|_| Self(raw.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn key(&self) -> String {
        phone_digits(&self.0).expect("validated at parse")
    }
}

impl std::fmt::Debug for Landline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Landline(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_longer_than_100_characters_are_rejected() {
        assert!(person_name(&"å".repeat(100)).is_ok());
        assert_eq!(person_name(&"å".repeat(101)).unwrap_err().code, "TOO_LONG");
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert!(Email::parse("kari.nordmann@example.no").is_ok());
        for bad in ["kari", "@example.no", "kari@example", "kari@.no", "kari @example.no", "kari@example..no"]
        {
            assert!(Email::parse(bad).is_err(), "{bad} was accepted");
        }
        // At most 64 characters (not bytes) before the `@`, as the document's pattern says.
        assert!(Email::parse(&format!("{}@example.no", "å".repeat(64))).is_ok());
        assert!(Email::parse(&format!("{}@example.no", "a".repeat(65))).is_err());
    }

    #[test]
    fn email_keys_ignore_case() {
        assert_eq!(Email::parse("Kari@Example.NO").unwrap().key(), "kari@example.no");
    }

    #[test]
    fn emails_stay_out_of_debug_output() {
        assert_eq!(format!("{:?}", Email::parse("kari@example.no").unwrap()), "Email(***)");
    }

    #[test]
    fn customer_refs_are_at_most_40_characters_and_not_placeholders() {
        assert!(customer_ref(&"x".repeat(40)).is_ok());
        assert!(customer_ref(&"x".repeat(41)).is_err());
        assert!(customer_ref("~abc").is_err());
    }

    #[test]
    fn languages_are_checked_against_the_list_and_normalised() {
        assert_eq!(language("no").unwrap(), "NO");
        assert_eq!(language("NOB").unwrap(), "nob");
        assert!(language("xx").is_err());
    }

    #[test]
    fn telephone_errors_carry_entur_code_605() {
        assert_eq!(phone_digits("12ab").unwrap_err().code, "605");
        assert_eq!(country_code("47").unwrap_err().code, "605");
        assert_eq!(country_code("+4747").unwrap_err().code, "605");
    }

    #[test]
    fn phone_numbers_ignore_spaces_and_dashes() {
        assert_eq!(phone_digits("912 34-567").unwrap(), "91234567");
        let phone = Telephone { country_code: "+47".into(), number: Some("912 34 567".into()) };
        assert_eq!(phone.key().unwrap(), "4791234567");
        assert_eq!(full_telephone_key("+47 912-34-567").unwrap(), "4791234567");
    }

    #[test]
    fn dates_of_birth_must_be_in_the_past() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        assert!(date_of_birth("1990-05-17", today).is_ok());
        assert!(date_of_birth("2027-01-01", today).is_err());
        assert!(date_of_birth("1899-12-31", today).is_err());
    }
}
