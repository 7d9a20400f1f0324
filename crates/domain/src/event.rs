//! The change feed (`GET /customers/v2/events`): what happened to an organisation's customers,
//! oldest first, for partners to pass erasures, merges and withdrawn consents on to their own
//! systems. An outbox table written by triggers on the audit trail and the consent history
//! (migration 0013), so every write that leaves a trail entry leaves its event in the same
//! statement. Names of changed fields only, never values; retention deletes old events
//! ([`expire`]), erasure keeps them (they are what recipients need).

use crate::db::{Db, DbError, Row, Value};
use crate::time::Timestamp;

/// How long events are kept when `event_retention_days` is not set.
pub const DEFAULT_RETENTION_DAYS: i64 = 35;
/// The longest retention a setting may ask for (a hundred years: keep them).
pub const MAX_RETENTION_DAYS: i64 = 36_500;

/// Who may read an event type: profile events need `customers-profile:les`, consent events
/// `consents:les` (the API layer maps these to permissions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Profile,
    Consent,
}

/// Every event type, with who may read it. Migration 0013 writes exactly these.
pub const TYPES: &[(&str, Kind)] = &[
    ("profile.created", Kind::Profile),
    ("profile.updated", Kind::Profile),
    ("profile.deactivated", Kind::Profile),
    ("profile.merged", Kind::Profile),
    ("profile.erased", Kind::Profile),
    ("profile.expired", Kind::Profile),
    ("temporary.converted", Kind::Profile),
    ("address.created", Kind::Profile),
    ("address.updated", Kind::Profile),
    ("address.deleted", Kind::Profile),
    ("preference.created", Kind::Profile),
    ("preference.updated", Kind::Profile),
    ("preference.deleted", Kind::Profile),
    ("ecard.created", Kind::Profile),
    ("ecard.deleted", Kind::Profile),
    ("loyalty.created", Kind::Profile),
    ("loyalty.updated", Kind::Profile),
    ("loyalty.deleted", Kind::Profile),
    ("consent.given", Kind::Consent),
    ("consent.withdrawn", Kind::Consent),
];

/// The kind of a type, or `None` for a name that is no event type.
pub fn kind_of(event_type: &str) -> Option<Kind> {
    TYPES.iter().find(|(name, _)| *name == event_type).map(|(_, kind)| *kind)
}

/// One event, as stored and shown.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub id: i64,
    #[serde(rename = "type")]
    pub event_type: String,
    pub occurred_at: String,
    pub customer_number: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_customer_number: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choice: Option<bool>,
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
}

impl Event {
    fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        let fields = row.opt_text("fields")?;
        Ok(Self {
            id: row.int("id")?,
            event_type: row.text("type")?,
            occurred_at: row.text("occurred_at")?,
            customer_number: row.int("customer_number")?,
            fields: fields.map(|f| serde_json::from_str(&f).unwrap_or_default()),
            from_customer_number: row.opt_int("from_customer_number")?,
            consent_id: row.opt_int("consent_id")?,
            consent_code: row.opt_text("consent_code")?,
            choice: row.opt_int("choice")?.map(|c| c == 1),
            client_id: row.opt_text("client_id")?,
            changed_by: row.opt_text("changed_by")?,
            channel: row.opt_text("channel")?,
        })
    }
}

/// What a page asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub organisation_id: i64,
    /// The id of the last event seen (0: from the oldest kept).
    pub after: i64,
    pub limit: i64,
    /// The types to show (the requested ones the caller may read); never empty.
    pub types: Vec<&'static str>,
    pub customer_number: Option<i64>,
}

/// `?1` organisation, `?2` after, `?3` the types as a JSON array, `?4` the page size (+1).
/// A range of the `customer_event_feed` index; the types are checked on the rows it reads.
pub(crate) const PAGE: &str = "
    SELECT id, type, occurred_at, customer_number, fields, from_customer_number, consent_id,
           consent_code, choice, client_id, changed_by, channel
      FROM customer_event INDEXED BY customer_event_feed
     WHERE organisation_id = ?1 AND id > ?2 AND type IN (SELECT value FROM json_each(?3))
     ORDER BY id LIMIT ?4";

/// [`PAGE`] for one customer (`?5`): a range of `customer_event_customer`.
pub(crate) const CUSTOMER_PAGE: &str = "
    SELECT id, type, occurred_at, customer_number, fields, from_customer_number, consent_id,
           consent_code, choice, client_id, changed_by, channel
      FROM customer_event INDEXED BY customer_event_customer
     WHERE organisation_id = ?1 AND customer_number = ?5 AND id > ?2
       AND type IN (SELECT value FROM json_each(?3))
     ORDER BY id LIMIT ?4";

/// A page of the organisation's events after `query.after`, oldest first, and whether more
/// follow.
pub async fn page(db: &impl Db, query: &Query) -> Result<(Vec<Event>, bool), DbError> {
    let types = serde_json::to_string(&query.types).expect("names serialise");
    let mut params = vec![
        Value::Integer(query.organisation_id),
        Value::Integer(query.after),
        Value::from(types),
        Value::Integer(query.limit + 1),
    ];
    let statement = match query.customer_number {
        Some(n) => {
            params.push(Value::Integer(n));
            CUSTOMER_PAGE
        }
        None => PAGE,
    };
    let rows = db.execute(statement, &params).await?;
    let mut events: Vec<Event> = rows.iter().map(Event::from_row).collect::<Result<_, _>>()?;
    let more = events.len() as i64 > query.limit;
    events.truncate(usize::try_from(query.limit).unwrap_or(usize::MAX)); // 32-bit usize in wasm
    Ok((events, more))
}

/// Deletes at most `batch` events older than `retention_days` before `now`, oldest first, and
/// returns how many. Reads at most `batch` rows of the table's start (ids grow with time), so
/// a call costs the same with 10 or 10 million young events behind them.
pub async fn expire(db: &impl Db, now: Timestamp, retention_days: i64, batch: i64) -> Result<i64, DbError> {
    let cutoff = Timestamp(now.0 - retention_days.max(0) * 86_400_000).rfc3339();
    let rows = db
        .execute(
            "DELETE FROM customer_event
          WHERE id IN (SELECT id FROM customer_event ORDER BY id LIMIT ?2) AND occurred_at < ?1
         RETURNING 1",
            &[Value::from(cutoff), Value::Integer(batch)],
        )
        .await?;
    Ok(rows.rows.len() as i64)
}

/// Whether events older than the retention are due: a look at the oldest row only.
pub async fn expire_due(db: &impl Db, now: Timestamp, retention_days: i64) -> Result<bool, DbError> {
    let cutoff = Timestamp(now.0 - retention_days.max(0) * 86_400_000).rfc3339();
    let rows = db
        .execute(
            "SELECT EXISTS (SELECT 1 FROM (SELECT occurred_at FROM customer_event ORDER BY id LIMIT 1)
                         WHERE occurred_at < ?1) AS due",
            &[Value::from(cutoff)],
        )
        .await?;
    Ok(rows.first().map(|r| r.int("due")).transpose()? == Some(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Actor;
    use crate::connection::Transactions;
    use crate::profile::{self, Changed, CreateProfileBody, ProfileFields};
    use crate::subresource::testing::{customer, plan};
    use crate::test_db::{BlockOn, TestDb};

    const ORG: i64 = 1001;
    const NOW: Timestamp = Timestamp(1_795_846_663_123); // 2026-11-28T06:17:43.123Z

    fn audit(db: &TestDb, org: i64, n: i64, action: &str, fields: &str) -> Result<(), DbError> {
        db.execute(
            "INSERT INTO audit_event (organisation_id, customer_number, action, changed_fields, client_id, at)
             VALUES (?1, ?2, ?3, ?4, 'partner-a', ?5)",
            &[Value::Integer(org), Value::Integer(n), Value::from(action), Value::from(fields), Value::from(NOW.rfc3339())],
        )
        .block_on()
        .map(|_| ())
    }

    /// Gives (true) or withdraws (false) consent `consent` for customer `n` through the
    /// consents module, or deletes the given consent (None).
    fn choose(db: &TestDb, n: i64, consent: i64, choice: Option<bool>) {
        use crate::consent::given::{
            self,
            tests::{give, who},
        };
        match choice {
            Some(choice) => drop(give(db, n, consent, choice, NOW).unwrap()),
            None => {
                let found = given::find_for_consent(db, ORG, n, consent).block_on().unwrap().unwrap();
                db.transaction(async |tx| given::delete(tx, &who(NOW), &found).await).block_on().unwrap();
            }
        }
    }

    fn all(types: &[(&'static str, Kind)]) -> Vec<&'static str> {
        types.iter().map(|(name, _)| *name).collect()
    }

    fn query(after: i64, limit: i64) -> Query {
        Query { organisation_id: ORG, after, limit, types: all(TYPES), customer_number: None }
    }

    fn types_of(events: &[Event]) -> Vec<&str> {
        events.iter().map(|e| e.event_type.as_str()).collect()
    }

    fn count(db: &TestDb) -> i64 {
        db.execute("SELECT count(*) AS n FROM customer_event", &[])
            .block_on()
            .unwrap()
            .first()
            .unwrap()
            .int("n")
            .unwrap()
    }

    #[test]
    fn every_audit_action_about_a_customer_becomes_its_event() {
        let db = TestDb::new();
        let n = customer(&db, ORG);
        let actions = [
            ("UPDATED", "profile.updated"),
            ("PASSWORD_CHANGED", "profile.updated"),
            ("DEACTIVATED", "profile.deactivated"),
            ("ERASED", "profile.erased"),
            ("PURGED", "profile.expired"),
            ("CONVERTED", "temporary.converted"),
            ("POSTAL_ADDRESS_ADDED", "address.created"),
            ("POSTAL_ADDRESS_CHANGED", "address.updated"),
            ("POSTAL_ADDRESS_REMOVED", "address.deleted"),
            ("PREFERENCE_ADDED", "preference.created"),
            ("PREFERENCE_CHANGED", "preference.updated"),
            ("PREFERENCE_REMOVED", "preference.deleted"),
            ("ECARD_ADDED", "ecard.created"),
            ("ECARD_REMOVED", "ecard.deleted"),
            ("LOYALTY_PROGRAM_JOINED", "loyalty.created"),
            ("LOYALTY_TRANSACTION_ADDED", "loyalty.updated"),
            ("LOYALTY_PROGRAM_LEFT", "loyalty.deleted"),
        ];
        for (action, _) in actions {
            audit(&db, ORG, n, action, r#"["city"]"#).unwrap();
        }
        let (events, more) = page(&db, &query(0, 1000)).block_on().unwrap();
        let expected: Vec<&str> = actions.iter().map(|(_, t)| *t).collect();
        assert_eq!((types_of(&events), more), (expected, false));
        let first = &events[0];
        assert_eq!(first.customer_number, n);
        assert_eq!(first.fields.as_deref(), Some(&["city".to_owned()][..]));
        assert_eq!(
            (first.client_id.as_deref(), first.occurred_at.as_str()),
            (Some("partner-a"), "2026-11-28T06:17:43.123Z")
        );
        for event in &events {
            assert!(kind_of(&event.event_type).is_some(), "{} is in TYPES", event.event_type);
        }
    }

    #[test]
    fn an_audit_action_the_feed_does_not_know_fails_the_write() {
        let db = TestDb::new();
        let n = customer(&db, ORG);
        assert!(audit(&db, ORG, n, "SOMETHING_NEW", "[]").is_err());
        let trail = db.execute("SELECT count(*) AS n FROM audit_event", &[]).block_on().unwrap();
        assert_eq!(trail.first().unwrap().int("n").unwrap(), 0, "neither the entry nor its event");
    }

    #[test]
    fn catalogue_entries_and_the_connected_side_of_a_merge_make_no_event() {
        let db = TestDb::new();
        let n = customer(&db, ORG);
        audit(&db, ORG, 0, "PREFERENCE_DEFINITION_ADDED", "[]").unwrap();
        audit(&db, ORG, 0, "LOYALTY_PROGRAM_ADDED", "[]").unwrap();
        audit(&db, ORG, n, "CONNECTED", r#"["customerNumberToConnect"]"#).unwrap();
        assert_eq!(count(&db), 0);
    }

    #[test]
    fn a_merge_is_one_event_on_the_profile_merged_into_from_the_one_merged() {
        let db = TestDb::new();
        let actor = Actor { organisation_id: ORG, client_id: Some("partner-a") };
        let (from, into) = (customer(&db, ORG), customer(&db, ORG));
        let changed = Changed { actor: &actor, changed_by: "agent", channel: "WEB", now: NOW };
        let source = profile::find_permanent(&db, ORG, profile::CustomerNumber(from), NOW)
            .block_on()
            .unwrap()
            .unwrap();
        let target = profile::find_permanent(&db, ORG, profile::CustomerNumber(into), NOW)
            .block_on()
            .unwrap()
            .unwrap();
        db.transaction(async |tx| profile::mark_merged(tx, &source, &target, &changed).await)
            .block_on()
            .unwrap();
        let (events, _) = page(&db, &query(0, 10)).block_on().unwrap();
        assert_eq!(types_of(&events), ["profile.merged"]);
        assert_eq!((events[0].customer_number, events[0].from_customer_number), (into, Some(from)));
        assert_eq!(
            (events[0].changed_by.as_deref(), events[0].channel.as_deref()),
            (Some("agent"), Some("WEB"))
        );
    }

    #[test]
    fn consent_choices_are_given_or_withdrawn_and_a_deleted_one_is_withdrawn() {
        let db = TestDb::new();
        let (consent, n) = crate::consent::given::tests::active_consent_and_customer(&db);
        choose(&db, n, consent, Some(true));
        choose(&db, n, consent, Some(false));
        choose(&db, n, consent, None);
        let (events, _) = page(&db, &query(0, 10)).block_on().unwrap();
        assert_eq!(types_of(&events), ["consent.given", "consent.withdrawn", "consent.withdrawn"]);
        let choices: Vec<Option<bool>> = events.iter().map(|e| e.choice).collect();
        assert_eq!(choices, [Some(true), Some(false), None]);
        assert_eq!(
            (events[0].consent_id, events[0].consent_code.as_deref()),
            (Some(consent), Some("ENT_INFO"))
        );
        assert_eq!(
            (events[0].client_id.as_deref(), events[0].channel.as_deref()),
            (Some("partner-a"), Some("WEB"))
        );
        let shown = serde_json::to_value(&events[2]).unwrap();
        assert_eq!(shown["type"], "consent.withdrawn");
        assert!(shown.get("choice").is_none() && shown.get("fields").is_none(), "{shown}");
    }

    #[test]
    fn pages_follow_the_cursor_and_show_only_the_organisation_the_types_and_the_customer_asked_for() {
        let db = TestDb::new();
        let (consent, b) = crate::consent::given::tests::active_consent_and_customer(&db);
        let (a, theirs) = (customer(&db, ORG), customer(&db, 2002));
        audit(&db, ORG, a, "UPDATED", "[]").unwrap();
        audit(&db, 2002, theirs, "UPDATED", "[]").unwrap();
        choose(&db, b, consent, Some(true));
        audit(&db, ORG, b, "ERASED", "[]").unwrap();
        let (first, more) = page(&db, &query(0, 2)).block_on().unwrap();
        assert_eq!((types_of(&first), more), (vec!["profile.updated", "consent.given"], true));
        let (rest, more) = page(&db, &query(first[1].id, 2)).block_on().unwrap();
        assert_eq!((types_of(&rest), more), (vec!["profile.erased"], false));
        let (none, _) = page(&db, &query(rest[0].id, 2)).block_on().unwrap();
        assert!(none.is_empty(), "caught up");
        let erased = Query { types: vec!["profile.erased", "consent.given"], ..query(0, 10) };
        assert_eq!(types_of(&page(&db, &erased).block_on().unwrap().0), ["consent.given", "profile.erased"]);
        let of_a = Query { customer_number: Some(a), ..query(0, 10) };
        assert_eq!(
            page(&db, &of_a).block_on().unwrap().0.iter().map(|e| e.customer_number).collect::<Vec<_>>(),
            [a]
        );
        let of_theirs = Query { customer_number: Some(theirs), ..query(0, 10) };
        assert!(page(&db, &of_theirs).block_on().unwrap().0.is_empty(), "another organisation's customer");
    }

    #[test]
    fn a_page_is_one_range_of_an_index_with_or_without_filters() {
        let db = TestDb::new();
        for (sql, index) in [(PAGE, "customer_event_feed"), (CUSTOMER_PAGE, "customer_event_customer")] {
            let steps = plan(&db, sql);
            // The only scan is of the types' JSON list, read once into a list (LIST SUBQUERY).
            assert!(
                steps.lines().filter(|s| s.starts_with("SCAN ")).all(|s| s.starts_with("SCAN json_each")),
                "{steps}"
            );
            let search = steps.lines().find(|s| s.contains("customer_event")).unwrap();
            assert!(
                search.starts_with("SEARCH customer_event USING INDEX") && search.contains(index),
                "{steps}"
            );
            assert!(search.contains("id>?"), "the cursor bounds the range: {steps}");
            assert!(!steps.contains("TEMP B-TREE"), "no sort: {steps}");
        }
    }

    #[test]
    fn retention_deletes_old_events_oldest_first_in_bounded_batches() {
        let db = TestDb::new();
        let n = customer(&db, ORG);
        for day in [40, 39, 38, 1] {
            let at = Timestamp(NOW.0 - day * 86_400_000).rfc3339();
            db.execute(
                "INSERT INTO audit_event (organisation_id, customer_number, action, at) VALUES (?1, ?2, 'UPDATED', ?3)",
                &[Value::Integer(ORG), Value::Integer(n), Value::from(at)],
            )
            .block_on()
            .unwrap();
        }
        assert!(expire_due(&db, NOW, 35).block_on().unwrap());
        assert_eq!(expire(&db, NOW, 35, 2).block_on().unwrap(), 2);
        assert_eq!(expire(&db, NOW, 35, 2).block_on().unwrap(), 1, "the young one stays");
        assert_eq!(expire(&db, NOW, 35, 2).block_on().unwrap(), 0);
        assert!(!expire_due(&db, NOW, 35).block_on().unwrap());
        assert_eq!(count(&db), 1);
        let steps = plan(&db, "DELETE FROM customer_event WHERE id IN (SELECT id FROM customer_event ORDER BY id LIMIT ?2) AND occurred_at < ?1");
        assert!(!steps.contains("TEMP B-TREE"), "{steps}");
    }

    #[test]
    fn ids_are_never_reused_after_the_newest_events_are_deleted() {
        let db = TestDb::new();
        let n = customer(&db, ORG);
        audit(&db, ORG, n, "UPDATED", "[]").unwrap();
        let (events, _) = page(&db, &query(0, 10)).block_on().unwrap();
        db.execute("DELETE FROM customer_event", &[]).block_on().unwrap();
        audit(&db, ORG, n, "UPDATED", "[]").unwrap();
        let (again, _) = page(&db, &query(0, 10)).block_on().unwrap();
        assert!(again[0].id > events[0].id, "a cursor at the old id still sees the new event");
    }

    /// A write that fails halfway: the first update of the transaction succeeds (its audit
    /// entry and event written), the second violates the unique email index. Neither change
    /// nor any event remains; and a write that succeeds leaves both.
    #[test]
    fn a_write_that_fails_after_its_first_statement_leaves_no_event_and_no_change() {
        let db = TestDb::new();
        let actor = Actor { organisation_id: ORG, client_id: Some("partner-a") };
        let created = |email: &str, uuid: &str| {
            let body = CreateProfileBody {
                first_name: Some("Kari".into()),
                surname: Some("Nordmann".into()),
                email: Some(email.into()),
                created_by: Some("test".into()),
                created_by_channel: Some("WEB".into()),
                ..Default::default()
            };
            let new = profile::new_profile(body, ORG, NOW).unwrap();
            profile::create(&db, &actor, &new, None, uuid, NOW).block_on().unwrap()
        };
        let (a, b) = (created("a@example.no", "u1"), created("b@example.no", "u2"));
        let before = count(&db);
        assert_eq!(before, 2, "each create wrote its event");
        let changed = Changed { actor: &actor, changed_by: "agent", channel: "WEB", now: NOW };
        let with_email = |p: &profile::Profile, email: &str| ProfileFields {
            customer_ref: Some(p.customer_ref.clone()),
            first_name: p.first_name.clone(),
            surname: p.surname.clone(),
            email: Some(profile::values::Email::parse(email).unwrap()),
            ..Default::default()
        };
        let failed = db
            .transaction(async |tx| {
                profile::update(tx, &a, &with_email(&a, "new@example.no"), None, &changed).await?;
                profile::update(tx, &b, &with_email(&b, "new@example.no"), None, &changed).await
            })
            .block_on();
        assert_eq!(failed.unwrap_err().error_code(), "DUPLICATE_EMAIL");
        assert_eq!(count(&db), before, "no event of the rolled-back update");
        let kept = profile::find_permanent(&db, ORG, a.customer_number, NOW).block_on().unwrap().unwrap();
        assert_eq!(kept.email.as_deref(), Some("a@example.no"), "no change either");
        db.transaction(async |tx| {
            profile::update(tx, &a, &with_email(&a, "new@example.no"), None, &changed).await
        })
        .block_on()
        .unwrap();
        let (events, _) = page(&db, &query(0, 10)).block_on().unwrap();
        assert_eq!(types_of(&events), ["profile.created", "profile.created", "profile.updated"]);
        assert_eq!(events[2].fields.as_deref(), Some(&["email".to_owned()][..]));
    }
}
