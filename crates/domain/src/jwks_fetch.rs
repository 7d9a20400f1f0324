//! Electing the one request that fetches the issuer's JWKS (migration 0010): the key-value
//! cache is stamped before a fetch, but key-value has no compare-and-swap, so the requests that
//! read the cache before the stamp landed would all fetch. Each of them claims the fetch here
//! first; one statement decides, and only one claim per URL and replica succeeds per interval.

use crate::db::{Db, DbError, Value};

/// Claims older than this are deleted when a claim succeeds (replicas come and go).
const FORGET_AFTER_MS: i64 = 24 * 60 * 60 * 1000;

const CLAIM: &str = "
    INSERT INTO jwks_fetch (url, replica, attempted_at) VALUES (?1, ?2, ?3)
    ON CONFLICT (url, replica) DO UPDATE SET attempted_at = excluded.attempted_at
     WHERE jwks_fetch.attempted_at <= excluded.attempted_at - ?4
    RETURNING attempted_at";

const FORGET: &str = "DELETE FROM jwks_fetch WHERE attempted_at < ?1";

/// Whether this request may fetch `url` for `replica`'s cache at `now` (milliseconds): no
/// other claim for them within the last `interval_ms`. The claim is recorded when it succeeds.
pub async fn claim(
    db: &impl Db,
    url: &str,
    replica: &str,
    now: i64,
    interval_ms: i64,
) -> Result<bool, DbError> {
    let params = [Value::from(url), Value::from(replica), Value::Integer(now), Value::Integer(interval_ms)];
    // One statement each, atomic by itself: no transaction, the write lock held only while it runs.
    let claimed = db.execute(CLAIM, &params).await?.first().is_some();
    if claimed {
        db.execute(FORGET, &[Value::Integer(now - FORGET_AFTER_MS)]).await?;
    }
    Ok(claimed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_db::{BlockOn, TestDb};

    const URL: &str = "https://issuer.example/.well-known/jwks.json";
    const MINUTE: i64 = 60_000;
    const NOW: i64 = 1_700_000_000_000;

    #[test]
    fn one_claim_per_interval_and_replica() {
        let db = TestDb::new();
        assert!(claim(&db, URL, "a", NOW, MINUTE).block_on().unwrap());
        assert!(!claim(&db, URL, "a", NOW, MINUTE).block_on().unwrap(), "the same instant");
        assert!(!claim(&db, URL, "a", NOW + MINUTE - 1, MINUTE).block_on().unwrap());
        assert!(claim(&db, URL, "b", NOW, MINUTE).block_on().unwrap(), "another replica has its own cache");
        assert!(
            claim(&db, "https://other.example/jwks", "a", NOW, MINUTE).block_on().unwrap(),
            "another URL"
        );
        assert!(claim(&db, URL, "a", NOW + MINUTE, MINUTE).block_on().unwrap());
        assert!(!claim(&db, URL, "a", NOW + MINUTE + 1, MINUTE).block_on().unwrap());
    }

    #[test]
    fn concurrent_claims_elect_one() {
        let dir = std::env::temp_dir().join(format!("jwks-claim-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("claim.db");
        let _ = std::fs::remove_file(&path);
        crate::on_demand::prepare_connection(&TestDb::open(&path)).block_on().unwrap();
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let db = TestDb::open(&path);
                    db.execute("PRAGMA busy_timeout = 5000", &[]).block_on().unwrap();
                    claim(&db, URL, "a", NOW, MINUTE).block_on().unwrap()
                })
            })
            .collect();
        let won = threads.into_iter().map(|t| t.join().unwrap()).filter(|won| *won).count();
        assert_eq!(won, 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn old_claims_of_departed_replicas_are_forgotten() {
        let db = TestDb::new();
        assert!(claim(&db, URL, "gone", NOW, MINUTE).block_on().unwrap());
        assert!(claim(&db, URL, "here", NOW + FORGET_AFTER_MS + 1, MINUTE).block_on().unwrap());
        let rows = db.execute("SELECT replica FROM jwks_fetch", &[]).block_on().unwrap();
        let replicas: Vec<String> = rows.iter().map(|r| r.text("replica").unwrap()).collect();
        assert_eq!(replicas, ["here"]);
    }
}
