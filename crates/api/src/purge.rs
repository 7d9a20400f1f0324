//! `POST /customers/v2/admin/purge-expired` (contract §5): deletes the caller's
//! organisation's expired temporary profiles and deactivated profiles past their
//! expiration now, in bounded batches, and returns the counts. For a scheduler (cron,
//! Kubernetes CronJob); the same batches also run piggy-backed on ordinary requests.

use crate::{Answer, Call};
use auth::Permission;
use domain::db::Db;
use domain::purge;
use std::time::Duration;

/// How one call paces itself. Batches of 500 hold the write lock for tens of milliseconds.
/// One call works for at most 8 s, well inside any request timeout, and a larger backlog is
/// worked off over several calls (`complete: false`). Between two batches the lock is left
/// free for 10 ms: every write transaction waits for the lock in attempts of 10 ms within
/// which SQLite looks again after 1, 3 and 8 ms (`domain::connection::begin_immediate`), so a waiting
/// writer of any replica takes it, and the next batch queues behind the writers like any
/// other. Without a pause a purge of a large backlog took the lock back the moment it
/// committed, batch after batch, and other writers gave up with 500 "database is locked"
/// (tests/api/replicas.rs).
pub const PACING: purge::Pacing = purge::Pacing {
    batch: 500,
    max_batches: 200,
    time_budget: Duration::from_secs(8),
    pause: Duration::from_millis(10),
};

pub fn purge_expired<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileDelete)?;
    let run = purge::purge_expired(call.db, Some(call.caller.org()), call.ctx.now, PACING)?;
    let mut body = serde_json::to_value(run.purged).map_err(|e| errors::ApiError::Internal(e.into()))?;
    body["complete"] = run.complete.into();
    web::json_response(200, &body)
}
