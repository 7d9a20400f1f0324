//! Expiry (contract §5): temporary profiles past their `expirationDate` and deactivated
//! profiles past theirs are deleted with everything attached (children go through the
//! foreign keys' ON DELETE CASCADE; stored idempotent responses and the profiles merged
//! into them explicitly). Bounded batches, each one short write transaction, so no request
//! and no other writer waits long; `secure_delete` overwrites the freed bytes and the
//! caller checkpoints the write-ahead log afterwards.

use crate::db::{Db, DbError, Value};
use crate::time::Timestamp;

/// What one purge deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Purged {
    pub temporary_profiles: i64,
    pub deactivated_profiles: i64,
    pub idempotency_records: i64,
}

impl Purged {
    pub fn add(&mut self, other: Purged) {
        self.temporary_profiles += other.temporary_profiles;
        self.deactivated_profiles += other.deactivated_profiles;
        self.idempotency_records += other.idempotency_records;
    }

    pub fn total(&self) -> i64 {
        self.temporary_profiles + self.deactivated_profiles + self.idempotency_records
    }
}

/// The expired profiles of one batch: `?1` an organisation or NULL for all, `?2` now,
/// `?3` the batch size. Oldest first; served by the `customer_expiry` index.
macro_rules! expired {
    () => {
        "SELECT customer_number FROM customer
          WHERE expiration_date <= ?2 AND (profile_type = 'T' OR status = 'D')
            AND (?1 IS NULL OR organisation_id = ?1)
          ORDER BY expiration_date, customer_number LIMIT ?3"
    };
}

const DELETE_THEIR_IDEMPOTENCY_RECORDS: &str =
    concat!("DELETE FROM idempotency_record WHERE customer_number IN (", expired!(), ") RETURNING 1");
const DELETE_MERGED_INTO_THEM: &str = concat!("DELETE FROM customer WHERE merged_into IN (", expired!(), ")");
const AUDIT_THEM: &str = concat!(
    "INSERT INTO audit_event (organisation_id, customer_number, action, changed_fields, at)
     SELECT organisation_id, customer_number, 'PURGED', '[]', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
       FROM customer WHERE customer_number IN (",
    expired!(),
    ")"
);
const DELETE_THEM: &str =
    concat!("DELETE FROM customer WHERE customer_number IN (", expired!(), ") RETURNING profile_type");
const DELETE_EXPIRED_IDEMPOTENCY_RECORDS: &str = "
    DELETE FROM idempotency_record WHERE rowid IN (
        SELECT rowid FROM idempotency_record
         WHERE expires_at <= ?2 AND (?1 IS NULL OR organisation_id = ?1) LIMIT ?3)
    RETURNING 1";

/// Deletes at most `batch` expired profiles and `batch` expired idempotency records, in one
/// transaction. `organisation_id` limits it to one organisation (the admin endpoint);
/// `None` purges for all (the batches piggy-backed on requests).
pub fn purge_batch(
    db: &impl Db,
    organisation_id: Option<i64>,
    now: Timestamp,
    batch: i64,
) -> Result<Purged, DbError> {
    let params = [Value::from(organisation_id), Value::from(now.rfc3339()), Value::Integer(batch)];
    // A cheap look first: most of the time there is nothing to do, and then no write lock.
    let any_due = db.execute(concat!("SELECT EXISTS (", expired!(), ") AS due"), &params)?;
    let idempotency_due = db.execute(
        "SELECT EXISTS (SELECT 1 FROM idempotency_record WHERE expires_at <= ?2
                          AND (?1 IS NULL OR organisation_id = ?1) LIMIT ?3) AS due",
        &params,
    )?;
    let due = |rows: &crate::db::Rows| rows.first().map(|r| r.int("due")).transpose().map(|d| d == Some(1));
    if !due(&any_due)? && !due(&idempotency_due)? {
        return Ok(Purged::default());
    }
    db.transaction(|tx| {
        let mut purged = Purged {
            idempotency_records: tx.execute(DELETE_THEIR_IDEMPOTENCY_RECORDS, &params)?.rows.len() as i64,
            ..Purged::default()
        };
        tx.execute(DELETE_MERGED_INTO_THEM, &params)?;
        tx.execute(AUDIT_THEM, &params)?;
        for row in tx.execute(DELETE_THEM, &params)?.iter() {
            match row.text("profile_type")?.as_str() {
                "T" => purged.temporary_profiles += 1,
                _ => purged.deactivated_profiles += 1,
            }
        }
        purged.idempotency_records +=
            tx.execute(DELETE_EXPIRED_IDEMPOTENCY_RECORDS, &params)?.rows.len() as i64;
        Ok(purged)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_db::TestDb;

    fn insert(db: &TestDb, org: i64, profile_type: &str, status: &str, expires: Option<&str>) -> i64 {
        let rows = db
            .execute(
                "INSERT INTO customer (organisation_id, uuid, customer_ref, profile_type, status, expiration_date,
                     email, email_key, created_at, created_by, created_by_channel, changed_at, changed_by, changed_by_channel)
                 VALUES (?1, hex(randomblob(16)), hex(randomblob(8)), ?2, ?3, ?4, 'x@y.no', 'x@y.no',
                         't', 'x', 'x', 't', 'x', 'x')
                 RETURNING customer_number",
                &[Value::Integer(org), Value::from(profile_type), Value::from(status), Value::from(expires)],
            )
            .unwrap();
        rows.first().unwrap().int("customer_number").unwrap()
    }

    fn exists(db: &TestDb, n: i64) -> bool {
        let rows = db
            .execute("SELECT count(*) AS n FROM customer WHERE customer_number = ?1", &[Value::Integer(n)])
            .unwrap();
        rows.first().unwrap().int("n").unwrap() == 1
    }

    const NOW: Timestamp = Timestamp(1_795_846_663_123); // 2026-11-28T06:17:43.123Z

    #[test]
    fn expired_temporary_and_deactivated_profiles_go_and_nothing_else() {
        let db = TestDb::new();
        let expired_temp = insert(&db, 1, "T", "A", Some("2026-11-28T06:00:00.000Z"));
        let live_temp = insert(&db, 1, "T", "A", Some("2026-11-29T00:00:00.000Z"));
        let expired_deactivated = insert(&db, 1, "S", "D", Some("2026-11-01T00:00:00.000Z"));
        let active = insert(&db, 1, "S", "A", None);
        let purged = purge_batch(&db, None, NOW, 100).unwrap();
        assert_eq!((purged.temporary_profiles, purged.deactivated_profiles), (1, 1));
        assert!(!exists(&db, expired_temp) && !exists(&db, expired_deactivated));
        assert!(exists(&db, live_temp) && exists(&db, active));
    }

    #[test]
    fn batches_are_bounded_and_an_organisation_purges_only_its_own() {
        let db = TestDb::new();
        for _ in 0..5 {
            insert(&db, 1, "T", "A", Some("2026-01-01T00:00:00.000Z"));
        }
        let other = insert(&db, 2, "T", "A", Some("2026-01-01T00:00:00.000Z"));
        assert_eq!(purge_batch(&db, Some(1), NOW, 3).unwrap().temporary_profiles, 3);
        assert_eq!(purge_batch(&db, Some(1), NOW, 3).unwrap().temporary_profiles, 2);
        assert_eq!(purge_batch(&db, Some(1), NOW, 3).unwrap(), Purged::default());
        assert!(exists(&db, other));
    }

    #[test]
    fn the_batch_query_uses_the_expiry_index() {
        let db = TestDb::new();
        let params = [Value::Null, Value::from(NOW.rfc3339()), Value::Integer(10)];
        let plan = db.execute(concat!("EXPLAIN QUERY PLAN ", expired!()), &params).unwrap();
        let details: Vec<String> = plan.iter().map(|r| r.text("detail").unwrap()).collect();
        assert!(details.iter().any(|d| d.contains("customer_expiry")), "{details:?}");
    }
}
