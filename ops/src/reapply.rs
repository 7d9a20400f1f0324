//! `erasures reapply`: after a restore, every erasure the live database's ledger records is
//! made again in the restored one (`domain::erasure::reapply`), and everything expired is
//! purged (`domain::purge::purge_expired`, as the service's purge runs it), before the
//! restored database serves requests. README, "Erasure and backups".

use domain::connection;
use domain::db::Db;
use domain::erasure::{self, Reapplied};
use domain::purge::{self, Pacing, Purged};
use domain::time::Timestamp;
use std::time::Duration;

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub reapplied: Reapplied,
    pub purged: Purged,
}

/// Ledger entries read per page.
const PAGE: i64 = 500;

/// Re-applies to `restored` every erasure in `live`'s ledger, then purges what is expired at
/// `now`. `restored` is first brought to the current schema (a backup may be older).
pub fn run(live: &impl Db, restored: &impl Db, now: Timestamp) -> anyhow::Result<Report> {
    connection::prepare_connection(restored)
        .map_err(|e| anyhow::anyhow!("preparing the restored database: {e}"))?;
    let mut report = Report::default();
    let mut after = 0;
    loop {
        let page = erasure::entries(live, after, PAGE)
            .map_err(|e| anyhow::anyhow!("reading the live database's erasure ledger: {e}"))?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let done = erasure::reapply(restored, &page).map_err(|e| anyhow::anyhow!("re-erasing: {e}"))?;
        report.reapplied.entries += done.entries;
        report.reapplied.erased_again += done.erased_again;
        report.reapplied.recorded += done.recorded;
    }
    let pacing = Pacing {
        batch: 500,
        max_batches: usize::MAX,
        time_budget: Duration::from_secs(3600),
        pause: Duration::ZERO,
    };
    let run =
        purge::purge_expired(restored, None, now, pacing).map_err(|e| anyhow::anyhow!("purging: {e}"))?;
    report.purged = run.purged;
    Ok(report)
}

/// The current time, as the service reads it.
pub fn now() -> Timestamp {
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Timestamp::from_millis(i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX))
}
