//! `POST /customers/v2/admin/purge-expired` (contract §5): deletes the caller's
//! organisation's expired temporary profiles and deactivated profiles past their
//! expiration now, in bounded batches, and returns the counts. For a scheduler (cron,
//! Kubernetes CronJob); the same batches also run piggy-backed on ordinary requests.

use crate::{Answer, Call};
use auth::Permission;
use domain::db::Db;
use domain::purge;
use std::time::Duration;

/// How one call paces itself. Each batch holds the write lock for about 50 ms: the first
/// deletes 250 rows and the next are sized from the pace of the one before, up to 2,000 rows
/// (`domain::purge::next_batch`; on our shared 2 cores about 180 rows at a load average of 6). One call purges at
/// most 100,000 profiles and works for at most 8 s, well inside any request timeout; a larger
/// backlog is worked off over several calls (`complete: false`). Between two batches the lock is left free for 10 ms: every
/// write transaction waits for the lock in attempts of 10 ms within which SQLite looks again
/// after 1, 3 and 8 ms (`domain::connection::begin_immediate`), so a waiting writer of any replica
/// takes it, and the next batch queues behind the writers like any other. Without a pause a
/// purge of a large backlog took the lock back the moment it committed, batch after batch,
/// and other writers gave up with 500 "database is locked" (tests/api/replicas.rs). The
/// write-ahead log is checkpointed after every 16,000 rows or so, when it holds about 200 MB.
pub const PACING: purge::Pacing = purge::Pacing {
    first_batch: 250,
    max_batch: 2000,
    lock_target: Duration::from_millis(50),
    max_rows: 100_000,
    time_budget: Duration::from_secs(8),
    pause: Duration::from_millis(10),
    checkpoint_rows: 16_000,
};

/// The handler, given the feed's retention (a setting, which the component reads: this crate
/// names no Spin variables). Feed events past it are deleted in the same batches, for every
/// organisation, and not counted in the answer.
pub async fn purge_expired<D: Db>(call: &Call<'_, D>, event_retention_days: i64) -> Answer {
    web::require(call.caller, Permission::ProfileDelete)?;
    let run =
        purge::purge_expired(call.db, Some(call.caller.org()), call.ctx.now, PACING, event_retention_days)
            .await?;
    let mut body = serde_json::to_value(run.purged).map_err(|e| errors::ApiError::Internal(e.into()))?;
    body["complete"] = run.complete.into();
    web::json_response(200, &body)
}
