//! Time as an input: `now` enters once per request and every rule that depends on it takes
//! it. Timestamps are stored and served as RFC 3339 UTC with milliseconds, which also sorts
//! correctly as text in SQLite.

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Utc};
use errors::{ErrorCode, Invalid};

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

/// A `YYYY-MM-DD` date. Read by hand: chrono's format-string parser is large, and every
/// component carries whatever it links.
pub fn parse_date(raw: &str) -> Result<NaiveDate, Invalid> {
    let invalid = || Invalid::new(ErrorCode::INVALID_DATE, "must be a date in the form YYYY-MM-DD");
    let b = raw.as_bytes();
    let digits_at = |range: std::ops::Range<usize>| -> Option<u32> {
        b.get(range.clone())
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .map(|d| d.iter().fold(0u32, |n, digit| n * 10 + u32::from(digit - b'0')))
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(invalid());
    }
    let (Some(year), Some(month), Some(day)) = (digits_at(0..4), digits_at(5..7), digits_at(8..10)) else {
        return Err(invalid());
    };
    NaiveDate::from_ymd_opt(year as i32, month, day).ok_or_else(invalid)
}

/// An `expirationDate` as given: the instant from which it has passed, and the date when it
/// was given as a date, so that it is answered the way it was given (a date in, the same date
/// out; a date-time in, the same instant out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expiration {
    /// The first instant at which it has passed.
    pub at: Timestamp,
    /// The date it was given as (valid through that day), if it was given as a date.
    pub day: Option<NaiveDate>,
}

impl Expiration {
    /// The date as given (`2027-01-31`), for the column that keeps it.
    pub fn day_text(&self) -> Option<String> {
        // By hand, like `parse_date`: chrono's formatter is large.
        self.day.map(|day| format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day()))
    }
}

/// An `expirationDate`: a date (`2027-01-31`, valid through that day, so it expires at the
/// start of the next day, UTC) or an RFC 3339 date-time. It must lie after `now`, and at
/// most `max_days` ahead when a limit applies.
pub fn parse_expiration(raw: &str, now: Timestamp, max_days: Option<i64>) -> Result<Expiration, Invalid> {
    let invalid = || {
        Invalid::new(
            ErrorCode::INVALID_EXPIRATION_DATE,
            "must be a date (YYYY-MM-DD) or an RFC 3339 date-time",
        )
    };
    let (at, day) = if raw.len() == 10 {
        let day = parse_date(raw)?;
        let next_day = day.succ_opt().ok_or_else(invalid)?;
        (next_day.and_hms_opt(0, 0, 0).ok_or_else(invalid)?.and_utc().timestamp_millis(), Some(day))
    } else {
        (DateTime::parse_from_rfc3339(raw).map_err(|_| invalid())?.timestamp_millis(), None)
    };
    if at <= now.0 {
        return Err(Invalid::new(ErrorCode::EXPIRATION_DATE_IN_THE_PAST, "must be in the future"));
    }
    if let Some(days) = max_days {
        if at > now.0 + days * 24 * 60 * 60 * 1000 {
            return Err(Invalid::new(
                ErrorCode::EXPIRATION_DATE_TOO_FAR,
                format!("must be at most {days} days ahead"),
            ));
        }
    }
    Ok(Expiration { at: Timestamp(at), day })
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
    fn an_expiration_date_lasts_through_its_day() {
        let now = Timestamp(1_795_846_663_123); // 2026-11-28T06:17:43.123Z
        let through_the_day = parse_expiration("2026-11-28", now, None).unwrap();
        assert_eq!(through_the_day.at.rfc3339(), "2026-11-29T00:00:00.000Z");
        assert_eq!(through_the_day.day_text().as_deref(), Some("2026-11-28"), "answered as given");
        let instant = parse_expiration("2026-11-28T09:00:00+01:00", now, None).unwrap();
        assert_eq!((instant.at.rfc3339(), instant.day), ("2026-11-28T08:00:00.000Z".to_owned(), None));
        let at = parse_expiration("2026-11-28T07:00:00+01:00", now, None).unwrap_err();
        assert_eq!(at.code, "EXPIRATION_DATE_IN_THE_PAST");
        assert!(parse_expiration("2026-11-28T08:00:00Z", now, None).is_ok());
        assert_eq!(
            parse_expiration("2028-02-01", now, Some(400)).unwrap_err().code,
            "EXPIRATION_DATE_TOO_FAR"
        );
        assert_eq!(parse_expiration("tomorrow", now, None).unwrap_err().code, "INVALID_EXPIRATION_DATE");
    }

    #[test]
    fn dates_must_be_complete_and_real() {
        assert!(parse_date("2026-02-28").is_ok());
        assert!(parse_date("2026-02-30").is_err());
        assert!(parse_date("2026-2-28").is_err());
        assert!(parse_date("28.02.2026").is_err());
    }
}
