//! `seed`: a fresh database with 1,000,000 profiles in organisation 1001 and 100,000 in 2002
//! (plus a few live temporary profiles), written through the service's own migrations and
//! domain functions. See `bench::seed`.
//!
//! ```text
//! seed [--db target/bench/state/sqlite_db.db] [--profiles 1000000] [--small 100000] [--seed 42]
//! seed --backfill-feed [--db …]   (a database seeded before the change feed: its events only)
//! ```
//! Prints what it wrote and how long it took, and writes `<out>/seed.json`.

use anyhow::{bail, Context, Result};
use bench::data::People;
use bench::seed::{self, Plan};
use domain::time::Timestamp;
use std::time::Instant;

fn main() -> Result<()> {
    let mut db_path = bench::seeded_db();
    let (mut big, mut small, mut seed_value) = (1_000_000u64, 100_000u64, 42u64);
    let mut backfill_feed = false;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--backfill-feed" {
            backfill_feed = true;
            continue;
        }
        let value = args.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--db" => db_path = value.into(),
            "--profiles" => big = value.parse()?,
            "--small" => small = value.parse()?,
            "--seed" => seed_value = value.parse()?,
            other => bail!("unknown argument {other}"),
        }
    }
    let started = Instant::now();
    if backfill_feed {
        let db = seed::open_for_load(&db_path)?;
        let events = seed::backfill_feed(&db)?;
        seed::finish(&db)?;
        println!("seed: {events} events in the feed — {:.1} s", started.elapsed().as_secs_f64());
        return Ok(());
    }
    seed::remove_database(&db_path);
    let db = seed::open_for_load(&db_path)?;
    let now = Timestamp(bench::now_millis());
    let big_consent = seed::consent(&db, bench::BIG_ORG, bench::BIG_ORG_CONSENT, now)?;
    let small_consent = seed::consent(&db, bench::SMALL_ORG, bench::SMALL_ORG_CONSENT, now)?;
    let mut people = People::new(seed_value);
    let report = |org: i64, total: u64| {
        move |done: u64| {
            if done.is_multiple_of(100_000) || done == total {
                eprintln!(
                    "seed: organisation {org}: {done} of {total} profiles ({:.0} s)",
                    started.elapsed().as_secs_f64()
                );
            }
        }
    };
    let plan = Plan {
        org: bench::BIG_ORG,
        client_id: "partner-a",
        count: big,
        first_serial: 0,
        consent_percent: 30,
        consent_id: big_consent,
        now,
    };
    let big_given = seed::profiles(&db, &mut people, &plan, &report(plan.org, big))?;
    let plan = Plan {
        org: bench::SMALL_ORG,
        client_id: "partner-b",
        count: small,
        first_serial: big,
        consent_percent: 30,
        consent_id: small_consent,
        now,
    };
    let small_given = seed::profiles(&db, &mut people, &plan, &report(plan.org, small))?;
    // Temporary profiles of travellers still on their journey (2 % of the big organisation),
    // expiring 1 to 60 days from now: visible, not purgeable.
    let live_temporary = big / 50;
    seed::temporary_profiles(
        &db,
        &mut people,
        bench::BIG_ORG,
        live_temporary,
        big + small,
        Some(big_consent),
        Timestamp(now.0 - 24 * 60 * 60 * 1000),
        61,
    )?;
    seed::finish(&db)?;
    drop(db);
    let seconds = started.elapsed().as_secs_f64();
    let bytes = std::fs::metadata(&db_path).map(|m| m.len()).unwrap_or(0);
    println!(
        "seed: {big} profiles in {} and {small} in {} ({} and {} given consents), {live_temporary} live temporary profiles; \
         {:.0} MiB in {} — {seconds:.1} s",
        bench::BIG_ORG,
        bench::SMALL_ORG,
        big_given,
        small_given,
        bytes as f64 / 1048576.0,
        db_path.display()
    );
    bench::stats::write_json(
        "seed.json",
        &serde_json::json!({
            "profiles": big + small + live_temporary, "bigOrganisation": big, "smallOrganisation": small,
            "givenConsents": big_given + small_given, "seconds": seconds, "bytes": bytes,
        }),
    )?;
    Ok(())
}
