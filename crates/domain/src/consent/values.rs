//! Consent value types, parsed once: holding one means it was checked. Each parser returns a
//! code and a message; the caller adds the field name. Input arrives trimmed.

use crate::profile::values::language;
use crate::text;
use crate::time::Timestamp;
use chrono::DateTime;
use errors::{DbError, ErrorCode, Invalid};
use serde::{Deserialize, Deserializer};

/// The most characters a consent base's code may have.
pub const CONSENT_CODE_MAX: usize = 20;

/// A consent base's code: 1 to 20 of `A-Z a-z 0-9 _ -`, so it is safe in a path segment.
/// Unique among the bases one organisation sees (its own and the shared ones), compared
/// exactly; two organisations may each have their own base of one code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentCode(String);

impl ConsentCode {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if raw.chars().count() > CONSENT_CODE_MAX {
            return Err(Invalid::new(ErrorCode::TOO_LONG, "must be at most 20 characters"));
        }
        if raw.is_empty() || !raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(Invalid::new(
                ErrorCode::INVALID_CONSENT_CODE,
                "must consist of A-Z, a-z, 0-9, '_' and '-'",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The text of the terms in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub language: String,
    pub text: String,
}

/// The most characters one language's terms may have (the body is at most 64 KiB anyway).
pub const MAX_TERM_CHARS: usize = 20_000;

/// A term's text: non-empty, at most [`MAX_TERM_CHARS`], no control characters other than
/// line breaks and tabs (Markdown is welcome).
pub fn term_text(raw: &str) -> Result<String, Invalid> {
    text::multiline(raw, MAX_TERM_CHARS)
}

/// A term's language, as `languagePreference` (`NO`, `EN`, `nob`, `sme`, ...).
pub fn term_language(raw: &str) -> Result<String, Invalid> {
    language(raw)
}

/// The terms of one version: at least one language, each language once, sorted by language
/// so two sets of terms compare equal whatever order they were sent in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms(Vec<Term>);

impl Terms {
    /// From checked terms; `Err` names the index of a repeated language.
    pub fn new(mut terms: Vec<Term>) -> Result<Self, usize> {
        for (i, term) in terms.iter().enumerate() {
            if terms[..i].iter().any(|t| t.language == term.language) {
                return Err(i);
            }
        }
        terms.sort_by(|a, b| a.language.cmp(&b.language));
        Ok(Self(terms))
    }

    pub fn as_slice(&self) -> &[Term] {
        &self.0
    }

    /// How `self` (the new terms) relates to `current` (the latest version's):
    /// the same, the same plus translations into new languages, or different.
    pub fn compared_to(&self, current: &[Term]) -> TermsChange {
        let keeps_all = current.iter().all(|c| self.0.contains(c));
        match (keeps_all, self.0.len() == current.len()) {
            (true, true) => TermsChange::Same,
            (true, false) => TermsChange::Translated,
            (false, _) => TermsChange::Changed,
        }
    }
}

/// See [`Terms::compared_to`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermsChange {
    /// Nothing to write.
    Same,
    /// Every current text kept, languages added: the translations join the latest version.
    Translated,
    /// A text changed or a language was dropped: a new version.
    Changed,
}

/// The most characters `internalDescription` may have.
pub const INTERNAL_DESCRIPTION_MAX: usize = 1000;

/// `internalDescription`: at most [`INTERNAL_DESCRIPTION_MAX`] characters.
pub fn internal_description(raw: &str) -> Result<String, Invalid> {
    text::multiline(raw, INTERNAL_DESCRIPTION_MAX)
}

/// The most characters `distributionChannel` may have.
pub const DISTRIBUTION_CHANNEL_MAX: usize = 100;

/// `distributionChannel`: how the customer gave the choice (`WEB`, `APP`, `SALES_DESK`, ...),
/// at most [`DISTRIBUTION_CHANNEL_MAX`] characters.
pub fn distribution_channel(raw: &str) -> Result<String, Invalid> {
    text::bounded(raw, DISTRIBUTION_CHANNEL_MAX)
}

/// `validFrom` / `validTo`: an RFC 3339 date-time, or a date (`2027-01-01`, meaning its
/// start, 00:00 UTC).
pub fn instant(raw: &str) -> Result<Timestamp, Invalid> {
    let invalid =
        || Invalid::new(ErrorCode::INVALID_DATE_TIME, "must be an RFC 3339 date-time or a date (YYYY-MM-DD)");
    if raw.len() == 10 {
        let date = crate::time::parse_date(raw).map_err(|_| invalid())?;
        let start = date.and_hms_opt(0, 0, 0).ok_or_else(invalid)?.and_utc();
        return Ok(Timestamp(start.timestamp_millis()));
    }
    let at = DateTime::parse_from_rfc3339(raw).map_err(|_| invalid())?.timestamp_millis();
    // Four-digit years only, so stored text sorts as time.
    if !(0..=253_402_300_799_999).contains(&at) {
        return Err(invalid());
    }
    Ok(Timestamp(at))
}

/// An instant as stored (RFC 3339 text written by [`Timestamp::rfc3339`]).
pub fn stored_instant(text: &str) -> Result<Timestamp, DbError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| Timestamp(t.timestamp_millis()))
        .map_err(|_| DbError::Other(format!("stored instant {text:?} is not RFC 3339")))
}

/// For JSON Merge Patch fields: absent stays `None`, `null` becomes `Some(None)`, a value
/// `Some(Some(v))`. Use with `#[serde(default, deserialize_with = "present")]`.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(language: &str, text: &str) -> Term {
        Term { language: language.into(), text: text.into() }
    }

    #[test]
    fn consent_codes_are_at_most_20_path_safe_characters() {
        assert!(ConsentCode::parse("ENT_INFO-SMS_2").is_ok());
        assert_eq!(ConsentCode::parse(&"X".repeat(21)).unwrap_err().code, "TOO_LONG");
        for bad in ["with space", "slash/", "æøå", ""] {
            assert_eq!(ConsentCode::parse(bad).unwrap_err().code, "INVALID_CONSENT_CODE", "{bad}");
        }
    }

    #[test]
    fn terms_are_sorted_by_language_and_each_language_appears_once() {
        let terms = Terms::new(vec![term("nob", "Ja"), term("EN", "Yes")]).unwrap();
        assert_eq!(terms.as_slice()[0].language, "EN");
        assert_eq!(Terms::new(vec![term("EN", "a"), term("nob", "b"), term("EN", "c")]), Err(2));
    }

    #[test]
    fn adding_a_language_is_a_translation_and_changing_a_text_a_new_version() {
        let current = [term("EN", "Yes")];
        let same = Terms::new(vec![term("EN", "Yes")]).unwrap();
        let translated = Terms::new(vec![term("EN", "Yes"), term("nob", "Ja")]).unwrap();
        let changed = Terms::new(vec![term("EN", "Yes, please")]).unwrap();
        let dropped = Terms::new(vec![term("nob", "Ja")]).unwrap();
        assert_eq!(same.compared_to(&current), TermsChange::Same);
        assert_eq!(translated.compared_to(&current), TermsChange::Translated);
        assert_eq!(changed.compared_to(&current), TermsChange::Changed);
        assert_eq!(dropped.compared_to(&current), TermsChange::Changed);
    }

    #[test]
    fn instants_are_rfc3339_date_times_or_dates_at_midnight_utc() {
        assert_eq!(instant("2027-01-01").unwrap().rfc3339(), "2027-01-01T00:00:00.000Z");
        assert_eq!(instant("2027-01-01T01:30:00+01:00").unwrap().rfc3339(), "2027-01-01T00:30:00.000Z");
        for bad in ["2027-13-01", "tomorrow", "2027-01-01 10:00", "-0001-01-01T00:00:00Z"] {
            assert_eq!(instant(bad).unwrap_err().code, "INVALID_DATE_TIME", "{bad}");
        }
    }

    #[test]
    fn term_texts_may_hold_line_breaks_but_no_other_control_characters() {
        assert!(term_text("# Terms\n\n- one\n- two").is_ok());
        assert_eq!(term_text("a\u{7}b").unwrap_err().code, "INVALID_CHARACTERS");
        assert_eq!(term_text(&"a".repeat(MAX_TERM_CHARS + 1)).unwrap_err().code, "TOO_LONG");
    }
}
