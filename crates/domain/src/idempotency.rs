//! Stored responses of creating POSTs, by `Idempotency-Key` (contract §1): a retry with the
//! same key and request within 24 h gets the first response again; the same key with another
//! request is refused. Keys are scoped to the caller's organisation.

use crate::db::{Db, DbError, Value};
use crate::time::Timestamp;
use errors::{ApiError, ErrorCode, Invalid};
use sha2::{Digest, Sha256};

/// How long a key is remembered.
pub const RETENTION_MS: i64 = 24 * 60 * 60 * 1000;

/// The columns SQLite names when two requests race with one key.
pub const KEY_TAKEN: &str = "idempotency_record.organisation_id, idempotency_record.idempotency_key";

/// A checked `Idempotency-Key` header: 1 to 255 visible ASCII characters.
pub fn parse_key(raw: &str) -> Result<String, Invalid> {
    let key = raw.trim();
    if key.is_empty() || key.len() > 255 || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(Invalid::new(
            ErrorCode::INVALID_IDEMPOTENCY_KEY,
            "must be 1 to 255 visible ASCII characters",
        ));
    }
    Ok(key.to_owned())
}

/// What identifies "the same request": method, path with query, and body.
pub fn fingerprint(method: &str, path_and_query: &str, body: &[u8]) -> String {
    let mut hash = Sha256::new();
    for part in [method.as_bytes(), b"\n", path_and_query.as_bytes(), b"\n", body] {
        hash.update(part);
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A response as stored for replay.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResponse {
    pub fingerprint: String,
    pub status: u16,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub body: Vec<u8>,
}

const FIND: &str = "
    SELECT fingerprint, status, location, etag, body FROM idempotency_record
     WHERE organisation_id = ?1 AND idempotency_key = ?2 AND expires_at > ?3";

/// A stored response that has not expired.
pub async fn find(
    db: &impl Db,
    organisation_id: i64,
    key: &str,
    now: Timestamp,
) -> Result<Option<StoredResponse>, DbError> {
    let rows = db
        .execute(FIND, &[Value::Integer(organisation_id), Value::from(key), Value::from(now.rfc3339())])
        .await?;
    let Some(row) = rows.first() else { return Ok(None) };
    let body = match &row.values_of("body")? {
        Value::Blob(b) => b.clone(),
        Value::Text(t) => t.clone().into_bytes(),
        _ => Vec::new(),
    };
    Ok(Some(StoredResponse {
        fingerprint: row.text("fingerprint")?,
        status: u16::try_from(row.int("status")?).unwrap_or(500),
        location: row.opt_text("location")?,
        etag: row.opt_text("etag")?,
        body,
    }))
}

// An expired record under the same key is replaced: the key is free again after 24 h.
const STORE: &str = "
    INSERT INTO idempotency_record (organisation_id, idempotency_key, fingerprint, status,
                                    location, etag, body, customer_number, expires_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
    ON CONFLICT (organisation_id, idempotency_key) DO UPDATE SET
        fingerprint = excluded.fingerprint, status = excluded.status, location = excluded.location,
        etag = excluded.etag, body = excluded.body, customer_number = excluded.customer_number,
        expires_at = excluded.expires_at
    WHERE idempotency_record.expires_at <= ?10";

/// Stores the response of a create, in the create's transaction. A live record under the
/// same key (a concurrent request won) makes this fail with [`ApiError::Conflict`]
/// `IDEMPOTENCY_KEY_IN_USE`, which rolls the create back.
pub async fn store(
    db: &impl Db,
    organisation_id: i64,
    key: &str,
    response: &StoredResponse,
    customer_number: Option<i64>,
    now: Timestamp,
) -> Result<(), ApiError> {
    let rows = db
        .execute(
            &format!("{STORE} RETURNING 1 AS stored"),
            &[
                Value::Integer(organisation_id),
                Value::from(key),
                Value::from(response.fingerprint.as_str()),
                Value::Integer(i64::from(response.status)),
                Value::from(response.location.clone()),
                Value::from(response.etag.clone()),
                Value::Blob(response.body.clone()),
                Value::from(customer_number),
                Value::from(Timestamp(now.0 + RETENTION_MS).rfc3339()),
                Value::from(now.rfc3339()),
            ],
        )
        .await?;
    if rows.rows.is_empty() {
        return Err(ApiError::Conflict {
            code: ErrorCode::IDEMPOTENCY_KEY_IN_USE,
            field: None,
            message: "another request with this Idempotency-Key is being processed; retry it",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_db::{BlockOn, TestDb};

    const NOW: Timestamp = Timestamp(1_795_846_663_123);

    fn response(fingerprint: &str) -> StoredResponse {
        StoredResponse {
            fingerprint: fingerprint.into(),
            status: 201,
            location: Some("/customers/v2/profiles/1".into()),
            etag: Some("\"1\"".into()),
            body: b"{}".to_vec(),
        }
    }

    #[test]
    fn keys_are_visible_ascii_of_at_most_255_characters() {
        assert!(parse_key(&"k".repeat(255)).is_ok());
        assert!(parse_key(&"k".repeat(256)).is_err());
        assert!(parse_key("with space").is_err());
        assert!(parse_key("").is_err());
    }

    #[test]
    fn a_stored_response_is_found_by_its_organisation_and_key_only() {
        let db = TestDb::new();
        store(&db, 1, "k1", &response("f"), Some(1), NOW).block_on().unwrap();
        assert_eq!(find(&db, 1, "k1", NOW).block_on().unwrap(), Some(response("f")));
        assert_eq!(find(&db, 2, "k1", NOW).block_on().unwrap(), None);
    }

    #[test]
    fn a_live_key_cannot_be_stored_twice_but_an_expired_one_can() {
        let db = TestDb::new();
        store(&db, 1, "k1", &response("f"), None, NOW).block_on().unwrap();
        assert_eq!(store(&db, 1, "k1", &response("g"), None, NOW).block_on().unwrap_err().status(), 409);
        let later = Timestamp(NOW.0 + RETENTION_MS + 1);
        assert_eq!(find(&db, 1, "k1", later).block_on().unwrap(), None);
        store(&db, 1, "k1", &response("g"), None, later).block_on().unwrap();
        assert_eq!(find(&db, 1, "k1", later).block_on().unwrap().unwrap().fingerprint, "g");
    }

    #[test]
    fn fingerprints_differ_with_the_body() {
        assert_ne!(fingerprint("POST", "/p", b"{}"), fingerprint("POST", "/p", b"{ }"));
        assert_eq!(fingerprint("POST", "/p", b"{}"), fingerprint("POST", "/p", b"{}"));
    }
}
