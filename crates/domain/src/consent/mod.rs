//! Consents (contract §6): consent bases (the legal terms, versioned), consents (an
//! organisation offering one version for a period, with a state derived from the clock),
//! given consents (a customer's choice) with their immutable history (proof of consent,
//! GDPR Art. 7(1)), the CRM listing, the legacy v1 view, and the hooks the profile
//! component calls: [`export`] (GDPR access) and [`move_to`] (merging two profiles).

pub mod base;
pub mod crm;
pub mod given;
pub mod offer;
pub mod query;
pub mod sql;
pub mod values;
pub mod view;

use crate::db::{Db, DbError, Value};
use crate::profile::{self, CustomerNumber};
use crate::time::Timestamp;
use given::GivenConsent;
use offer::Consent;
use serde_json::json;
use view::{GivenConsentView, HistoryView};

/// The customer a consent request names: a profile of either kind (temporary ones included)
/// visible in the organisation; a merged (`P`) profile leads to the profile it was merged
/// into, as reads of profiles do (contract §3), so no choice is ever recorded on a profile
/// that is only a pointer. `None`: answer 404.
pub async fn customer(
    db: &impl Db,
    organisation_id: i64,
    number: CustomerNumber,
    now: Timestamp,
) -> Result<Option<CustomerNumber>, DbError> {
    let Some(found) = profile::find_any(db, organisation_id, number, now).await? else { return Ok(None) };
    Ok(profile::resolve_merged(db, organisation_id, found, now).await?.map(|p| p.customer_number))
}

/// A customer's given consents and their whole history, for the profile's GDPR export
/// (contract §3 `GET /profiles/{customerNumber}/export`):
/// `{"givenConsents": [GivenConsent…], "history": [GivenConsentHistoryEntry…]}`, each list
/// oldest first, in the shapes the consent endpoints serve. The caller has found the profile
/// in `organisation_id`; nothing of another organisation is ever included.
pub async fn export(
    db: &impl Db,
    organisation_id: i64,
    customer_number: i64,
) -> Result<serde_json::Value, DbError> {
    let given = given::list_for_customer(db, organisation_id, customer_number).await?;
    let history = given::history(db, organisation_id, customer_number).await?;
    Ok(json!({
        "givenConsents": given.iter().map(GivenConsentView::from).collect::<Vec<_>>(),
        "history": history.iter().map(HistoryView::from).collect::<Vec<_>>(),
    }))
}

/// Moves profile `from`'s given consents to profile `to` when `from` is merged into `to`
/// (contract §3 `connect`), both of `organisation_id`. Call inside the merge's transaction.
///
/// - A consent only `from` has a choice for moves over as it is (same id, same times; its
///   version goes up, so an `If-Match` read before the merge no longer matches).
/// - A consent both have a choice for keeps the most recently changed one (`to`'s on a tie);
///   the other is dropped.
/// - `from`'s history moves along whole, including the entries of a dropped choice, so `to`'s
///   history is the full proof of every choice now attached to it. No history entry is added:
///   the merge changes no one's choice, and the profile's own audit trail records the merge.
pub async fn move_to(db: &impl Db, organisation_id: i64, from: i64, to: i64) -> Result<(), DbError> {
    let params = [Value::Integer(organisation_id), Value::Integer(from), Value::Integer(to)];
    for statement in
        [sql::MERGE_DROP_OLDER_FROM, sql::MERGE_DROP_OLDER_TO, sql::MERGE_MOVE_GIVEN, sql::MERGE_MOVE_HISTORY]
    {
        db.execute(statement, &params).await?;
    }
    Ok(())
}

/// The legacy v1 view (contract §6, §8): one line per consent code, for the organisation's
/// consent of that code that is active now. A choice for a consent that is no longer (or not
/// yet) active does not show: v1 knows one consent per code.
pub mod legacy {
    use super::*;
    use serde::Deserialize;

    /// The body of `PUT …/v1/{customerNumber}/{consentCode}`.
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[cfg_attr(
        feature = "openapi",
        derive(schemars::JsonSchema),
        schemars(rename = "LegacyConsentRequest", description = "")
    )]
    pub struct LegacyBody {
        #[cfg_attr(feature = "openapi", schemars(with = "bool"))]
        pub consent_choice: Option<bool>,
    }

    /// The customer's choices for the organisation's active consents, by consent code.
    pub async fn list(
        db: &impl Db,
        organisation_id: i64,
        customer_number: i64,
        now: Timestamp,
    ) -> Result<Vec<(Consent, GivenConsent)>, DbError> {
        let mut lines = Vec::new();
        for choice in given::list_for_customer(db, organisation_id, customer_number).await? {
            match offer::find(db, organisation_id, choice.consent_id).await? {
                Some(consent) if consent.state(now) == offer::ConsentState::Active => {
                    lines.push((consent, choice))
                }
                _ => {}
            }
        }
        lines.sort_by(|a, b| a.0.consent_code.cmp(&b.0.consent_code));
        Ok(lines)
    }

    /// The organisation's active consent of `code` and the customer's choice for it, if any.
    pub async fn find(
        db: &impl Db,
        organisation_id: i64,
        customer_number: i64,
        code: &str,
        now: Timestamp,
    ) -> Result<Option<(Consent, Option<GivenConsent>)>, DbError> {
        let Some(consent) = offer::find_active_by_code(db, organisation_id, code, now).await? else {
            return Ok(None);
        };
        let choice = given::find_for_consent(db, organisation_id, customer_number, consent.id).await?;
        Ok(Some((consent, choice)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection::Transactions;
    use crate::consent::given::tests::{active_consent_and_customer, customer, give};
    use crate::consent::offer::tests::{base_with_versions, create, spec, NOW, ORG};
    use crate::test_db::{BlockOn, TestDb};

    fn plan(db: &TestDb, sql: &str, params: &[Value]) -> String {
        let rows = db.execute(&format!("EXPLAIN QUERY PLAN {sql}"), params).block_on().unwrap();
        rows.iter().map(|r| r.text("detail").unwrap()).collect::<Vec<_>>().join(" | ")
    }

    #[test]
    fn making_codes_unique_per_organisation_keeps_every_base_text_consent_and_choice() {
        let db = TestDb::empty();
        crate::migrations::apply_up_to(&db, 7).block_on();
        for statement in [
            "INSERT INTO customer (customer_number, organisation_id, uuid, customer_ref, created_at, created_by,
                 created_by_channel, changed_at, changed_by, changed_by_channel)
             VALUES (7, 1001, 'u7', '7', 't', 'x', 'WEB', 't', 'x', 'WEB')",
            "INSERT INTO consent_base (consent_code, owner_org_id, latest_version, created_at, changed_at)
             VALUES ('NEWSLETTER', 1001, 2, 't', 't'), ('SHARED', NULL, 1, 't', 't')",
            "INSERT INTO consent_base_version (consent_code, version, created_at)
             VALUES ('NEWSLETTER', 1, 't'), ('NEWSLETTER', 2, 't'), ('SHARED', 1, 't')",
            "INSERT INTO consent_term (consent_code, version, language, text, added_at)
             VALUES ('NEWSLETTER', 1, 'EN', 'v1', 't'), ('NEWSLETTER', 2, 'EN', 'v2', 't'), ('SHARED', 1, 'NO', 'Ja', 't')",
            "INSERT INTO consent (id, organisation_id, consent_code, consent_base_version, valid_from, created_at, changed_at)
             VALUES (3, 1001, 'NEWSLETTER', 1, '2020-01-01T00:00:00.000Z', 't', 't'),
                    (8, 2002, 'SHARED', 1, '2020-01-01T00:00:00.000Z', 't', 't')",
            "INSERT INTO given_consent (id, organisation_id, customer_number, consent_id, consent_choice, created_by_org_id,
                 created_at, changed_at) VALUES (5, 1001, 7, 3, 1, 1001, 't', 't')",
            "INSERT INTO given_consent_history (organisation_id, customer_number, given_consent_id, consent_id,
                 consent_code, consent_base_version, action, consent_choice, changed_by_org_id, api, at)
             VALUES (1001, 7, 5, 3, 'NEWSLETTER', 1, 'GIVEN', 1, 1001, 'v2', 't')",
        ] {
            db.execute(statement, &[]).block_on().unwrap();
        }
        crate::migrations::ensure_schema(&db).block_on().unwrap();

        let newsletter = base::find(&db, 1001, "NEWSLETTER", None).block_on().unwrap().unwrap();
        assert_eq!((newsletter.latest_version, newsletter.terms[0].text.as_str()), (2, "v2"));
        assert_eq!(
            base::find(&db, 1001, "NEWSLETTER", Some(1)).block_on().unwrap().unwrap().terms[0].text,
            "v1"
        );
        assert_eq!(base::find(&db, 2002, "SHARED", None).block_on().unwrap().unwrap().terms[0].text, "Ja");
        let consent = offer::find(&db, 1001, 3).block_on().unwrap().unwrap();
        assert_eq!((consent.consent_code.as_str(), consent.consent_base_version), ("NEWSLETTER", 1));
        let choices = given::list_for_customer(&db, 1001, 7).block_on().unwrap();
        assert_eq!(choices.iter().map(|g| (g.id, g.consent_id)).collect::<Vec<_>>(), [(5, 3)]);
        assert_eq!(given::history(&db, 1001, 7).block_on().unwrap().len(), 1);
        assert!(db.execute("PRAGMA foreign_key_check", &[]).block_on().unwrap().rows.is_empty());
        let leftovers =
            db.execute("SELECT name FROM sqlite_master WHERE name LIKE 'old_%'", &[]).block_on().unwrap();
        assert!(leftovers.rows.is_empty(), "the copies are gone");
        // The next consent's id continues after the highest one there was.
        let rows = db
            .execute(
                sql::CONSENT_INSERT,
                &[
                    1001.into(),
                    "NEWSLETTER".into(),
                    2.into(),
                    0.into(),
                    0.into(),
                    Value::Null,
                    Value::Null,
                    "t".into(),
                    Value::Integer(newsletter.id),
                ],
            )
            .block_on()
            .unwrap();
        assert_eq!(rows.first().unwrap().int("id").unwrap(), 9);
    }

    #[test]
    fn every_lookup_path_uses_an_index() {
        let db = TestDb::new();
        let one = Value::Integer(1);
        let text = Value::from("C");
        let null = Value::Null;
        let cases: Vec<(&str, Vec<Value>, &str)> = vec![
            (
                sql::BASE_FIND,
                vec![one.clone(), text.clone()],
                "consent_base_code (owner_org_id=? AND consent_code=?)",
            ),
            (sql::BASE_LIST, vec![one.clone()], "consent_base_code (owner_org_id=?)"),
            (sql::TERMS_OF_VERSION, vec![one.clone(), one.clone()], "PRIMARY KEY (base_id=? AND version=?)"),
            (
                sql::VERSION_FIND,
                vec![one.clone(), text.clone(), one.clone()],
                "COVERING INDEX consent_base_code (owner_org_id=? AND consent_code=?)",
            ),
            (sql::LATEST_TERMS, vec![one.clone()], "SEARCH t USING PRIMARY KEY (base_id=? AND version=?)"),
            (sql::CONSENT_FIND, vec![one.clone(), one.clone()], "INTEGER PRIMARY KEY (rowid=?)"),
            (
                sql::CONSENT_OVERLAP,
                vec![one.clone(), text.clone(), one.clone(), text.clone(), null.clone()],
                "consent_code_period (organisation_id=? AND consent_code=?",
            ),
            (
                sql::CONSENT_ACTIVE_BY_CODE,
                vec![one.clone(), text.clone(), text.clone()],
                "consent_code_period (organisation_id=? AND consent_code=?",
            ),
            (
                sql::CONSENT_LIST,
                vec![
                    one.clone(),
                    null.clone(),
                    null.clone(),
                    one.clone(),
                    one.clone(),
                    one.clone(),
                    text.clone(),
                ],
                "consent_code_period (organisation_id=?)",
            ),
            (
                sql::GIVEN_FIND,
                vec![one.clone(), one.clone(), text.clone()],
                "SEARCH g USING INTEGER PRIMARY KEY (rowid=?)",
            ),
            (
                sql::GIVEN_BY_CUSTOMER,
                vec![one.clone(), one.clone()],
                "given_consent_per_customer (customer_number=?)",
            ),
            (
                sql::GIVEN_BY_CUSTOMER_AND_CONSENT,
                vec![one.clone(), one.clone(), one.clone()],
                "given_consent_per_customer (customer_number=? AND consent_id=?)",
            ),
            (
                sql::HISTORY_BY_CUSTOMER,
                vec![one.clone(), one.clone()],
                "given_consent_history_customer (customer_number=?)",
            ),
            (
                sql::CRM_PAGE,
                vec![one.clone(), one.clone(), null.clone(), text.clone(), one.clone()],
                "given_consent_organisation (organisation_id=? AND rowid>?)",
            ),
            (sql::GIVEN_DELETE, vec![one.clone(), one.clone()], "INTEGER PRIMARY KEY (rowid=?)"),
            (
                sql::MERGE_DROP_OLDER_FROM,
                vec![one.clone(); 3],
                "given_consent_per_customer (customer_number=?)",
            ),
            (sql::MERGE_DROP_OLDER_TO, vec![one.clone(); 3], "given_consent_per_customer (customer_number=?"),
            (sql::MERGE_MOVE_GIVEN, vec![one.clone(); 3], "given_consent_per_customer (customer_number=?)"),
            (
                sql::MERGE_MOVE_HISTORY,
                vec![one.clone(); 3],
                "given_consent_history_customer (customer_number=?)",
            ),
        ];
        for (sql, params, index) in cases {
            let plan = plan(&db, sql, &params);
            assert!(plan.contains(index), "expected {index} in the plan of {sql}: {plan}");
            let scans_a_table =
                plan.split(" | ").any(|step| step.starts_with("SCAN ") && !step.contains("json_each"));
            assert!(!scans_a_table, "{sql} scans a table: {plan}");
        }
        // Deleting a customer finds its consent rows by index (the cascade).
        let cascade = plan(
            &db,
            "DELETE FROM given_consent_history WHERE customer_number = ?1",
            std::slice::from_ref(&one),
        );
        assert!(cascade.contains("given_consent_history_customer"), "{cascade}");
        let cascade = plan(&db, "DELETE FROM given_consent WHERE customer_number = ?1", &[one]);
        assert!(cascade.contains("given_consent_per_customer"), "{cascade}");
    }

    #[test]
    fn the_export_holds_the_customers_choices_and_history_only() {
        let db = TestDb::new();
        let (consent, kari) = active_consent_and_customer(&db);
        let ola = customer(&db, ORG, None);
        give(&db, kari, consent, true, NOW).unwrap();
        give(&db, kari, consent, false, NOW).unwrap();
        give(&db, ola, consent, true, NOW).unwrap();
        let exported = export(&db, ORG, kari).block_on().unwrap();
        assert_eq!(exported["givenConsents"].as_array().unwrap().len(), 1);
        assert_eq!(exported["givenConsents"][0]["consentChoice"], false);
        let actions: Vec<&str> =
            exported["history"].as_array().unwrap().iter().map(|h| h["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["GIVEN", "CHANGED"]);
        assert_eq!(exported["history"][0]["consentCode"], "ENT_INFO");
        assert_eq!(export(&db, 2002, kari).block_on().unwrap(), json!({"givenConsents": [], "history": []}));
    }

    #[test]
    fn merging_keeps_the_most_recently_changed_choice_and_moves_the_history_along() {
        let db = TestDb::new();
        let (shared, from) = active_consent_and_customer(&db);
        base_with_versions(&db, "ONLY_FROM", 1);
        let only_from = create(&db, &spec("ONLY_FROM", Some(-1), None)).unwrap().id;
        base_with_versions(&db, "ONLY_TO", 1);
        let only_to = create(&db, &spec("ONLY_TO", Some(-1), None)).unwrap().id;
        base_with_versions(&db, "TO_NEWER", 1);
        let to_newer = create(&db, &spec("TO_NEWER", Some(-1), None)).unwrap().id;
        let to = customer(&db, ORG, None);
        let t = |ms: i64| Timestamp(NOW.0 + ms);
        give(&db, to, shared, false, t(1)).unwrap();
        give(&db, from, shared, true, t(2)).unwrap(); // from's is newer: it wins
        give(&db, from, to_newer, true, t(3)).unwrap();
        give(&db, to, to_newer, false, t(4)).unwrap(); // to's is newer: it stays
        let moved = give(&db, from, only_from, true, t(5)).unwrap();
        give(&db, to, only_to, true, t(6)).unwrap();
        db.transaction(async |tx| move_to(tx, ORG, from, to).await).block_on().unwrap();

        let after: Vec<(i64, bool)> = given::list_for_customer(&db, ORG, to)
            .block_on()
            .unwrap()
            .iter()
            .map(|g| (g.consent_id, g.consent_choice))
            .collect();
        let mut expected = vec![(shared, true), (to_newer, false), (only_from, true), (only_to, true)];
        expected.sort();
        let mut sorted = after.clone();
        sorted.sort();
        assert_eq!(sorted, expected);
        let moved_now = given::find(&db, ORG, moved.id, NOW).block_on().unwrap().unwrap();
        assert_eq!((moved_now.customer_number, moved_now.created_at), (to, moved.created_at));
        assert_eq!(given::list_for_customer(&db, ORG, from).block_on().unwrap(), []);
        assert_eq!(given::history(&db, ORG, from).block_on().unwrap(), []);
        assert_eq!(
            given::history(&db, ORG, to).block_on().unwrap().len(),
            6,
            "every entry of both is now to's"
        );
    }

    #[test]
    fn merging_touches_nothing_of_another_organisation() {
        let db = TestDb::new();
        let (consent, from) = active_consent_and_customer(&db);
        give(&db, from, consent, true, NOW).unwrap();
        let to = customer(&db, ORG, None);
        db.transaction(async |tx| move_to(tx, 2002, from, to).await).block_on().unwrap();
        assert_eq!(given::list_for_customer(&db, ORG, from).block_on().unwrap().len(), 1);
    }

    #[test]
    fn the_legacy_view_shows_choices_for_active_consents_by_code() {
        let db = TestDb::new();
        base_with_versions(&db, "OLD", 1);
        let ending = create(&db, &spec("OLD", Some(-2), Some(1))).unwrap();
        let (active, kari) = active_consent_and_customer(&db);
        give(&db, kari, ending.id, true, NOW).unwrap();
        give(&db, kari, active, true, NOW).unwrap();
        let codes = |now| -> Vec<String> {
            legacy::list(&db, ORG, kari, now)
                .block_on()
                .unwrap()
                .into_iter()
                .map(|(c, _)| c.consent_code)
                .collect()
        };
        assert_eq!(codes(NOW), ["ENT_INFO", "OLD"]);
        assert_eq!(codes(Timestamp(NOW.0 + 2 * 24 * 60 * 60 * 1000)), ["ENT_INFO"]);
        let (consent, choice) = legacy::find(&db, ORG, kari, "ENT_INFO", NOW).block_on().unwrap().unwrap();
        assert_eq!((consent.id, choice.map(|c| c.consent_choice)), (active, Some(true)));
        assert_eq!(legacy::find(&db, ORG, kari, "NONE", NOW).block_on().unwrap(), None);
    }
}
