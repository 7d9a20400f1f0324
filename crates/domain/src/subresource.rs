//! What the modules of a profile's sub-resources (addresses, preferences, ecards, loyalty) and
//! the organisation catalogues share: instants in request bodies, and
//! the audit entry every one of their writes appends.

use crate::audit::Actor;
use crate::audit::{self, AuditEntry};
use crate::db::{Db, DbError, Value};
use crate::time::Timestamp;
use chrono::DateTime;
use errors::{ApiError, ErrorCode, Invalid};

/// The `customer_number` of audit entries about an organisation's catalogues rather than a
/// customer (preference definitions, loyalty programs). Customer numbers start at 1, so no
/// profile's history ever shows these entries.
pub const CATALOGUE: i64 = 0;

/// An RFC 3339 date-time with an offset (`2026-11-28T07:17:43+01:00`), as an instant; it is
/// stored and served in UTC with milliseconds.
pub fn instant(raw: &str) -> Result<Timestamp, Invalid> {
    DateTime::parse_from_rfc3339(raw)
        .ok()
        .map(|t| Timestamp(t.timestamp_millis()))
        .filter(|t| (0..253_402_300_800_000).contains(&t.0)) // 1970 to the end of year 9999
        .ok_or_else(|| {
            Invalid::new(
                ErrorCode::INVALID_TIMESTAMP,
                "must be an RFC 3339 date-time, e.g. 2026-11-28T06:17:43.123Z",
            )
        })
}

/// Deletes one of a customer's children, read in the same transaction with its `If-Match`
/// checked, and records `action`. `delete` takes (organisation, customer, id, version) and
/// returns a row when it deleted: none means the row changed since it was read (412).
pub async fn remove(
    db: &impl Db,
    actor: &Actor<'_>,
    customer_number: i64,
    delete: &str,
    (id, version): (i64, i64),
    action: &'static str,
    now: Timestamp,
) -> Result<(), ApiError> {
    let params = [
        Value::Integer(actor.organisation_id),
        Value::Integer(customer_number),
        Value::Integer(id),
        Value::Integer(version),
    ];
    if db.execute(delete, &params).await?.rows.is_empty() {
        return Err(ApiError::PreconditionFailed);
    }
    record(db, actor, customer_number, action, &[], now).await?;
    Ok(())
}

/// What a GDPR export hook gives for a list of children: the JSON array the API shows.
pub fn export_list<T: serde::Serialize>(
    items: Result<Vec<T>, DbError>,
    what: &str,
) -> Result<serde_json::Value, DbError> {
    serde_json::to_value(items?).map_err(|e| DbError::Other(format!("serialising {what}: {e}")))
}

/// Appends the audit entry of a change to a customer's children (or, with [`CATALOGUE`], to
/// the organisation's catalogues): the action and the names of the fields, never values.
/// Sub-resource bodies carry no `changedBy`, so the entry names the token's client.
pub async fn record(
    db: &impl Db,
    actor: &Actor<'_>,
    customer_number: i64,
    action: &'static str,
    fields: &[&'static str],
    now: Timestamp,
) -> Result<(), DbError> {
    audit::record(
        db,
        &AuditEntry {
            organisation_id: actor.organisation_id,
            customer_number,
            action,
            changed_fields: fields,
            changed_by: None,
            channel: None,
            client_id: actor.client_id,
            at: now,
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_with_any_offset_become_utc() {
        assert_eq!(instant("2026-11-28T07:17:43.123+01:00").unwrap().rfc3339(), "2026-11-28T06:17:43.123Z");
        assert_eq!(instant("2026-11-28T06:17:43Z").unwrap().rfc3339(), "2026-11-28T06:17:43.000Z");
    }

    #[test]
    fn dates_without_time_and_nonsense_are_not_instants() {
        for bad in ["2026-11-28", "yesterday", "2026-13-01T00:00:00Z", "1969-12-31T23:59:59Z"] {
            assert_eq!(instant(bad).unwrap_err().code, "INVALID_TIMESTAMP", "{bad}");
        }
    }
}

/// Helpers for the native tests of the child modules.
#[cfg(test)]
pub mod testing {
    use crate::db::{Db, Value};
    use crate::test_db::{BlockOn, TestDb};

    pub const ORG: i64 = 1001;

    /// A bare active permanent profile of `organisation_id`; returns its customer number.
    pub fn customer(db: &TestDb, organisation_id: i64) -> i64 {
        let rows = db
            .execute(
                "INSERT INTO customer (organisation_id, uuid, customer_ref, created_at, created_by,
                                       created_by_channel, changed_at, changed_by, changed_by_channel)
                 VALUES (?1, hex(randomblob(16)), hex(randomblob(8)), 't', 'test', 'WEB', 't', 'test', 'WEB')
                 RETURNING customer_number",
                &[Value::Integer(organisation_id)],
            )
            .block_on()
            .expect("a bare customer inserts");
        rows.first().expect("RETURNING").int("customer_number").expect("a number")
    }

    /// SQLite's query plan of `sql` (parameters bound to NULL), one step a line.
    pub fn plan(db: &TestDb, sql: &str) -> String {
        let mut stmt = db.0.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).expect("the statement prepares");
        let nulls = vec![rusqlite::types::Value::Null; stmt.parameter_count()];
        let steps = stmt
            .query_map(rusqlite::params_from_iter(nulls), |row| row.get::<_, String>(3))
            .expect("the plan runs");
        steps.map(|s| s.expect("a plan step")).collect::<Vec<_>>().join("\n")
    }

    /// Whether the plan of `sql` reads a whole table (a constant row does not count).
    pub fn scans_a_table(db: &TestDb, sql: &str) -> bool {
        plan(db, sql).lines().any(|step| step.starts_with("SCAN ") && step != "SCAN CONSTANT ROW")
    }
}
