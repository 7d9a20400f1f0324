//! The erasure ledger, for operators (docs/data.md, "The erasure ledger").
//!
//! ```text
//! erasures list DATABASE                      the ledger, one JSON object per line
//! erasures reapply --from LIVE --to RESTORED  erase again in RESTORED what LIVE's ledger records,
//!                                             then purge what is expired
//! erasures reapply --list FILE --to RESTORED  the same with a ledger kept by `erasures list`
//! ```
//!
//! A DATABASE is the path of a SQLite file or the URL of a libSQL server (`http://…` for sqld,
//! `libsql://…` or `https://…` for Turso). Tokens come from the environment, never from the
//! command line: `FROM_AUTH_TOKEN` and `TO_AUTH_TOKEN`, else `LIBSQL_AUTH_TOKEN` for both.

use anyhow::{bail, Context};
use domain::db::BlockOn;
use ops::Database;

const USAGE: &str =
    "usage: erasures list DATABASE | erasures reapply --from LIVE --to RESTORED | erasures reapply --list FILE --to RESTORED";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let token = |name: &str| std::env::var(name).or_else(|_| std::env::var("LIBSQL_AUTH_TOKEN")).ok();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["list", database] => list(&Database::open(database, token("FROM_AUTH_TOKEN").as_deref())?),
        ["reapply", "--from", live, "--to", restored] => {
            anyhow::ensure!(live != restored, "--from and --to name the same database");
            let live = Database::open(live, token("FROM_AUTH_TOKEN").as_deref()).context("--from")?;
            let restored = Database::open(restored, token("TO_AUTH_TOKEN").as_deref()).context("--to")?;
            let report = ops::reapply::run(&live, &restored, ops::reapply::now())?;
            println!("{}", serde_json::to_string(&report)?);
            Ok(())
        }
        ["reapply", "--list", list, "--to", restored] => {
            let list = std::fs::read_to_string(list).with_context(|| format!("--list {list}"))?;
            let restored = Database::open(restored, token("TO_AUTH_TOKEN").as_deref()).context("--to")?;
            let report = ops::reapply::run_from_list(&list, &restored, ops::reapply::now())?;
            println!("{}", serde_json::to_string(&report)?);
            Ok(())
        }
        _ => bail!("{USAGE}"),
    }
}

fn list(db: &Database) -> anyhow::Result<()> {
    let mut after = 0;
    loop {
        let page =
            domain::erasure::entries(db, after, 1000).block_on().map_err(|e| anyhow::anyhow!("{e}"))?;
        let Some(last) = page.last() else { return Ok(()) };
        after = last.id;
        for entry in &page {
            println!("{}", ops::reapply::listed(entry));
        }
    }
}
