//! The erasure ledger (migration 0012): which profiles were erased at a customer's request, so
//! that a database restored from a backup can be made to forget them again.
//!
//! A backup holds every profile that existed when it was taken. Restoring it would bring back
//! each customer erased since, and an erasure is a promise (contract §5, GDPR art. 17). So
//! every erasure ([`crate::customer::erase`]: `DELETE /profiles/{n}` and
//! `DELETE /profiles/temporary/{n}`) writes one entry per profile it deletes (the profile and
//! those merged into it) in its own transaction: the organisation and the customer number,
//! nothing personal. After a restore, [`reapply`] erases each entry's profile again in the
//! restored database and copies the entry there (`erasures reapply` in `ops/` reads the
//! entries from the live database).
//!
//! Purges of expired profiles write no entry. Whether a profile is expired is in its own row
//! (`expiration_date`, `status`) and the clock: a restored row that was purged since the backup
//! is as expired in the backup as it was, so it is invisible to every read from the moment of
//! the restore (they all filter on `expiration_date > now`), and the purge that `reapply`'s
//! caller runs deletes it again. An expiry brought forward after the backup (a deactivation, a
//! shorter `expirationDate`) is lost with the restore like any other change since the backup,
//! and is not an erasure request. Writing an entry per purged profile would add up to 500 rows
//! to each purge batch under the write lock, whose time budget is the purge's tightest.

use crate::connection::Transactions;
use crate::db::{Db, DbError, Value};
use crate::time::Timestamp;

/// One erased profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its place in the ledger of the database it was read from (ascending).
    pub id: i64,
    pub organisation_id: i64,
    pub customer_number: i64,
    pub erased_at: String,
}

/// The profile and the profiles merged into it, as the erasure will delete them.
const RECORD: &str = "
    INSERT INTO erasure_ledger (organisation_id, customer_number, erased_at)
    SELECT organisation_id, customer_number, ?3 FROM customer WHERE organisation_id = ?1 AND customer_number = ?2
    UNION ALL
    SELECT organisation_id, customer_number, ?3 FROM customer WHERE organisation_id = ?1 AND merged_into = ?2";

/// Records the erasure of profile `number` and of the profiles merged into it. Call in the
/// erasure's transaction, before the rows are deleted.
pub(crate) async fn record(
    db: &impl Db,
    organisation_id: i64,
    number: i64,
    at: Timestamp,
) -> Result<(), DbError> {
    db.execute(RECORD, &[Value::Integer(organisation_id), Value::Integer(number), Value::from(at.rfc3339())])
        .await?;
    Ok(())
}

/// At most `limit` entries after entry `after` (0: from the first), in the order they were
/// written.
pub async fn entries(db: &impl Db, after: i64, limit: i64) -> Result<Vec<Entry>, DbError> {
    let rows = db
        .execute(
            "SELECT id, organisation_id, customer_number, erased_at FROM erasure_ledger
          WHERE id > ?1 ORDER BY id LIMIT ?2",
            &[Value::Integer(after), Value::Integer(limit)],
        )
        .await?;
    rows.iter()
        .map(|row| {
            Ok(Entry {
                id: row.int("id")?,
                organisation_id: row.int("organisation_id")?,
                customer_number: row.int("customer_number")?,
                erased_at: row.text("erased_at")?,
            })
        })
        .collect()
}

/// What [`reapply`] did to one database.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reapplied {
    /// Entries read.
    pub entries: usize,
    /// Entries whose profile was still in this database, and is now erased again.
    pub erased_again: usize,
    /// Entries this database's ledger lacked, now copied into it.
    pub recorded: usize,
}

const PRESENT: &str = "
    SELECT (SELECT count(*) FROM customer WHERE organisation_id = ?1 AND customer_number = ?2) AS profile,
           (SELECT count(*) FROM erasure_ledger WHERE organisation_id = ?1 AND customer_number = ?2) AS entry";

const COPY: &str =
    "INSERT INTO erasure_ledger (organisation_id, customer_number, erased_at) VALUES (?1, ?2, ?3)";

/// A customer number is never given twice (AUTOINCREMENT), also after a restore: the
/// restored counter may be behind numbers given (and erased) since the backup.
const KEEP_NUMBERS_UNUSED: &str = "UPDATE sqlite_sequence SET seq = max(seq, ?1) WHERE name = 'customer'";

/// Erases again, in this database (restored from a backup), each profile of `entries` (read
/// from the ledger of the live database), with the profiles merged into it, exactly as
/// [`crate::customer::erase`] does, and copies the entries this ledger lacks. One transaction
/// per entry (a libSQL server ends a transaction held open 5 s); running it twice changes
/// nothing more. Run it before the restored database serves requests.
pub async fn reapply(db: &impl Db, entries: &[Entry]) -> Result<Reapplied, DbError> {
    let mut done = Reapplied { entries: entries.len(), ..Reapplied::default() };
    for entry in entries {
        let (org, number) = (Value::Integer(entry.organisation_id), Value::Integer(entry.customer_number));
        db.transaction(async |tx| {
            let present = tx.execute(PRESENT, &[org.clone(), number.clone()]).await?;
            let row = present.first().ok_or_else(|| DbError::Other("no row".into()))?;
            if row.int("profile")? > 0 {
                crate::profile::erase_rows(tx, entry.organisation_id, entry.customer_number).await?;
                done.erased_again += 1;
            }
            if row.int("entry")? == 0 {
                tx.execute(COPY, &[org.clone(), number.clone(), Value::from(entry.erased_at.as_str())])
                    .await?;
                done.recorded += 1;
            }
            tx.execute(KEEP_NUMBERS_UNUSED, std::slice::from_ref(&number)).await?;
            Ok::<_, DbError>(())
        })
        .await?;
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_db::{BlockOn, TestDb};

    fn customer(db: &TestDb, org: i64, merged_into: Option<i64>) -> i64 {
        let rows = db
            .execute(
                "INSERT INTO customer (organisation_id, uuid, customer_ref, status, merged_into, email, email_key,
                     created_at, created_by, created_by_channel, changed_at, changed_by, changed_by_channel)
                 VALUES (?1, hex(randomblob(16)), hex(randomblob(8)), iif(?2 IS NULL, 'A', 'P'), ?2, NULL, NULL,
                         't', 'x', 'x', 't', 'x', 'x')
                 RETURNING customer_number",
                &[Value::Integer(org), Value::from(merged_into)],
            )
            .block_on()
            .unwrap();
        rows.first().unwrap().int("customer_number").unwrap()
    }

    fn erase(db: &TestDb, org: i64, n: i64) {
        let actor = crate::audit::Actor { organisation_id: org, client_id: None };
        db.transaction(async |tx| {
            let n = crate::profile::CustomerNumber(n);
            crate::customer::erase(tx, &actor, n, Timestamp(1_795_846_663_123)).await
        })
        .block_on()
        .unwrap();
    }

    #[test]
    fn an_erasure_records_the_profile_and_those_merged_into_it_and_nothing_personal() {
        let db = TestDb::new();
        let kept = customer(&db, 1, None);
        let n = customer(&db, 1, None);
        let merged = customer(&db, 1, Some(n));
        erase(&db, 1, n);
        let ledger = entries(&db, 0, 10).block_on().unwrap();
        let erased: Vec<(i64, i64)> = ledger.iter().map(|e| (e.organisation_id, e.customer_number)).collect();
        assert_eq!(erased, [(1, n), (1, merged)]);
        assert!(!db.has_customer(n) && !db.has_customer(merged) && db.has_customer(kept));
        let columns = db.execute("SELECT * FROM erasure_ledger LIMIT 0", &[]).block_on().unwrap().columns;
        assert_eq!(columns, ["id", "organisation_id", "customer_number", "erased_at"]);
        assert_eq!(entries(&db, ledger[0].id, 10).block_on().unwrap().len(), 1, "paged by id");
    }

    #[test]
    fn reapplying_erases_again_what_a_restored_copy_brought_back_and_only_that() {
        let dir = std::env::temp_dir().join(format!("erasure-reapply-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (live_path, backup_path) = (dir.join("live.db"), dir.join("backup.db"));
        for path in [&live_path, &backup_path] {
            let _ = std::fs::remove_file(path);
        }
        let live = TestDb::open(&live_path);
        crate::on_demand::prepare_connection(&live).block_on().unwrap();
        let (kept, erased, merged_later, target) = (
            customer(&live, 1, None),
            customer(&live, 1, None),
            customer(&live, 1, None),
            customer(&live, 1, None),
        );
        let other_org = customer(&live, 2, None);
        live.execute("VACUUM INTO ?1", &[Value::from(backup_path.display().to_string())]).block_on().unwrap();
        // After the backup: a merge, two erasures, and a profile created and erased.
        live.execute(
            "UPDATE customer SET status = 'P', merged_into = ?1 WHERE customer_number = ?2",
            &[Value::Integer(target), Value::Integer(merged_later)],
        )
        .block_on()
        .unwrap();
        erase(&live, 1, erased);
        erase(&live, 1, target);
        let newer = customer(&live, 1, None);
        erase(&live, 1, newer);

        let restored = TestDb::open(&backup_path);
        assert!(restored.has_customer(erased) && restored.has_customer(merged_later), "the backup has them");
        let ledger = entries(&live, 0, 100).block_on().unwrap();
        let done = reapply(&restored, &ledger).block_on().unwrap();
        assert_eq!(done, Reapplied { entries: 4, erased_again: 3, recorded: 4 });
        for n in [erased, target, merged_later, newer] {
            assert!(!restored.has_customer(n), "{n} came back");
        }
        assert!(restored.has_customer(kept) && restored.has_customer(other_org));
        assert_eq!(
            reapply(&restored, &ledger).block_on().unwrap(),
            Reapplied { entries: 4, ..Reapplied::default() }
        );
        let next = customer(&restored, 1, None);
        assert!(next > newer, "no customer number is given twice: {next} after {newer}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn recording_looks_up_both_kinds_of_profile_by_index() {
        let db = TestDb::new();
        let plan = db
            .execute(
                &format!("EXPLAIN QUERY PLAN {RECORD}"),
                &[Value::Integer(1), Value::Integer(1), Value::from("t")],
            )
            .block_on()
            .unwrap();
        let details: Vec<String> = plan.iter().map(|r| r.text("detail").unwrap()).collect();
        assert!(details.iter().all(|d| !d.starts_with("SCAN customer")), "{details:?}");
    }
}
