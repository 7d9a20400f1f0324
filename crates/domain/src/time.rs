//! Time as an input: `now` enters once per request and every rule that depends on it takes
//! it. Timestamps are stored and served as RFC 3339 UTC with milliseconds, which also sorts
//! correctly as text in SQLite.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use errors::Invalid;

/// An instant, in milliseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn from_millis(ms: i64) -> Self {
        Self(ms)
    }

    pub fn unix_seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// `2026-11-28T06:17:43.123Z`
    pub fn rfc3339(self) -> String {
        DateTime::<Utc>::from_timestamp_millis(self.0)
            .expect("timestamps in range")
            .to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// The calendar date (UTC).
    pub fn date(self) -> NaiveDate {
        DateTime::<Utc>::from_timestamp_millis(self.0).expect("timestamps in range").date_naive()
    }
}

/// A `YYYY-MM-DD` date.
pub fn parse_date(raw: &str) -> Result<NaiveDate, Invalid> {
    let invalid = || Invalid::new("INVALID_DATE", "must be a date in the form YYYY-MM-DD");
    if raw.len() != 10 {
        return Err(invalid());
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc_with_milliseconds() {
        assert_eq!(Timestamp(1_795_846_663_123).rfc3339(), "2026-11-28T06:17:43.123Z");
        assert_eq!(Timestamp(0).rfc3339(), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn dates_must_be_complete_and_real() {
        assert!(parse_date("2026-02-28").is_ok());
        assert!(parse_date("2026-02-30").is_err());
        assert!(parse_date("2026-2-28").is_err());
        assert!(parse_date("28.02.2026").is_err());
    }
}
