//! The purge of 100,000 expired temporary profiles (with their addresses, given consents and
//! consent history) from a copy of the seeded 1,000,000-profile database, exactly as
//! `POST /customers/v2/admin/purge-expired` runs it: `domain::purge::purge_expired` with the
//! endpoint's pacing (`api::purge::PACING`: batches sized to hold the write lock about 50 ms,
//! 10 ms pauses, 8 s per call), one connection per call, calls until one answers `complete`.
//! Reports the total time, the time and CPU time per statement, the pages written to the
//! write-ahead log and how long each batch held the write lock (from `BEGIN IMMEDIATE` to the
//! end of `COMMIT`); then criterion times single batches of 500.
//!
//! Writes `<out>/native-purge.json`.

use bench::data::People;
use bench::sqlite::SqliteDb;
use bench::stats::{write_json, Summary};
use criterion::Criterion;
use domain::db::{BlockOn, Db, DbError, Rows, Value};
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
    /// Wall and CPU time per statement (its first 60 characters), for the breakdown printed
    /// at the end: on our shared cores the wall time also holds the time spent waiting for a
    /// CPU, the thread's CPU time does not.
    per_statement: std::cell::RefCell<std::collections::BTreeMap<String, Phase>>,
    /// Pages written to the write-ahead log, counted before each checkpoint.
    logged_pages: Cell<i64>,
    path: std::path::PathBuf,
}

/// The pages in the write-ahead log since it was last emptied: `mxFrame` of the WAL index
/// header at the start of the `-shm` file (native byte order, SQLite's `WalIndexHdr`). Read,
/// not asked of SQLite: `wal_checkpoint(TRUNCATE)` reports 0 once it has truncated the log.
fn frames_in_log(database: &Path) -> i64 {
    let shm = std::fs::read(format!("{}-shm", database.display())).unwrap_or_default();
    shm.get(16..20).map_or(0, |b| i64::from(u32::from_ne_bytes([b[0], b[1], b[2], b[3]])))
}

#[derive(Debug, Default, Clone, Copy)]
struct Phase {
    wall: Duration,
    cpu: Duration,
    count: usize,
}

/// CPU time of the calling thread (the purge runs on one).
fn thread_cpu() -> Duration {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

impl Db for LockTimer {
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, DbError> {
        let begin = sql.starts_with("BEGIN");
        let end = sql == "COMMIT" || sql == "ROLLBACK";
        if sql.contains("wal_checkpoint") {
            self.logged_pages.set(self.logged_pages.get() + frames_in_log(&self.path));
        }
        let (started, cpu) = (Instant::now(), thread_cpu());
        let result = self.db.execute(sql, params).await;
        let key: String = sql.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(60).collect();
        let mut phases = self.per_statement.borrow_mut();
        let phase = phases.entry(key).or_default();
        phase.wall += started.elapsed();
        phase.cpu += thread_cpu() - cpu;
        phase.count += 1;
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
    domain::on_demand::prepare_connection(&db).block_on().expect("the service's connection setup");
    LockTimer {
        db,
        since: Cell::new(None),
        held: Default::default(),
        per_statement: Default::default(),
        logged_pages: Cell::new(0),
        path: path.to_owned(),
    }
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

    // The full purge, as the admin endpoint runs it: calls until one answers `complete`,
    // each on a new connection (a request's), with the endpoint's pacing, pauses included.
    let now = Timestamp(bench::now_millis());
    let expired_before = count_expired(&service_connection(&copy).db, now);
    let mut calls = Vec::new();
    let mut held = Vec::new();
    let mut batches = 0;
    let mut purged_total = 0;
    let mut statements = std::collections::BTreeMap::<String, Phase>::new();
    let mut logged_pages = 0;
    let (started, cpu) = (Instant::now(), thread_cpu());
    loop {
        let db = service_connection(&copy);
        let t = Instant::now();
        let run = domain::purge::purge_expired(
            &db,
            Some(bench::BIG_ORG),
            now,
            api::purge::PACING,
            domain::event::DEFAULT_RETENTION_DAYS,
        )
        .block_on()
        .unwrap();
        calls.push(t.elapsed());
        batches += run.batches;
        purged_total += run.purged.temporary_profiles;
        held.extend(db.held.take());
        for (statement, phase) in db.per_statement.take() {
            let total = statements.entry(statement).or_default();
            total.wall += phase.wall;
            total.cpu += phase.cpu;
            total.count += phase.count;
        }
        logged_pages += db.logged_pages.get();
        if run.complete {
            break;
        }
    }
    let (purge_time, purge_cpu) = (started.elapsed(), thread_cpu() - cpu);
    let db = service_connection(&copy);
    let expired_after = count_expired(&db.db, now);
    assert_eq!(expired_after, 0, "everything expired is gone");
    let mut breakdown: Vec<_> = statements.into_iter().collect();
    breakdown.sort_by_key(|(_, phase)| std::cmp::Reverse(phase.wall));
    eprintln!("purge:     wall      cpu  statement");
    for (statement, phase) in &breakdown {
        eprintln!(
            "purge: {:>6.2} s {:>6.2} s  {statement}",
            phase.wall.as_secs_f64(),
            phase.cpu.as_secs_f64()
        );
    }
    let checkpoint_seconds: f64 = breakdown
        .iter()
        .filter(|(s, _)| s.contains("wal_checkpoint"))
        .map(|(_, p)| p.wall.as_secs_f64())
        .sum();
    let pacing = api::purge::PACING;
    // Between two batches of a call a run either checkpoints or pauses.
    let passive: usize =
        breakdown.iter().filter(|(s, _)| s.contains("(PASSIVE)")).map(|(_, p)| p.count).sum();
    let paused_seconds = pacing.pause.as_secs_f64() * (batches - calls.len() - passive) as f64;
    let lock = Summary::of("purge/write lock per batch", &mut held, 0, purge_time);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    eprintln!(
        "purge: {purged_total} of {expired_before} expired in {} call(s), {batches} batches of {:.0} rows on average: {:.2} s \
         ({:.2} s CPU; checkpoints {checkpoint_seconds:.2} s, pauses {paused_seconds:.2} s; \
         {logged_pages} pages logged, {:.0} per batch); \
         write lock per batch p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; load average {}",
        calls.len(),
        purged_total as f64 / batches.max(1) as f64,
        purge_time.as_secs_f64(),
        purge_cpu.as_secs_f64(),
        logged_pages as f64 / batches.max(1) as f64,
        lock.p50_ms,
        lock.p99_ms,
        lock.max_ms,
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    let result = serde_json::json!({
        "expired": expired_before, "purged": purged_total, "meanBatch": purged_total as f64 / batches.max(1) as f64,
        "batches": batches, "calls": calls.len(), "seconds": purge_time.as_secs_f64(),
        "checkpointSeconds": checkpoint_seconds, "pauseSeconds": paused_seconds, "seedSeconds": seed_seconds,
        "cpuSeconds": purge_cpu.as_secs_f64(), "loggedPages": logged_pages,
        "lock": lock,
    });
    let path = write_json("native-purge.json", &result).expect("writing results");
    eprintln!("purge: wrote {}", path.display());

    // Criterion: one batch of 500 at a time, from a fresh pool of expired profiles.
    const BATCH: i64 = 500;
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
                let purged = domain::purge::purge_batch(
                    &db,
                    Some(bench::BIG_ORG),
                    now,
                    BATCH,
                    domain::event::DEFAULT_RETENTION_DAYS,
                )
                .block_on()
                .unwrap();
                total += t.elapsed();
                if purged.temporary_profiles < BATCH {
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
