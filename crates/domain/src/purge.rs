//! Expiry (contract §5): temporary profiles past their `expirationDate` and deactivated
//! profiles past theirs are deleted with everything attached (children go through the
//! foreign keys' ON DELETE CASCADE; stored idempotent responses and the profiles merged
//! into them explicitly). Bounded batches, each one short write transaction sized to hold the
//! write lock for a set time ([`Pacing::lock_target`]), so no request and no other writer
//! waits long; `secure_delete` overwrites the freed bytes, and the write-ahead log is
//! checkpointed and truncated afterwards. Temporary profiles have search indexes of their own
//! (migration 0007), so deleting them rewrites few pages of the permanent profiles' indexes.

use crate::connection::Transactions;
use crate::db::{Db, DbError, Value};
use crate::profile::ProfileType;
use crate::time::Timestamp;
use std::time::{Duration, Instant};

/// What one purge deleted. Served as `PurgeResult`, with the run's `complete` beside it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(
        rename = "PurgeResult",
        description = "",
        extend("additionalProperties" = false),
        transform = crate::wire_schema::with_complete
    )
)]
pub struct Purged {
    /// Expired temporary profiles deleted.
    #[cfg_attr(feature = "openapi", schemars(range(min = 0)))]
    pub temporary_profiles: i64,
    /// Deactivated profiles past their expiration deleted.
    #[cfg_attr(feature = "openapi", schemars(range(min = 0)))]
    pub deactivated_profiles: i64,
    /// Stored idempotent responses deleted.
    #[cfg_attr(feature = "openapi", schemars(range(min = 0)))]
    pub idempotency_records: i64,
    /// Feed events past their retention (of every organisation: retention is the service's
    /// policy, so an organisation's purge call is not told how many other organisations had).
    #[serde(skip)]
    pub events: i64,
}

impl Purged {
    pub fn add(&mut self, other: Purged) {
        self.temporary_profiles += other.temporary_profiles;
        self.deactivated_profiles += other.deactivated_profiles;
        self.idempotency_records += other.idempotency_records;
        self.events += other.events;
    }

    pub fn total(&self) -> i64 {
        self.temporary_profiles + self.deactivated_profiles + self.idempotency_records + self.events
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
     SELECT organisation_id, customer_number, 'PURGED', '[]', ?2
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

/// Deletes at most `batch` expired profiles, `batch` expired idempotency records and `batch`
/// feed events older than `event_retention_days` (`crate::event::expire`), in one
/// transaction; each purged profile leaves its `profile.expired` event, written by its audit
/// entry in this transaction (migration 0013). `organisation_id` limits the profiles and
/// records to one organisation (the admin endpoint); `None` purges for all (the batches
/// piggy-backed on requests).
pub async fn purge_batch(
    db: &impl Db,
    organisation_id: Option<i64>,
    now: Timestamp,
    batch: i64,
    event_retention_days: i64,
) -> Result<Purged, DbError> {
    let params = [Value::from(organisation_id), Value::from(now.rfc3339()), Value::Integer(batch)];
    // A cheap look first: most of the time there is nothing to do, and then no write lock.
    let any_due = db.execute(concat!("SELECT EXISTS (", expired!(), ") AS due"), &params).await?;
    let idempotency_due = db
        .execute(
            "SELECT EXISTS (SELECT 1 FROM idempotency_record WHERE expires_at <= ?2
                          AND (?1 IS NULL OR organisation_id = ?1) LIMIT ?3) AS due",
            &params,
        )
        .await?;
    let due = |rows: &crate::db::Rows| rows.first().map(|r| r.int("due")).transpose().map(|d| d == Some(1));
    if !due(&any_due)?
        && !due(&idempotency_due)?
        && !crate::event::expire_due(db, now, event_retention_days).await?
    {
        return Ok(Purged::default());
    }
    db.transaction(async |tx| {
        let mut purged = Purged {
            idempotency_records: tx.execute(DELETE_THEIR_IDEMPOTENCY_RECORDS, &params).await?.rows.len()
                as i64,
            ..Purged::default()
        };
        tx.execute(DELETE_MERGED_INTO_THEM, &params).await?;
        tx.execute(AUDIT_THEM, &params).await?;
        for row in tx.execute(DELETE_THEM, &params).await?.iter() {
            match ProfileType::from_code(&row.text("profile_type")?)? {
                ProfileType::Temporary => purged.temporary_profiles += 1,
                ProfileType::Standard => purged.deactivated_profiles += 1,
            }
        }
        purged.idempotency_records +=
            tx.execute(DELETE_EXPIRED_IDEMPOTENCY_RECORDS, &params).await?.rows.len() as i64;
        purged.events = crate::event::expire(tx, now, event_retention_days, batch).await?;
        Ok(purged)
    })
    .await
}

/// How one purge run paces itself (the admin endpoint's figures are `api::purge::PACING`).
#[derive(Debug, Clone, Copy)]
pub struct Pacing {
    /// Rows in the first batch; each batch is one short write transaction.
    pub first_batch: i64,
    /// The most rows in one batch.
    pub max_batch: i64,
    /// How long one batch should hold the write lock: every other writer waits that long at
    /// worst. Each batch is sized from the pace of the one before (see [`next_batch`]), so a
    /// busy machine gets smaller batches, not longer waits.
    pub lock_target: Duration,
    /// Expired profiles per run, so one run stays bounded (`complete: false` says run again).
    pub max_rows: i64,
    /// No new batch starts after this long.
    pub time_budget: Duration,
    /// The write lock is left free this long between two batches, so that other writers
    /// (who retry every 10 ms, `connection::begin_immediate`) get their turn.
    pub pause: Duration,
    /// Rows between two checkpoints of the write-ahead log. A checkpoint runs between two
    /// batches in place of the pause (it leaves the write lock free for longer). SQLite's own
    /// checkpoint after every commit is off for the run, so that the pages of index leaves
    /// that several batches delete from go back into the database once, not once per batch;
    /// the log grows meanwhile (by about 13 kB per row).
    pub checkpoint_rows: i64,
}

/// What one [`purge_expired`] run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub purged: Purged,
    /// Whether nothing expired is left (for the run's organisation).
    pub complete: bool,
    pub batches: usize,
}

/// The connection of a purge run on a local file ([`purge_expired`]; a libSQL server refuses
/// both and manages its cache and checkpoints itself), for the run only (a connection lives for
/// one request): a 64 MiB page cache keeps the index pages that consecutive batches delete from
/// (deleting 100,000 profiles before migration 0007: 8.7 s with SQLite's 2 MiB default, 5.9 s;
/// 256 MiB gained nothing more), and no checkpoint after every commit (the run checkpoints every
/// so many rows instead, [`Pacing::checkpoint_rows`]). The memory is the host's, freed when the
/// request's connection closes.
const PURGE_CONNECTION_PRAGMAS: [&str; 2] = ["PRAGMA cache_size = -65536", "PRAGMA wal_autocheckpoint = 0"];

/// Purges in batches until nothing expired is left or `pacing` says stop, then checkpoints
/// and truncates the write-ahead log, so that no copy of a purged row outlives the run (§5).
pub async fn purge_expired(
    db: &impl Db,
    organisation_id: Option<i64>,
    now: Timestamp,
    pacing: Pacing,
    event_retention_days: i64,
) -> Result<Run, DbError> {
    crate::connection::local_file_only(db, &PURGE_CONNECTION_PRAGMAS).await?;
    let started = Instant::now();
    let mut run = Run::default();
    let mut batch = pacing.first_batch.clamp(1, pacing.max_batch.max(1));
    let mut since_checkpoint = 0;
    let mut interrupted_last = false;
    loop {
        let room = pacing.max_rows - run.purged.temporary_profiles - run.purged.deactivated_profiles;
        if room <= 0 {
            break;
        }
        batch = batch.min(room);
        if run.batches > 0 {
            if started.elapsed() >= pacing.time_budget {
                break;
            }
            if since_checkpoint >= pacing.checkpoint_rows {
                crate::connection::checkpoint_passive(db).await;
                since_checkpoint = 0;
            } else {
                db.pause(pacing.pause).await;
            }
        }
        let batch_started = Instant::now();
        let purged = match purge_batch(db, organisation_id, now, batch, event_retention_days).await {
            Ok(purged) => purged,
            // A batch a libSQL server cancelled under load was rolled back whole (docs/data.md,
            // "Connection policy"): the next, half as large, does its work. Twice in a row is an error.
            Err(e) if crate::connection::is_interrupted(&e) && !interrupted_last => {
                interrupted_last = true;
                batch = (batch / 2).max(1);
                continue;
            }
            Err(e) => return Err(e),
        };
        interrupted_last = false;
        let took = batch_started.elapsed();
        run.purged.add(purged);
        run.batches += 1;
        since_checkpoint += purged.total();
        if purged.temporary_profiles + purged.deactivated_profiles < batch
            && purged.idempotency_records < batch
            && purged.events < batch
        {
            run.complete = true;
            break;
        }
        batch = next_batch(batch, took, &pacing);
    }
    if run.purged.total() > 0 {
        crate::connection::checkpoint(db).await;
    }
    Ok(run)
}

/// The size of the next batch: as many rows as fit in `lock_target` at the pace of the last
/// batch (which took `took` for `last` rows), but at least half and at most twice as many as
/// the last (one batch slowed down by a busy machine halves the next, it does not shrink it to
/// nothing), and at most `max_batch`. The pace depends on the machine and its load (on our
/// shared 2 cores, batches of 1,000 held the lock for a median of 130 to 230 ms and up to 1 s
/// at load averages of 4 to 7), so a fixed size either wastes time on a quiet machine (more
/// batches, more pages written per row, more pauses) or holds the lock too long on a busy one.
pub fn next_batch(last: i64, took: Duration, pacing: &Pacing) -> i64 {
    let fits = last as f64 * pacing.lock_target.as_secs_f64() / took.as_secs_f64().max(1e-6);
    let fits = fits.clamp(last as f64 / 2.0, last as f64 * 2.0) as i64;
    fits.clamp(1, pacing.max_batch.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_db::{BlockOn, TestDb};

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
            .block_on()
            .unwrap();
        rows.first().unwrap().int("customer_number").unwrap()
    }

    /// `n` temporary profiles of organisation 1 that expired long ago.
    fn backlog(db: &TestDb, n: usize) {
        for _ in 0..n {
            insert(db, 1, "T", "A", Some("2026-01-01T00:00:00.000Z"));
        }
    }

    /// Profiles purged, batches, complete.
    fn outcome(run: &Run) -> (i64, usize, bool) {
        (run.purged.temporary_profiles, run.batches, run.complete)
    }

    fn exists(db: &TestDb, n: i64) -> bool {
        let rows = db
            .execute("SELECT count(*) AS n FROM customer WHERE customer_number = ?1", &[Value::Integer(n)])
            .block_on()
            .unwrap();
        rows.first().unwrap().int("n").unwrap() == 1
    }

    const NOW: Timestamp = Timestamp(1_795_846_663_123); // 2026-11-28T06:17:43.123Z

    /// No pauses, and a lock target no batch reaches: each batch twice the last.
    const QUICK: Pacing = Pacing {
        first_batch: 100,
        max_batch: 100,
        lock_target: Duration::from_secs(60),
        max_rows: 10_000,
        time_budget: Duration::from_secs(60),
        pause: Duration::ZERO,
        checkpoint_rows: 1000,
    };

    #[test]
    fn expired_temporary_and_deactivated_profiles_go_and_nothing_else() {
        let db = TestDb::new();
        let expired_temp = insert(&db, 1, "T", "A", Some("2026-11-28T06:00:00.000Z"));
        let live_temp = insert(&db, 1, "T", "A", Some("2026-11-29T00:00:00.000Z"));
        let expired_deactivated = insert(&db, 1, "S", "D", Some("2026-11-01T00:00:00.000Z"));
        let active = insert(&db, 1, "S", "A", None);
        let purged = purge_batch(&db, None, NOW, 100, 35).block_on().unwrap();
        assert_eq!((purged.temporary_profiles, purged.deactivated_profiles), (1, 1));
        assert!(!exists(&db, expired_temp) && !exists(&db, expired_deactivated));
        assert!(exists(&db, live_temp) && exists(&db, active));
    }

    #[test]
    fn a_purged_profile_leaves_its_expired_event_and_old_events_go_in_the_same_batches() {
        let db = TestDb::new();
        let expired = insert(&db, 1, "T", "A", Some("2026-11-28T06:00:00.000Z"));
        let old = Timestamp(NOW.0 - 36 * 86_400_000).rfc3339();
        db.execute(
            "INSERT INTO audit_event (organisation_id, customer_number, action, at) VALUES (2, 9, 'UPDATED', ?1)",
            &[Value::from(old)],
        )
        .block_on()
        .unwrap();
        let purged = purge_batch(&db, None, NOW, 100, 35).block_on().unwrap();
        assert_eq!((purged.temporary_profiles, purged.events), (1, 1));
        let query = crate::event::Query {
            organisation_id: 1,
            after: 0,
            limit: 10,
            types: vec!["profile.expired", "profile.updated"],
            customer_number: None,
        };
        let (events, _) = crate::event::page(&db, &query).block_on().unwrap();
        let seen: Vec<(&str, i64, &str)> = events
            .iter()
            .map(|e| (e.event_type.as_str(), e.customer_number, e.occurred_at.as_str()))
            .collect();
        assert_eq!(seen, [("profile.expired", expired, "2026-11-28T06:17:43.123Z")]);
        let left = db.execute("SELECT count(*) AS n FROM customer_event", &[]).block_on().unwrap();
        assert_eq!(left.first().unwrap().int("n").unwrap(), 1, "the old event of organisation 2 is gone");
        assert_eq!(
            purge_batch(&db, None, NOW, 100, 35).block_on().unwrap(),
            Purged::default(),
            "nothing due"
        );
    }

    #[test]
    fn batches_are_bounded_and_an_organisation_purges_only_its_own() {
        let db = TestDb::new();
        backlog(&db, 5);
        let other = insert(&db, 2, "T", "A", Some("2026-01-01T00:00:00.000Z"));
        assert_eq!(purge_batch(&db, Some(1), NOW, 3, 35).block_on().unwrap().temporary_profiles, 3);
        assert_eq!(purge_batch(&db, Some(1), NOW, 3, 35).block_on().unwrap().temporary_profiles, 2);
        assert_eq!(purge_batch(&db, Some(1), NOW, 3, 35).block_on().unwrap(), Purged::default());
        assert!(exists(&db, other));
    }

    /// A database whose next `interrupts` batch deletions a libSQL server cancels.
    struct Cancelling(TestDb, std::cell::Cell<usize>);

    impl Db for Cancelling {
        async fn execute(&self, sql: &str, params: &[Value]) -> Result<crate::db::Rows, DbError> {
            if sql.starts_with("DELETE FROM customer WHERE customer_number") && self.1.get() > 0 {
                self.1.set(self.1.get() - 1);
                return Err(DbError::Other("interrupted".into()));
            }
            self.0.execute(sql, params).await
        }
    }

    #[test]
    fn a_batch_a_libsql_server_cancels_is_done_by_the_next_but_not_twice_in_a_row() {
        let db = Cancelling(TestDb::new(), std::cell::Cell::new(1));
        backlog(&db.0, 5);
        let run = purge_expired(&db, Some(1), NOW, QUICK, 35).block_on().unwrap();
        assert_eq!((run.purged.temporary_profiles, run.complete), (5, true));

        let db = Cancelling(TestDb::new(), std::cell::Cell::new(2));
        backlog(&db.0, 5);
        let e = purge_expired(&db, Some(1), NOW, QUICK, 35).block_on().unwrap_err();
        assert!(crate::connection::is_interrupted(&e), "{e}");
    }

    #[test]
    fn a_run_stops_at_its_batch_limit_and_says_whether_it_is_complete() {
        let db = TestDb::new();
        backlog(&db, 5);
        let pacing = Pacing { first_batch: 2, max_batch: 2, max_rows: 4, checkpoint_rows: 1, ..QUICK };
        let first = purge_expired(&db, Some(1), NOW, pacing, 35).block_on().unwrap();
        assert_eq!(outcome(&first), (4, 2, false));
        let second = purge_expired(&db, Some(1), NOW, pacing, 35).block_on().unwrap();
        assert_eq!(outcome(&second), (1, 1, true));
        let nothing = purge_expired(&db, Some(1), NOW, pacing, 35).block_on().unwrap();
        assert_eq!((nothing.purged.total(), nothing.complete), (0, true));
    }

    #[test]
    fn batches_grow_while_they_are_quick_and_shrink_to_the_lock_target() {
        let pacing = Pacing { max_batch: 1000, lock_target: Duration::from_millis(40), ..QUICK };
        let ms = Duration::from_millis;
        assert_eq!(next_batch(100, ms(10), &pacing), 200, "at most twice the last");
        assert_eq!(next_batch(800, ms(10), &pacing), 1000, "at most max_batch");
        assert_eq!(next_batch(1000, ms(50), &pacing), 800, "what fits in the target");
        assert_eq!(next_batch(1000, ms(4000), &pacing), 500, "at least half the last");
        assert_eq!(next_batch(1, ms(4000), &pacing), 1, "at least one row");
        assert_eq!(next_batch(500, Duration::ZERO, &pacing), 1000);
    }

    #[test]
    fn a_run_sizes_its_batches_by_their_pace() {
        let db = TestDb::new();
        backlog(&db, 30);
        let quick = Pacing { first_batch: 1, max_batch: 8, max_rows: 15, checkpoint_rows: 5, ..QUICK };
        let run = purge_expired(&db, Some(1), NOW, quick, 35).block_on().unwrap();
        assert_eq!(outcome(&run), (1 + 2 + 4 + 8, 4, false));
        let slow = Pacing { first_batch: 8, lock_target: Duration::ZERO, ..quick };
        let run = purge_expired(&db, Some(1), NOW, slow, 35).block_on().unwrap();
        assert_eq!(outcome(&run), (8 + 4 + 2 + 1, 4, false));
    }

    #[test]
    fn the_batch_query_uses_the_expiry_index() {
        let db = TestDb::new();
        let params = [Value::Null, Value::from(NOW.rfc3339()), Value::Integer(10)];
        let plan = db.execute(concat!("EXPLAIN QUERY PLAN ", expired!()), &params).block_on().unwrap();
        let details: Vec<String> = plan.iter().map(|r| r.text("detail").unwrap()).collect();
        assert!(details.iter().any(|d| d.contains("customer_expiry")), "{details:?}");
    }
}
