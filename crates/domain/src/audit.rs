//! The audit trail: who changed which fields of a customer, when, through which channel and
//! client. Field names only, never values. Written in the same transaction as the change.

use crate::db::{Db, DbError, Value};
use crate::time::Timestamp;

/// One entry of the trail.
pub struct AuditEntry<'a> {
    pub organisation_id: i64,
    pub customer_number: i64,
    pub action: &'static str,
    pub changed_fields: &'a [&'static str],
    pub changed_by: Option<&'a str>,
    pub channel: Option<&'a str>,
    pub client_id: Option<&'a str>,
    pub at: Timestamp,
}

const INSERT: &str = "
    INSERT INTO audit_event (organisation_id, customer_number, action, changed_fields,
                             changed_by, channel, client_id, at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

/// Appends an entry. Call inside the transaction of the change it records.
pub fn record(db: &impl Db, entry: &AuditEntry<'_>) -> Result<(), DbError> {
    let fields = serde_json::to_string(entry.changed_fields).expect("a list of names serialises");
    db.execute(
        INSERT,
        &[
            Value::Integer(entry.organisation_id),
            Value::Integer(entry.customer_number),
            Value::from(entry.action),
            Value::from(fields),
            Value::from(entry.changed_by),
            Value::from(entry.channel),
            Value::from(entry.client_id),
            Value::from(entry.at.rfc3339()),
        ],
    )?;
    Ok(())
}
