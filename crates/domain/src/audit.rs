//! The audit trail: who changed which fields of a customer, when, through which channel and
//! client. Field names only, never values. Written in the same transaction as the change.

use crate::db::{Db, DbError, Row, Value};
use crate::time::Timestamp;

/// Who is writing, for the audit trail (the token's client id, never personal data).
pub struct Actor<'a> {
    pub organisation_id: i64,
    pub client_id: Option<&'a str>,
}

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
pub async fn record(db: &impl Db, entry: &AuditEntry<'_>) -> Result<(), DbError> {
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
    )
    .await?;
    Ok(())
}

/// One recorded entry, as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: i64,
    pub action: String,
    pub changed_fields: Vec<String>,
    pub changed_by: Option<String>,
    pub channel: Option<String>,
    pub client_id: Option<String>,
    pub at: String,
}

impl Event {
    fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: row.int("id")?,
            action: row.text("action")?,
            changed_fields: serde_json::from_str(&row.text("changed_fields")?).unwrap_or_default(),
            changed_by: row.opt_text("changed_by")?,
            channel: row.opt_text("channel")?,
            client_id: row.opt_text("client_id")?,
            at: row.text("at")?,
        })
    }

    /// The entry as the history endpoint and the export show it.
    pub fn view(&self) -> serde_json::Value {
        serde_json::json!({
            "action": self.action,
            "changedFields": self.changed_fields,
            "changedBy": self.changed_by,
            "changedByChannel": self.channel,
            "clientId": self.client_id,
            "timestamp": self.at,
        })
    }
}

const LIST: &str = "
    SELECT id, action, changed_fields, changed_by, channel, client_id, at FROM audit_event
     WHERE organisation_id = ?1 AND customer_number = ?2 AND id > ?3
     ORDER BY id LIMIT ?4";

/// A customer's entries after `after`, oldest first: at most `limit`, and whether more follow.
pub async fn list(
    db: &impl Db,
    organisation_id: i64,
    customer_number: i64,
    after: i64,
    limit: i64,
) -> Result<(Vec<Event>, bool), DbError> {
    let rows = db
        .execute(
            LIST,
            &[
                Value::Integer(organisation_id),
                Value::Integer(customer_number),
                Value::Integer(after),
                Value::Integer(limit + 1),
            ],
        )
        .await?;
    let mut events: Vec<Event> = rows.iter().map(Event::from_row).collect::<Result<_, _>>()?;
    let more = events.len() as i64 > limit;
    events.truncate(usize::try_from(limit).unwrap_or(usize::MAX)); // 32-bit usize in wasm
    Ok((events, more))
}
