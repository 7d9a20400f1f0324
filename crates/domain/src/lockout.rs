//! Brute-force protection of verify-credentials (contract §3, migration 0009): after
//! [`FAILURES_BEFORE_LOCK`] consecutive failures for one email in an organisation, attempts for
//! it are refused for 1 minute, doubling with each further failure, at most 1 hour; a success
//! resets the count. The email is only ever known here as a digest, and whether a profile has
//! it plays no part: unknown emails are counted and locked exactly like known ones, so the
//! lockout tells nothing about who is a customer.
//!
//! Failures are forgotten [`FORGET_AFTER_MS`] after the last one (as Keycloak's "failure reset
//! time"), so a customer who mistyped a few times last month starts afresh; a guesser who keeps
//! going never gets there and stays at an hour per guess.

use crate::db::{Db, DbError, Value};
use crate::time::Timestamp;
use sha2::{Digest, Sha256};

/// Failures allowed before the first lock.
pub const FAILURES_BEFORE_LOCK: i64 = 5;
/// The first lock...
const FIRST_LOCK_MS: i64 = 60 * 1000;
/// ...doubling up to this.
const LONGEST_LOCK_MS: i64 = 60 * 60 * 1000;
/// Failures older than this no longer count.
pub const FORGET_AFTER_MS: i64 = 24 * 60 * 60 * 1000;
/// How many forgotten rows one failure deletes, so the table holds little more than a day of
/// failures (each failure adds at most one row).
const FORGET_BATCH: i64 = 100;

const FIND: &str = "
    SELECT failures, last_failure_at, locked_until FROM sign_in_failure
     WHERE organisation_id = ?1 AND email_digest = ?2";

/// One more failure (`?3` now, `?4` the forget horizon), returning the count.
const FAIL: &str = "
    INSERT INTO sign_in_failure (organisation_id, email_digest, failures, last_failure_at)
    VALUES (?1, ?2, 1, ?3)
    ON CONFLICT (organisation_id, email_digest) DO UPDATE SET
        failures = CASE WHEN last_failure_at < ?4 THEN 1 ELSE failures + 1 END,
        last_failure_at = ?3
    RETURNING failures";

const LOCK: &str = "
    UPDATE sign_in_failure SET locked_until = max(locked_until, ?3)
     WHERE organisation_id = ?1 AND email_digest = ?2";

const RESET: &str = "DELETE FROM sign_in_failure WHERE organisation_id = ?1 AND email_digest = ?2";

const FORGET: &str = "
    DELETE FROM sign_in_failure WHERE (organisation_id, email_digest) IN
        (SELECT organisation_id, email_digest FROM sign_in_failure WHERE last_failure_at < ?1 LIMIT ?2)";

/// The sign-in attempts for one email in one organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempts {
    organisation_id: i64,
    digest: String,
}

/// Where a sign-in for an email stands before its password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// No failure on record: nothing to reset after a success.
    Clear,
    /// Failures on record, not locked: check the password.
    Failed,
    /// Locked: refuse without checking, and say when to try again (whole seconds, rounded up).
    Locked { retry_after_secs: u64 },
}

impl Attempts {
    /// `email_key` is the folded email (`text::fold`), so `Kari@X.no` and
    /// `kari@x.no` are one email, as everywhere else.
    pub fn of(organisation_id: i64, email_key: &str) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(organisation_id.to_le_bytes());
        hasher.update(email_key.as_bytes());
        let digest = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
        Self { organisation_id, digest }
    }

    fn key(&self) -> [Value; 2] {
        [Value::Integer(self.organisation_id), Value::from(self.digest.as_str())]
    }

    /// Where these attempts stand at `now`.
    pub async fn standing(&self, db: &impl Db, now: Timestamp) -> Result<Standing, DbError> {
        let rows = db.execute(FIND, &self.key()).await?;
        let Some(row) = rows.first() else { return Ok(Standing::Clear) };
        let locked_until = row.int("locked_until")?;
        if locked_until > now.0 {
            let retry_after_secs = u64::try_from((locked_until - now.0 + 999) / 1000).unwrap_or(1);
            return Ok(Standing::Locked { retry_after_secs });
        }
        Ok(Standing::Failed)
    }

    /// Records a failure at `now` and locks when it is one too many. Each statement is atomic by
    /// itself, so concurrent failures are all counted.
    pub async fn fail(&self, db: &impl Db, now: Timestamp) -> Result<(), DbError> {
        let [org, digest] = self.key();
        let params =
            [org.clone(), digest.clone(), Value::Integer(now.0), Value::Integer(now.0 - FORGET_AFTER_MS)];
        let failures =
            db.execute(FAIL, &params).await?.first().map(|row| row.int("failures")).transpose()?.unwrap_or(1);
        if let Some(lock_ms) = lock_for(failures) {
            db.execute(LOCK, &[org, digest, Value::Integer(now.0 + lock_ms)]).await?;
        }
        db.execute(FORGET, &[Value::Integer(now.0 - FORGET_AFTER_MS), Value::Integer(FORGET_BATCH)]).await?;
        Ok(())
    }

    /// Records a success: the count starts again.
    pub async fn succeed(&self, db: &impl Db) -> Result<(), DbError> {
        db.execute(RESET, &self.key()).await.map(|_| ())
    }
}

/// How long `failures` consecutive failures lock the email, in milliseconds: from the fifth
/// on, 1 minute, then 2, 4, ... at most 60.
pub fn lock_for(failures: i64) -> Option<i64> {
    let beyond = failures.checked_sub(FAILURES_BEFORE_LOCK).filter(|n| *n >= 0)?;
    let doublings = u32::try_from(beyond.min(7)).expect("at most 7");
    Some((FIRST_LOCK_MS << doublings).min(LONGEST_LOCK_MS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_db::{BlockOn, TestDb};

    const NOW: Timestamp = Timestamp(1_795_846_663_123);
    const MINUTE: i64 = 60_000;

    fn at(ms: i64) -> Timestamp {
        Timestamp(NOW.0 + ms)
    }

    #[test]
    fn the_lock_starts_at_the_fifth_failure_and_doubles_up_to_an_hour() {
        let minutes: Vec<Option<i64>> = (1..=13).map(|n| lock_for(n).map(|ms| ms / MINUTE)).collect();
        assert_eq!(
            minutes,
            [
                None,
                None,
                None,
                None,
                Some(1),
                Some(2),
                Some(4),
                Some(8),
                Some(16),
                Some(32),
                Some(60),
                Some(60),
                Some(60)
            ]
        );
        assert_eq!(lock_for(i64::MAX), Some(60 * MINUTE));
    }

    #[test]
    fn five_failures_lock_for_a_minute_and_a_further_failure_for_two() {
        let db = TestDb::new();
        let kari = Attempts::of(1001, "kari@example.no");
        assert_eq!(kari.standing(&db, NOW).block_on().unwrap(), Standing::Clear);
        for _ in 0..4 {
            kari.fail(&db, NOW).block_on().unwrap();
            assert_eq!(kari.standing(&db, NOW).block_on().unwrap(), Standing::Failed);
        }
        kari.fail(&db, NOW).block_on().unwrap();
        assert_eq!(kari.standing(&db, NOW).block_on().unwrap(), Standing::Locked { retry_after_secs: 60 });
        assert_eq!(
            kari.standing(&db, at(59_001)).block_on().unwrap(),
            Standing::Locked { retry_after_secs: 1 }
        );
        assert_eq!(kari.standing(&db, at(MINUTE)).block_on().unwrap(), Standing::Failed);
        kari.fail(&db, at(MINUTE)).block_on().unwrap();
        assert_eq!(
            kari.standing(&db, at(MINUTE)).block_on().unwrap(),
            Standing::Locked { retry_after_secs: 120 }
        );
    }

    #[test]
    fn a_success_resets_the_count() {
        let db = TestDb::new();
        let kari = Attempts::of(1001, "kari@example.no");
        for _ in 0..4 {
            kari.fail(&db, NOW).block_on().unwrap();
        }
        kari.succeed(&db).block_on().unwrap();
        assert_eq!(kari.standing(&db, NOW).block_on().unwrap(), Standing::Clear);
        for _ in 0..4 {
            kari.fail(&db, NOW).block_on().unwrap();
        }
        assert_eq!(kari.standing(&db, NOW).block_on().unwrap(), Standing::Failed, "four again, not eight");
    }

    #[test]
    fn emails_and_organisations_are_counted_apart() {
        let db = TestDb::new();
        for _ in 0..5 {
            Attempts::of(1001, "kari@example.no").fail(&db, NOW).block_on().unwrap();
        }
        assert!(matches!(
            Attempts::of(1001, "kari@example.no").standing(&db, NOW).block_on().unwrap(),
            Standing::Locked { .. }
        ));
        assert_eq!(
            Attempts::of(2002, "kari@example.no").standing(&db, NOW).block_on().unwrap(),
            Standing::Clear
        );
        assert_eq!(
            Attempts::of(1001, "ola@example.no").standing(&db, NOW).block_on().unwrap(),
            Standing::Clear
        );
    }

    #[test]
    fn failures_a_day_old_are_forgotten_and_deleted() {
        let db = TestDb::new();
        let kari = Attempts::of(1001, "kari@example.no");
        for _ in 0..4 {
            kari.fail(&db, NOW).block_on().unwrap();
        }
        kari.fail(&db, at(FORGET_AFTER_MS + 1)).block_on().unwrap();
        assert_eq!(
            kari.standing(&db, at(FORGET_AFTER_MS + 1)).block_on().unwrap(),
            Standing::Failed,
            "one, not five"
        );
        let ola = Attempts::of(1001, "ola@example.no");
        ola.fail(&db, at(2 * FORGET_AFTER_MS + 2)).block_on().unwrap();
        let rows = db.execute("SELECT count(*) AS n FROM sign_in_failure", &[]).block_on().unwrap();
        assert_eq!(rows.first().unwrap().int("n").unwrap(), 1, "kari's forgotten row is gone");
    }

    #[test]
    fn the_email_is_stored_only_as_a_digest() {
        let db = TestDb::new();
        Attempts::of(1001, "kari@example.no").fail(&db, NOW).block_on().unwrap();
        let rows = db.execute("SELECT email_digest FROM sign_in_failure", &[]).block_on().unwrap();
        let stored = rows.first().unwrap().text("email_digest").unwrap();
        assert_eq!(stored.len(), 64);
        assert!(!stored.contains("kari"));
        assert_ne!(Attempts::of(1001, "kari@example.no"), Attempts::of(2002, "kari@example.no"));
    }
}
