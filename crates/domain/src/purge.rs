//! Expiry (contract §5): temporary profiles past their `expirationDate` and deactivated
//! profiles past theirs are deleted with everything attached (children go through the
//! foreign keys' ON DELETE CASCADE; stored idempotent responses and the profiles merged
//! into them explicitly). Bounded batches, each one short write transaction, so no request
//! and no other writer waits long; `secure_delete` overwrites the freed bytes and the
//! caller checkpoints the write-ahead log afterwards.

use crate::db::{Db, DbError, Value};
use crate::time::Timestamp;
use std::time::{Duration, Instant};

/// What one purge deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Purged {
    pub temporary_profiles: i64,
    pub deactivated_profiles: i64,
    pub idempotency_records: i64,
}

impl Purged {
    pub fn add(&mut self, other: Purged) {
        self.temporary_profiles += other.temporary_profiles;
        self.deactivated_profiles += other.deactivated_profiles;
        self.idempotency_records += other.idempotency_records;
    }

    pub fn total(&self) -> i64 {
        self.temporary_profiles + self.deactivated_profiles + self.idempotency_records
    }
}

/// The expired profiles of one batch: `?1` an organisation or NULL for all, `?2` now,
/// `?3` the batch size. Oldest first; served by the `customer_expiry` index.
macro_rules! expired {
    () => {
        "SELECT customer_number FROM customer
          WHERE expiration_date <= ?2 AND (profile_type = 'T' OR status = 'D')
            AND (?1 IS NULL OR organisation_id = ?1)
          ORDER BY expiration_date, customer_number LIMIT ?3"
    };
}

const DELETE_THEIR_IDEMPOTENCY_RECORDS: &str =
    concat!("DELETE FROM idempotency_record WHERE customer_number IN (", expired!(), ") RETURNING 1");
const DELETE_MERGED_INTO_THEM: &str = concat!("DELETE FROM customer WHERE merged_into IN (", expired!(), ")");
const AUDIT_THEM: &str = concat!(
    "INSERT INTO audit_event (organisation_id, customer_number, action, changed_fields, at)
     SELECT organisation_id, customer_number, 'PURGED', '[]', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
       FROM customer WHERE customer_number IN (",
    expired!(),
    ")"
);
const DELETE_THEM: &str =
    concat!("DELETE FROM customer WHERE customer_number IN (", expired!(), ") RETURNING profile_type");
const DELETE_EXPIRED_IDEMPOTENCY_RECORDS: &str = "
    DELETE FROM idempotency_record WHERE rowid IN (
        SELECT rowid FROM idempotency_record
         WHERE expires_at <= ?2 AND (?1 IS NULL OR organisation_id = ?1) LIMIT ?3)
    RETURNING 1";

/// Deletes at most `batch` expired profiles and `batch` expired idempotency records, in one
/// transaction. `organisation_id` limits it to one organisation (the admin endpoint);
/// `None` purges for all (the batches piggy-backed on requests).
pub fn purge_batch(
    db: &impl Db,
    organisation_id: Option<i64>,
    now: Timestamp,
    batch: i64,
) -> Result<Purged, DbError> {
    let params = [Value::from(organisation_id), Value::from(now.rfc3339()), Value::Integer(batch)];
    // A cheap look first: most of the time there is nothing to do, and then no write lock.
    let any_due = db.execute(concat!("SELECT EXISTS (", expired!(), ") AS due"), &params)?;
    let idempotency_due = db.execute(
        "SELECT EXISTS (SELECT 1 FROM idempotency_record WHERE expires_at <= ?2
                          AND (?1 IS NULL OR organisation_id = ?1) LIMIT ?3) AS due",
        &params,
    )?;
    let due = |rows: &crate::db::Rows| rows.first().map(|r| r.int("due")).transpose().map(|d| d == Some(1));
    if !due(&any_due)? && !due(&idempotency_due)? {
        return Ok(Purged::default());
    }
    db.transaction(|tx| {
        let mut purged = Purged {
            idempotency_records: tx.execute(DELETE_THEIR_IDEMPOTENCY_RECORDS, &params)?.rows.len() as i64,
            ..Purged::default()
        };
        tx.execute(DELETE_MERGED_INTO_THEM, &params)?;
        tx.execute(AUDIT_THEM, &params)?;
        for row in tx.execute(DELETE_THEM, &params)?.iter() {
            match row.text("profile_type")?.as_str() {
                "T" => purged.temporary_profiles += 1,
                _ => purged.deactivated_profiles += 1,
            }
        }
        purged.idempotency_records +=
            tx.execute(DELETE_EXPIRED_IDEMPOTENCY_RECORDS, &params)?.rows.len() as i64;
        Ok(purged)
    })
}

/// How one purge run paces itself (the admin endpoint's figures are `api::purge::PACING`).
#[derive(Debug, Clone, Copy)]
pub struct Pacing {
    /// Rows per batch; each batch is one short write transaction.
    pub batch: i64,
    /// Batches per run, so one run stays bounded (`complete: false` says run again).
    pub max_batches: usize,
    /// No new batch starts after this long.
    pub time_budget: Duration,
    /// The write lock is left free this long between two batches, so that other writers
    /// (who retry every 10 ms, `connection::begin_immediate`) get their turn.
    pub pause: Duration,
}

/// What one [`purge_expired`] run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub purged: Purged,
    /// Whether nothing expired is left (for the run's organisation).
    pub complete: bool,
    pub batches: usize,
}

/// Settings of the connection a purge run uses, for its duration only (a connection lives for
/// one request). A batch of 500 dirties ~2,600 pages, mostly leaves of the indexes on random
/// keys (names, email, phones) that the next batches dirty again. A 64 MiB page cache keeps
/// them between batches (deleting 100,000 profiles: 8.7 s with SQLite's 2 MiB default, 5.9 s;
/// 256 MiB gains nothing more), and a checkpoint every [`CHECKPOINT_EVERY`] batches instead
/// of SQLite's after every commit writes each page back once for several batches
/// (checkpointing: 16 s → 5 s). The memory is the host's, freed when the request's
/// connection closes.
const PURGE_CONNECTION_PRAGMAS: [&str; 2] = ["PRAGMA cache_size = -65536", "PRAGMA wal_autocheckpoint = 0"];

/// Batches between two checkpoints of the write-ahead log (outside the write lock): the log
/// then grows to about 170 MB during a large purge, and is truncated at its end.
const CHECKPOINT_EVERY: usize = 16;

/// Purges in batches until nothing expired is left or `pacing` says stop, then checkpoints
/// and truncates the write-ahead log, so that no copy of a purged row outlives the run (§5).
pub fn purge_expired(
    db: &impl Db,
    organisation_id: Option<i64>,
    now: Timestamp,
    pacing: Pacing,
) -> Result<Run, DbError> {
    crate::connection::local_file_only(db, &PURGE_CONNECTION_PRAGMAS)?;
    let started = Instant::now();
    let mut run = Run::default();
    while run.batches < pacing.max_batches {
        if run.batches > 0 {
            if started.elapsed() >= pacing.time_budget {
                break;
            }
            if run.batches % CHECKPOINT_EVERY == 0 {
                crate::connection::checkpoint_passive(db);
            }
            std::thread::sleep(pacing.pause);
        }
        let purged = purge_batch(db, organisation_id, now, pacing.batch)?;
        run.purged.add(purged);
        run.batches += 1;
        if purged.temporary_profiles + purged.deactivated_profiles < pacing.batch
            && purged.idempotency_records < pacing.batch
        {
            run.complete = true;
            break;
        }
    }
    if run.purged.total() > 0 {
        crate::connection::checkpoint(db);
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_db::TestDb;

    fn insert(db: &TestDb, org: i64, profile_type: &str, status: &str, expires: Option<&str>) -> i64 {
        let rows = db
            .execute(
                "INSERT INTO customer (organisation_id, uuid, customer_ref, profile_type, status, expiration_date,
                     email, email_key, created_at, created_by, created_by_channel, changed_at, changed_by, changed_by_channel)
                 VALUES (?1, hex(randomblob(16)), hex(randomblob(8)), ?2, ?3, ?4, 'x@y.no', 'x@y.no',
                         't', 'x', 'x', 't', 'x', 'x')
                 RETURNING customer_number",
                &[Value::Integer(org), Value::from(profile_type), Value::from(status), Value::from(expires)],
            )
            .unwrap();
        rows.first().unwrap().int("customer_number").unwrap()
    }

    fn exists(db: &TestDb, n: i64) -> bool {
        let rows = db
            .execute("SELECT count(*) AS n FROM customer WHERE customer_number = ?1", &[Value::Integer(n)])
            .unwrap();
        rows.first().unwrap().int("n").unwrap() == 1
    }

    const NOW: Timestamp = Timestamp(1_795_846_663_123); // 2026-11-28T06:17:43.123Z

    #[test]
    fn expired_temporary_and_deactivated_profiles_go_and_nothing_else() {
        let db = TestDb::new();
        let expired_temp = insert(&db, 1, "T", "A", Some("2026-11-28T06:00:00.000Z"));
        let live_temp = insert(&db, 1, "T", "A", Some("2026-11-29T00:00:00.000Z"));
        let expired_deactivated = insert(&db, 1, "S", "D", Some("2026-11-01T00:00:00.000Z"));
        let active = insert(&db, 1, "S", "A", None);
        let purged = purge_batch(&db, None, NOW, 100).unwrap();
        assert_eq!((purged.temporary_profiles, purged.deactivated_profiles), (1, 1));
        assert!(!exists(&db, expired_temp) && !exists(&db, expired_deactivated));
        assert!(exists(&db, live_temp) && exists(&db, active));
    }

    #[test]
    fn batches_are_bounded_and_an_organisation_purges_only_its_own() {
        let db = TestDb::new();
        for _ in 0..5 {
            insert(&db, 1, "T", "A", Some("2026-01-01T00:00:00.000Z"));
        }
        let other = insert(&db, 2, "T", "A", Some("2026-01-01T00:00:00.000Z"));
        assert_eq!(purge_batch(&db, Some(1), NOW, 3).unwrap().temporary_profiles, 3);
        assert_eq!(purge_batch(&db, Some(1), NOW, 3).unwrap().temporary_profiles, 2);
        assert_eq!(purge_batch(&db, Some(1), NOW, 3).unwrap(), Purged::default());
        assert!(exists(&db, other));
    }

    #[test]
    fn a_run_stops_at_its_batch_limit_and_says_whether_it_is_complete() {
        let db = TestDb::new();
        for _ in 0..5 {
            insert(&db, 1, "T", "A", Some("2026-01-01T00:00:00.000Z"));
        }
        let pacing =
            Pacing { batch: 2, max_batches: 2, time_budget: Duration::from_secs(60), pause: Duration::ZERO };
        let first = purge_expired(&db, Some(1), NOW, pacing).unwrap();
        assert_eq!((first.purged.temporary_profiles, first.batches, first.complete), (4, 2, false));
        let second = purge_expired(&db, Some(1), NOW, pacing).unwrap();
        assert_eq!((second.purged.temporary_profiles, second.batches, second.complete), (1, 1, true));
        let nothing = purge_expired(&db, Some(1), NOW, pacing).unwrap();
        assert_eq!((nothing.purged.total(), nothing.complete), (0, true));
    }

    #[test]
    fn the_batch_query_uses_the_expiry_index() {
        let db = TestDb::new();
        let params = [Value::Null, Value::from(NOW.rfc3339()), Value::Integer(10)];
        let plan = db.execute(concat!("EXPLAIN QUERY PLAN ", expired!()), &params).unwrap();
        let details: Vec<String> = plan.iter().map(|r| r.text("detail").unwrap()).collect();
        assert!(details.iter().any(|d| d.contains("customer_expiry")), "{details:?}");
    }
}
