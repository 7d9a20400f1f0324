//! `erasures reapply`: after a restore, every erasure the live database's ledger records is
//! made again in the restored one (`domain::erasure::reapply`), and everything expired is
//! purged (`domain::purge::purge_expired`, as the service's purge runs it), before the
//! restored database serves requests. docs/data.md, "The erasure ledger".

use domain::connection;
use domain::db::{BlockOn, Db};
use domain::erasure::{self, Reapplied};
use domain::purge::{self, Pacing, Purged};
use domain::time::Timestamp;
use std::time::Duration;

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
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
        .block_on()
        .map_err(|e| anyhow::anyhow!("preparing the restored database: {e}"))?;
    let mut report = Report::default();
    let mut after = 0;
    loop {
        let page = erasure::entries(live, after, PAGE)
            .block_on()
            .map_err(|e| anyhow::anyhow!("reading the live database's erasure ledger: {e}"))?;
        let Some(last) = page.last() else { break };
        after = last.id;
        reapply_page(restored, &page, &mut report)?;
    }
    purge_all(restored, now, report)
}

/// [`run`] with the ledger read from a file written by `erasures list` (one [`listed`] entry
/// per line), for when the live database itself is lost.
pub fn run_from_list(list: &str, restored: &impl Db, now: Timestamp) -> anyhow::Result<Report> {
    let entries = list
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| parse_listed(line).map_err(|e| anyhow::anyhow!("line {}: {e}", i + 1)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    connection::prepare_connection(restored)
        .block_on()
        .map_err(|e| anyhow::anyhow!("preparing the restored database: {e}"))?;
    let mut report = Report::default();
    for page in entries.chunks(PAGE as usize) {
        reapply_page(restored, page, &mut report)?;
    }
    purge_all(restored, now, report)
}

/// One ledger entry as `erasures list` prints it: a JSON object on one line.
pub fn listed(entry: &erasure::Entry) -> String {
    serde_json::json!({"id": entry.id, "organisationId": entry.organisation_id,
                       "customerNumber": entry.customer_number, "erasedAt": entry.erased_at})
    .to_string()
}

/// The entry on a line written by [`listed`].
pub fn parse_listed(line: &str) -> anyhow::Result<erasure::Entry> {
    let value: serde_json::Value = serde_json::from_str(line)?;
    let int = |name: &str| value[name].as_i64().ok_or_else(|| anyhow::anyhow!("{name} missing"));
    Ok(erasure::Entry {
        id: int("id")?,
        organisation_id: int("organisationId")?,
        customer_number: int("customerNumber")?,
        erased_at: value["erasedAt"].as_str().ok_or_else(|| anyhow::anyhow!("erasedAt missing"))?.to_owned(),
    })
}

fn reapply_page(restored: &impl Db, page: &[erasure::Entry], report: &mut Report) -> anyhow::Result<()> {
    let done = erasure::reapply(restored, page).block_on().map_err(|e| anyhow::anyhow!("re-erasing: {e}"))?;
    report.reapplied.entries += done.entries;
    report.reapplied.erased_again += done.erased_again;
    report.reapplied.recorded += done.recorded;
    Ok(())
}

/// Purges everything expired at `now`, in one go (the restored database serves nothing yet).
fn purge_all(restored: &impl Db, now: Timestamp, mut report: Report) -> anyhow::Result<Report> {
    // The service's pacing, without its per-call bounds and pauses: nobody else writes yet.
    let pacing = Pacing {
        max_rows: i64::MAX,
        time_budget: Duration::from_secs(3600),
        pause: Duration::ZERO,
        ..api::purge::PACING
    };
    // Feed events are left to the service's own retention (`event_retention_days`).
    let keep_events = domain::event::MAX_RETENTION_DAYS;
    let run = purge::purge_expired(restored, None, now, pacing, keep_events)
        .block_on()
        .map_err(|e| anyhow::anyhow!("purging: {e}"))?;
    report.purged = run.purged;
    Ok(report)
}

/// The current time, as the service reads it.
pub fn now() -> Timestamp {
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Timestamp::from_millis(i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_entry_reads_back_as_it_was() {
        let entry = erasure::Entry {
            id: 7,
            organisation_id: 1001,
            customer_number: 42,
            erased_at: "2026-12-07T00:26:46.299Z".into(),
        };
        assert_eq!(parse_listed(&listed(&entry)).unwrap(), entry);
        assert!(parse_listed(r#"{"id":1,"organisationId":1001}"#).is_err());
    }
}
