//! `POST /customers/v2/admin/purge-expired` (contract §5): deletes the caller's
//! organisation's expired temporary profiles and deactivated profiles past their
//! expiration now, in bounded batches, and returns the counts. For a scheduler (cron,
//! Kubernetes CronJob); the same batches also run piggy-backed on ordinary requests.

use crate::{Answer, Call};
use auth::Permission;
use domain::db::Db;
use domain::purge::{self, Purged};
use std::time::{Duration, Instant};

/// Rows per batch: each batch is one short write transaction (tens of milliseconds).
pub const BATCH: i64 = 500;
/// Batches per call, so one call stays bounded; `complete: false` says call again.
const MAX_BATCHES: usize = 200;
/// One call purges for at most about this long, so it stays well inside any request timeout
/// and a large backlog is worked off over several calls.
const TIME_BUDGET: Duration = Duration::from_secs(2);
/// Between two batches the write lock is left free for this long. Writers of every replica
/// waiting for it sit in SQLite's busy handler, which retries at most every 100 ms; a gap
/// longer than that lets each of them in before the next batch. Without it a purge of a large
/// backlog takes the lock back the moment it commits, batch after batch, and the writers give
/// up after their 5 s busy timeout with 500 "database is locked" (tests/api/replicas.rs).
const PAUSE_BETWEEN_BATCHES: Duration = Duration::from_millis(120);

pub fn purge_expired<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileDelete)?;
    let started = Instant::now();
    let mut total = Purged::default();
    let mut complete = false;
    for batch in 0..MAX_BATCHES {
        if batch > 0 {
            if started.elapsed() >= TIME_BUDGET {
                break;
            }
            std::thread::sleep(PAUSE_BETWEEN_BATCHES);
        }
        let purged = purge::purge_batch(call.db, Some(call.caller.org()), call.ctx.now, BATCH)?;
        total.add(purged);
        if purged.temporary_profiles + purged.deactivated_profiles < BATCH
            && purged.idempotency_records < BATCH
        {
            complete = true;
            break;
        }
    }
    if total.total() > 0 {
        domain::db::checkpoint(call.db);
    }
    let mut body = serde_json::to_value(total).map_err(|e| errors::ApiError::Internal(e.into()))?;
    body["complete"] = complete.into();
    web::json_response(200, &body)
}
