//! The purge of 100,000 expired temporary profiles (with their addresses, given consents and
//! consent history) from a copy of the seeded 1,000,000-profile database, through
//! `domain::purge::purge_batch` in batches of the service's size (`api::purge::BATCH`) until
//! done, as `POST /customers/v2/admin/purge-expired` runs them. Reports the total time and
//! how long each batch held the write lock (from `BEGIN IMMEDIATE` to the end of `COMMIT`);
//! then criterion times single batches.
//!
//! Writes `<out>/native-purge.json`.

use bench::data::People;
use bench::sqlite::SqliteDb;
use bench::stats::{write_json, Summary};
use criterion::Criterion;
use domain::db::{Db, DbError, Rows, Value};
use domain::time::Timestamp;
use std::cell::Cell;
use std::path::Path;
use std::time::{Duration, Instant};

const EXPIRED: u64 = 100_000;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// A `Db` that notes how long each write transaction held the lock.
struct LockTimer {
    db: SqliteDb,
    since: Cell<Option<Instant>>,
    held: std::cell::RefCell<Vec<Duration>>,
    /// Time per statement (its first 60 characters), for the breakdown printed at the end.
    per_statement: std::cell::RefCell<std::collections::BTreeMap<String, Duration>>,
}

impl Db for LockTimer {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, DbError> {
        let begin = sql.starts_with("BEGIN");
        let end = sql == "COMMIT" || sql == "ROLLBACK";
        let started = Instant::now();
        let result = self.db.execute(sql, params);
        let key: String = sql.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(60).collect();
        *self.per_statement.borrow_mut().entry(key).or_default() += started.elapsed();
        if begin {
            self.since.set(Some(Instant::now()));
        }
        if end {
            if let Some(since) = self.since.take() {
                self.held.borrow_mut().push(since.elapsed());
            }
        }
        result
    }
}

fn copy_database(from: &Path, to: &Path) {
    bench::seed::remove_database(to);
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    // The seed tool checkpointed and truncated the WAL, so the main file is the database.
    std::fs::copy(from, to).expect("copying the seeded database");
}

fn seed_expired(path: &Path, count: u64, serial: u64) {
    let db = bench::seed::open_for_load(path).expect("opening the copy");
    let consent = bench::seed::consent_id(&db, bench::BIG_ORG, bench::BIG_ORG_CONSENT).ok();
    let created = Timestamp(bench::now_millis() - 30 * DAY_MS);
    let mut people = People::new(serial);
    bench::seed::temporary_profiles(&db, &mut people, bench::BIG_ORG, count, serial, consent, created, 1)
        .expect("seeding expired temporary profiles");
    db.run("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
}

fn service_connection(path: &Path) -> LockTimer {
    let db = SqliteDb::open(path).expect("opening");
    domain::db::prepare_connection(&db).expect("the service's connection setup");
    LockTimer { db, since: Cell::new(None), held: Default::default(), per_statement: Default::default() }
}

fn count_expired(db: &SqliteDb, now: Timestamp) -> i64 {
    db.scalar(
        "SELECT count(*) FROM customer WHERE profile_type = 'T' AND expiration_date <= ?1",
        &[Value::from(now.rfc3339())],
    )
    .unwrap()
}

fn main() {
    let seeded = bench::seeded_db();
    assert!(seeded.is_file(), "no seeded database at {}: run the seed tool first", seeded.display());
    let copy = bench::out_dir().join("purge/sqlite_db.db");
    copy_database(&seeded, &copy);
    let started = Instant::now();
    seed_expired(&copy, EXPIRED, 50_000_000);
    let seed_seconds = started.elapsed().as_secs_f64();
    eprintln!("purge: seeded {EXPIRED} expired temporary profiles into a copy in {seed_seconds:.1} s");

    // The full purge, as the admin endpoint runs it (batches until one is not full).
    let db = service_connection(&copy);
    let now = Timestamp(bench::now_millis());
    let expired_before = count_expired(&db.db, now);
    // SQLite checkpoints the WAL after a commit once it holds `wal_autocheckpoint` pages
    // (1000), inside the COMMIT call but after the write lock is released. Every batch writes
    // several thousand pages, so that is after every batch. To time the lock alone, this
    // connection does that same checkpoint itself, right after each batch, timed apart.
    // Experiment: BENCH_PURGE_CACHE_KIB sets a larger page cache for this connection.
    db.db.run("PRAGMA wal_autocheckpoint = 0").unwrap();
    if let Ok(kib) = std::env::var("BENCH_PURGE_CACHE_KIB") {
        db.db.run(&format!("PRAGMA cache_size = -{kib}")).unwrap();
    }
    let mut checkpoints = Duration::ZERO;
    let mut wal_pages = 0i64;
    let mut batches: Vec<Duration> = Vec::new();
    let mut purged_total = 0;
    let started = Instant::now();
    loop {
        let t = Instant::now();
        let purged = domain::purge::purge_batch(&db, Some(bench::BIG_ORG), now, api::purge::BATCH).unwrap();
        batches.push(t.elapsed());
        let t = Instant::now();
        let result = db.db.execute("PRAGMA wal_checkpoint(PASSIVE)", &[]).unwrap();
        checkpoints += t.elapsed();
        wal_pages += result.rows[0]
            .get(1)
            .and_then(|v| if let Value::Integer(n) = v { Some(*n) } else { None })
            .unwrap_or(0);
        purged_total += purged.temporary_profiles;
        if purged.temporary_profiles + purged.deactivated_profiles < api::purge::BATCH
            && purged.idempotency_records < api::purge::BATCH
        {
            break;
        }
    }
    let purge_time = started.elapsed();
    eprintln!(
        "purge: of which checkpoints after the batches (outside the write lock): {:.2} s, {:.0} WAL pages per batch",
        checkpoints.as_secs_f64(),
        wal_pages as f64 / batches.len() as f64
    );
    let t = Instant::now();
    domain::db::checkpoint(&db);
    let checkpoint_time = t.elapsed();
    let expired_after = count_expired(&db.db, now);
    assert_eq!(expired_after, 0, "everything expired is gone");
    for (statement, time) in db.per_statement.borrow().iter() {
        eprintln!("purge: {:>8.2} s  {statement}", time.as_secs_f64());
    }
    let mut held = db.held.borrow().clone();
    let lock = Summary::of("purge/write lock per batch", &mut held, 0, purge_time);
    let mut per_batch = batches.clone();
    let batch = Summary::of("purge/batch", &mut per_batch, 0, purge_time);
    eprintln!(
        "purge: {purged_total} of {expired_before} expired in {} batches of {}: {:.2} s (+ checkpoint {:.2} s); \
         write lock per batch p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        batches.len(),
        api::purge::BATCH,
        purge_time.as_secs_f64(),
        checkpoint_time.as_secs_f64(),
        lock.p50_ms,
        lock.p99_ms,
        lock.max_ms
    );
    let result = serde_json::json!({
        "expired": expired_before, "purged": purged_total, "batchSize": api::purge::BATCH,
        "batches": batches.len(), "seconds": purge_time.as_secs_f64(),
        "checkpointSeconds": checkpoint_time.as_secs_f64(), "seedSeconds": seed_seconds,
        "checkpointsAfterBatchesSeconds": checkpoints.as_secs_f64(), "walPagesPerBatch": wal_pages as f64 / batches.len() as f64,
        "lock": lock, "batch": batch,
    });
    let path = write_json("native-purge.json", &result).expect("writing results");
    eprintln!("purge: wrote {}", path.display());

    // Criterion: one batch of 500 at a time, from a fresh pool of expired profiles.
    drop(db);
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2))
        .sample_size(10)
        .configure_from_args();
    let mut serial = 60_000_000;
    seed_expired(&copy, 30_000, serial);
    let db = service_connection(&copy);
    c.bench_function("purge_batch/500 expired temporary profiles", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let now = Timestamp(bench::now_millis());
                let t = Instant::now();
                let purged =
                    domain::purge::purge_batch(&db, Some(bench::BIG_ORG), now, api::purge::BATCH).unwrap();
                total += t.elapsed();
                if purged.temporary_profiles < api::purge::BATCH {
                    serial += 1_000_000;
                    seed_expired(&copy, 30_000, serial);
                }
            }
            total
        })
    });
    drop(db);
    bench::seed::remove_database(&copy);
    c.final_summary();
}
