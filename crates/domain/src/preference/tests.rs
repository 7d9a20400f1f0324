use super::sql::*;
use super::*;
use crate::audit::Actor;
use crate::connection::Transactions;
use crate::subresource::testing::{customer, plan, scans_a_table, ORG};
use crate::test_db::{BlockOn, TestDb};
use crate::time::Timestamp;
use errors::ApiError;
use serde_json::json;

const NOW: Timestamp = Timestamp(1_795_846_663_123);

fn actor() -> Actor<'static> {
    Actor { organisation_id: ORG, client_id: Some("partner-a") }
}

fn body(code: &str, kind: &str) -> DefinitionBody {
    DefinitionBody {
        preference_code: Some(code.into()),
        preference_type: Some(kind.into()),
        ..Default::default()
    }
}

fn define(db: &TestDb, code: &str, kind: &str) -> Definition {
    let new = new_definition(body(code, kind), ORG).unwrap();
    db.transaction(async |tx| add_definition(tx, &actor(), &new, NOW).await).block_on().unwrap()
}

fn set(db: &TestDb, n: i64, code: &str, value: serde_json::Value) -> Result<CustomerPreference, ApiError> {
    db.transaction(async |tx| {
        let definition = settable_definition(tx, ORG, code).await?;
        let stored = checked_value(&definition, ValueBody { value: Some(value) })?;
        let current = super::value(tx, ORG, n, code).await?;
        set_value(tx, &actor(), n, &definition, &stored, current.as_ref(), NOW).await
    })
    .block_on()
}

#[test]
fn booleans_take_true_or_false_only() {
    let t = PreferenceType::Boolean;
    assert_eq!(t.check(&json!(true)).unwrap(), "true");
    assert_eq!(t.check(&json!(" FALSE ")).unwrap(), "false");
    for bad in [json!(1), json!("yes"), json!(null), json!([true])] {
        assert_eq!(t.check(&bad).unwrap_err().code, "INVALID_PREFERENCE_VALUE", "{bad}");
    }
}

#[test]
fn numbers_are_kept_exactly_as_given() {
    let t = PreferenceType::Number;
    assert_eq!(t.check(&json!(42)).unwrap(), "42");
    assert_eq!(t.check(&json!(-1.5)).unwrap(), "-1.5");
    assert_eq!(t.check(&json!(" 7 ")).unwrap(), "7");
    assert_eq!(t.serve("-1.5"), json!(-1.5));
    for bad in [json!("seven"), json!(true), json!("")] {
        assert_eq!(t.check(&bad).unwrap_err().code, "INVALID_PREFERENCE_VALUE", "{bad}");
    }
}

#[test]
fn strings_are_trimmed_non_blank_and_at_most_500_characters() {
    let t = PreferenceType::Text;
    assert_eq!(t.check(&json!("  vindu  ")).unwrap(), "vindu");
    assert_eq!(t.check(&json!("   ")).unwrap_err().code, "REQUIRED");
    assert_eq!(t.check(&json!("x".repeat(501))).unwrap_err().code, "TOO_LONG");
    assert_eq!(t.check(&json!(5)).unwrap_err().code, "INVALID_PREFERENCE_VALUE");
}

#[test]
fn a_definition_needs_a_path_safe_code_and_a_known_type() {
    let errors = new_definition(body("has space", "COLOUR"), ORG).unwrap_err();
    let codes: Vec<_> = errors.entries().into_iter().map(|e| e.error_code).collect();
    assert_eq!(codes, ["INVALID_PREFERENCE_CODE", "INVALID_PREFERENCE_TYPE"]);
    let mismatched = DefinitionBody { organisation_id: Some(2002), ..body("SEAT", "STRING") };
    assert_eq!(new_definition(mismatched, ORG).unwrap_err().error_code(), "ORGANISATION_MISMATCH");
    let new = new_definition(body("SEAT", "string"), ORG).unwrap();
    assert_eq!((new.preference_type, new.is_active), (PreferenceType::Text, true));
}

#[test]
fn code_punctuation_is_what_the_check_allows_besides_letters_and_digits() {
    let allowed: String = (' '..='~')
        .filter(|c| !c.is_ascii_alphanumeric() && preference_code(&c.to_string()).is_ok())
        .collect();
    let mut documented: Vec<char> = CODE_PUNCTUATION.chars().collect();
    documented.sort_unstable();
    assert_eq!(allowed, documented.into_iter().collect::<String>());
    assert!(
        preference_code(&"a".repeat(CODE_MAX)).is_ok() && preference_code(&"a".repeat(CODE_MAX + 1)).is_err()
    );
}

#[test]
fn preference_codes_are_unique_per_organisation() {
    let db = TestDb::new();
    define(&db, "SEAT", "STRING");
    let again = new_definition(body("SEAT", "BOOLEAN"), ORG).unwrap();
    let error =
        db.transaction(async |tx| add_definition(tx, &actor(), &again, NOW).await).block_on().unwrap_err();
    assert_eq!(error.error_code(), "DUPLICATE_PREFERENCE_CODE");
    let other = Actor { organisation_id: 2002, client_id: None };
    db.transaction(async |tx| add_definition(tx, &other, &again, NOW).await).block_on().unwrap();
}

#[test]
fn a_value_is_checked_against_its_definitions_type_and_served_typed() {
    let db = TestDb::new();
    let n = customer(&db, ORG);
    define(&db, "NEWSLETTER", "BOOLEAN");
    assert_eq!(set(&db, n, "NEWSLETTER", json!("ja")).unwrap_err().status(), 400);
    let saved = set(&db, n, "NEWSLETTER", json!(true)).unwrap();
    assert_eq!((saved.value.clone(), saved.version), (json!(true), 1));
    let changed = set(&db, n, "NEWSLETTER", json!(false)).unwrap();
    assert_eq!((changed.value, changed.version), (json!(false), 2));
    assert_eq!(values(&db, ORG, n).block_on().unwrap().len(), 1);
}

#[test]
fn unknown_and_inactive_codes_take_no_values() {
    let db = TestDb::new();
    let n = customer(&db, ORG);
    assert_eq!(set(&db, n, "NOPE", json!(true)).unwrap_err().error_code(), "UNKNOWN_PREFERENCE_CODE");
    let inactive = DefinitionBody { is_active: Some(false), ..body("OLD", "BOOLEAN") };
    let new = new_definition(inactive, ORG).unwrap();
    db.transaction(async |tx| add_definition(tx, &actor(), &new, NOW).await).block_on().unwrap();
    assert_eq!(set(&db, n, "OLD", json!(true)).unwrap_err().error_code(), "PREFERENCE_INACTIVE");
    let foreign = Actor { organisation_id: 2002, client_id: None };
    let theirs = new_definition(body("THEIRS", "BOOLEAN"), 2002).unwrap();
    db.transaction(async |tx| add_definition(tx, &foreign, &theirs, NOW).await).block_on().unwrap();
    assert_eq!(set(&db, n, "THEIRS", json!(true)).unwrap_err().error_code(), "UNKNOWN_PREFERENCE_CODE");
}

#[test]
fn a_definition_in_use_can_neither_be_deleted_nor_change_its_type() {
    let db = TestDb::new();
    let n = customer(&db, ORG);
    let definition = define(&db, "SEAT", "STRING");
    set(&db, n, "SEAT", json!("window")).unwrap();
    let error = db
        .transaction(async |tx| remove_definition(tx, &actor(), &definition, NOW).await)
        .block_on()
        .unwrap_err();
    assert_eq!(error.error_code(), "PREFERENCE_IN_USE");
    let retyped = new_definition(body("SEAT", "BOOLEAN"), ORG).unwrap();
    let error = db
        .transaction(async |tx| replace_definition(tx, &actor(), &definition, &retyped, NOW).await)
        .block_on()
        .unwrap_err();
    assert_eq!(error.error_code(), "PREFERENCE_IN_USE");
    let retired =
        new_definition(DefinitionBody { is_active: Some(false), ..body("SEAT", "STRING") }, ORG).unwrap();
    let replaced = db
        .transaction(async |tx| replace_definition(tx, &actor(), &definition, &retired, NOW).await)
        .block_on()
        .unwrap();
    assert_eq!((replaced.is_active, replaced.version), (false, 2));
    assert_eq!(
        values(&db, ORG, n).block_on().unwrap()[0].value,
        json!("window"),
        "existing values stay readable"
    );
}

#[test]
fn an_unused_definition_is_deleted() {
    let db = TestDb::new();
    let definition = define(&db, "SEAT", "STRING");
    db.transaction(async |tx| remove_definition(tx, &actor(), &definition, NOW).await).block_on().unwrap();
    assert_eq!(super::definition(&db, ORG, definition.id).block_on().unwrap(), None);
}

#[test]
fn merging_keeps_the_targets_value_where_both_have_one() {
    let db = TestDb::new();
    let (from, to) = (customer(&db, ORG), customer(&db, ORG));
    define(&db, "SEAT", "STRING");
    define(&db, "NEWSLETTER", "BOOLEAN");
    set(&db, from, "SEAT", json!("aisle")).unwrap();
    set(&db, from, "NEWSLETTER", json!(true)).unwrap();
    set(&db, to, "SEAT", json!("window")).unwrap();
    move_to(&db, ORG, from, to).block_on().unwrap();
    assert!(values(&db, ORG, from).block_on().unwrap().is_empty());
    let merged = export(&db, ORG, to).block_on().unwrap();
    assert_eq!(merged[0]["preferenceCode"], "NEWSLETTER");
    assert_eq!(merged[0]["value"], true);
    assert_eq!(merged[1]["value"], "window");
}

#[test]
fn erasing_the_customer_erases_the_values() {
    let db = TestDb::new();
    let n = customer(&db, ORG);
    define(&db, "SEAT", "STRING");
    set(&db, n, "SEAT", json!("aisle")).unwrap();
    db.execute("DELETE FROM customer WHERE customer_number = ?1", &[Value::Integer(n)]).block_on().unwrap();
    assert_eq!(db.execute("SELECT * FROM customer_preference", &[]).block_on().unwrap().rows.len(), 0);
}

#[test]
fn every_lookup_uses_an_index() {
    let db = TestDb::new();
    for sql in [DEFINITIONS, DEFINITION_BY_CODE] {
        assert!(plan(&db, sql).contains("preference_definition_code_unique"), "{}", plan(&db, sql));
    }
    assert!(plan(&db, DEFINITION).contains("INTEGER PRIMARY KEY"), "{}", plan(&db, DEFINITION));
    assert!(!plan(&db, DEFINITIONS).contains("TEMP B-TREE"), "the index gives the order");
    assert!(plan(&db, DEFINITION_IN_USE).contains("customer_preference_definition"));
    let cascades = [
        "DELETE FROM customer_preference WHERE customer_number = ?1",
        "SELECT 1 FROM customer_preference WHERE preference_id = ?1",
    ];
    for sql in [VALUES, VALUE, UPSERT_VALUE, DELETE_VALUE, MOVE_VALUES, DROP_VALUES, DEFINITION_IN_USE]
        .into_iter()
        .chain(cascades)
    {
        assert!(!scans_a_table(&db, sql), "{sql}\n{}", plan(&db, sql));
    }
}
