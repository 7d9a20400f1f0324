//! `POST /customers/v2/admin/purge-expired` (contract §5): deletes the caller's
//! organisation's expired temporary profiles and deactivated profiles past their
//! expiration now, in bounded batches, and returns the counts. For a scheduler (cron,
//! Kubernetes CronJob); the same batches also run piggy-backed on ordinary requests.

use crate::{Answer, Call};
use auth::Permission;
use domain::db::Db;
use domain::purge::{self, Purged};

/// Rows per batch: each batch is one short write transaction.
pub const BATCH: i64 = 500;
/// Batches per call, so one call stays bounded; `complete: false` says call again.
const MAX_BATCHES: usize = 200;

pub fn purge_expired<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileDelete)?;
    let mut total = Purged::default();
    let mut complete = false;
    for _ in 0..MAX_BATCHES {
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
