use super::sql::*;
use super::*;
use crate::profile::Actor;
use crate::subresource::testing::{customer, plan, scans_a_table, ORG};
use crate::test_db::{BlockOn, TestDb};
use crate::time::{parse_date, Timestamp};
use errors::ApiError;

/// 2026-11-28T06:17:43.123Z
const NOW: Timestamp = Timestamp(1_795_846_663_123);

fn actor() -> Actor<'static> {
    Actor { organisation_id: ORG, client_id: Some("partner-a") }
}

fn body(kind: &str, from: &str, to: Option<&str>) -> ProgramBody {
    ProgramBody {
        name: Some("Bonus".into()),
        program_type: Some(kind.into()),
        valid_from: Some(from.into()),
        valid_to: to.map(Into::into),
        ..Default::default()
    }
}

fn add(db: &TestDb, kind: &str) -> Program {
    let new = new_program(body(kind, "2026-01-01", None), ORG).unwrap();
    db.transaction(async |tx| add_program(tx, &actor(), &new, NOW).await).block_on().unwrap()
}

fn join_program(db: &TestDb, n: i64, program_id: i64) -> Result<Membership, ApiError> {
    db.transaction(async |tx| join(tx, &actor(), n, JoinBody { program_id: Some(program_id) }, NOW).await)
        .block_on()
}

fn apply(db: &TestDb, n: i64, membership_id: i64, amount: i64) -> Result<Transaction, ApiError> {
    db.transaction(async |tx| {
        let m = membership(tx, ORG, n, membership_id).await?.ok_or(ApiError::NotFound)?;
        transact(tx, &actor(), n, &m, &NewTransaction { amount, reference: None }, NOW).await
    })
    .block_on()
}

#[test]
fn a_program_needs_a_name_a_known_type_and_a_start() {
    let error = new_program(ProgramBody::default(), ORG).unwrap_err();
    let fields: Vec<_> = error.entries().into_iter().map(|e| e.field.unwrap()).collect();
    assert_eq!(fields, ["name", "type", "validFrom"]);
    let error = new_program(body("MILES", "2026-01-01", None), ORG).unwrap_err();
    assert_eq!(error.entries()[0].error_code, "INVALID_PROGRAM_TYPE");
    let mismatch = ProgramBody { organisation_id: Some(2002), ..body("POINTS", "2026-01-01", None) };
    assert_eq!(new_program(mismatch, ORG).unwrap_err().error_code(), "ORGANISATION_MISMATCH");
}

#[test]
fn a_program_cannot_end_before_it_starts() {
    let error = new_program(body("POINTS", "2026-02-01", Some("2026-01-31")), ORG).unwrap_err();
    assert_eq!(error.entries()[0].error_code, "INVALID_VALIDITY_PERIOD");
    assert!(new_program(body("POINTS", "2026-02-01", Some("2026-02-01")), ORG).is_ok(), "one day is fine");
}

#[test]
fn validity_is_inclusive_at_both_ends() {
    let day = |d: &str| parse_date(d).unwrap();
    assert!(valid_on("2026-01-01", Some("2026-01-31"), day("2026-01-01")));
    assert!(valid_on("2026-01-01", Some("2026-01-31"), day("2026-01-31")));
    assert!(!valid_on("2026-01-01", Some("2026-01-31"), day("2026-02-01")));
    assert!(!valid_on("2026-01-01", None, day("2025-12-31")));
    assert!(valid_on("2026-01-01", None, day("2099-12-31")));
}

#[test]
fn amounts_are_non_zero_and_bounded() {
    for (amount, code) in
        [(None, "REQUIRED"), (Some(0), "INVALID_AMOUNT"), (Some(MAX_AMOUNT + 1), "INVALID_AMOUNT")]
    {
        let errors = new_transaction(TransactionBody { amount, reference: None }).unwrap_err();
        assert_eq!(errors.entries()[0].error_code, code, "{amount:?}");
    }
    let spend =
        new_transaction(TransactionBody { amount: Some(-MAX_AMOUNT), reference: Some(" o-1 ".into()) });
    assert_eq!(spend.unwrap(), NewTransaction { amount: -MAX_AMOUNT, reference: Some("o-1".into()) });
}

#[test]
fn a_customer_joins_a_program_once_with_a_zero_balance() {
    let db = TestDb::new();
    let n = customer(&db, ORG);
    let points = add(&db, "POINTS");
    let joined = join_program(&db, n, points.id).unwrap();
    assert_eq!(
        (joined.balance, joined.program_type, joined.program_name.as_str()),
        (Some(0), ProgramType::Points, "Bonus")
    );
    assert_eq!(join_program(&db, n, points.id).unwrap_err().error_code(), "LOYALTY_PROGRAM_ALREADY_JOINED");
    let timed = add(&db, "TIMED");
    assert_eq!(join_program(&db, n, timed.id).unwrap().balance, None, "TIMED keeps no balance");
    assert_eq!(memberships(&db, ORG, n).block_on().unwrap().len(), 2);
}

#[test]
fn unknown_foreign_and_ended_programs_cannot_be_joined() {
    let db = TestDb::new();
    let n = customer(&db, ORG);
    assert_eq!(join_program(&db, n, 999).unwrap_err().error_code(), "UNKNOWN_LOYALTY_PROGRAM");
    let theirs = new_program(body("POINTS", "2026-01-01", None), 2002).unwrap();
    let foreign = Actor { organisation_id: 2002, client_id: None };
    let theirs = db.transaction(async |tx| add_program(tx, &foreign, &theirs, NOW).await).block_on().unwrap();
    assert_eq!(join_program(&db, n, theirs.id).unwrap_err().error_code(), "UNKNOWN_LOYALTY_PROGRAM");
    let ended = new_program(body("POINTS", "2025-01-01", Some("2025-12-31")), ORG).unwrap();
    let ended = db.transaction(async |tx| add_program(tx, &actor(), &ended, NOW).await).block_on().unwrap();
    assert_eq!(join_program(&db, n, ended.id).unwrap_err().error_code(), "LOYALTY_PROGRAM_ENDED");
    let future = new_program(body("POINTS", "2027-01-01", None), ORG).unwrap();
    let future = db.transaction(async |tx| add_program(tx, &actor(), &future, NOW).await).block_on().unwrap();
    let early = join_program(&db, n, future.id).expect("a program may be joined before it starts");
    assert_eq!(apply(&db, n, early.id, 5).unwrap_err().error_code(), "LOYALTY_PROGRAM_NOT_VALID");
}

#[test]
fn transactions_change_the_balance_but_never_below_zero() {
    let db = TestDb::new();
    let n = customer(&db, ORG);
    let m = join_program(&db, n, add(&db, "COUPONS").id).unwrap();
    assert_eq!(apply(&db, n, m.id, 10).unwrap().balance_after, 10);
    assert_eq!(apply(&db, n, m.id, -4).unwrap().balance_after, 6);
    assert_eq!(apply(&db, n, m.id, -7).unwrap_err().error_code(), "INSUFFICIENT_BALANCE");
    assert_eq!(apply(&db, n, m.id, -6).unwrap().balance_after, 0);
    let now = membership(&db, ORG, n, m.id).block_on().unwrap().unwrap();
    assert_eq!((now.balance, now.version), (Some(0), 4), "every change is a new version");
    let (all, more) = transactions(&db, ORG, m.id, 0, 10).block_on().unwrap();
    assert_eq!(all.iter().map(|t| t.amount).collect::<Vec<_>>(), [10, -4, -6]);
    assert!(!more);
}

#[test]
fn timed_memberships_refuse_transactions() {
    let db = TestDb::new();
    let n = customer(&db, ORG);
    let m = join_program(&db, n, add(&db, "TIMED").id).unwrap();
    assert_eq!(apply(&db, n, m.id, 1).unwrap_err().error_code(), "TIMED_PROGRAM_HAS_NO_BALANCE");
}

#[test]
fn concurrent_spending_never_overdraws() {
    let dir = std::env::temp_dir().join(format!("loyalty-race-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("race.db");
    let _ = std::fs::remove_file(&path);
    let db = TestDb::open(&path);
    crate::connection::prepare_connection(&db).block_on().unwrap();
    let n = customer(&db, ORG);
    let m = join_program(&db, n, add(&db, "POINTS").id).unwrap();
    apply(&db, n, m.id, 5).unwrap();
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                let db = TestDb::open(&path);
                crate::connection::prepare_connection(&db).block_on().unwrap();
                apply(&db, n, m.id, -1).map(|t| t.balance_after).map_err(|e| e.error_code())
            })
        })
        .collect();
    let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 5, "{results:?}");
    assert!(results.iter().all(|r| r.is_ok() || *r == Err("INSUFFICIENT_BALANCE")), "{results:?}");
    assert_eq!(membership(&db, ORG, n, m.id).block_on().unwrap().unwrap().balance, Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pages_follow_each_other_by_key() {
    let db = TestDb::new();
    let n = customer(&db, ORG);
    let m = join_program(&db, n, add(&db, "POINTS").id).unwrap();
    for amount in 1..=5 {
        apply(&db, n, m.id, amount).unwrap();
    }
    let (first, more) = transactions(&db, ORG, m.id, 0, 2).block_on().unwrap();
    assert!(more);
    let (second, more) = transactions(&db, ORG, m.id, first[1].id, 2).block_on().unwrap();
    assert_eq!(second.iter().map(|t| t.amount).collect::<Vec<_>>(), [3, 4]);
    assert!(more);
    let (last, more) = transactions(&db, ORG, m.id, second[1].id, 2).block_on().unwrap();
    assert_eq!((last.len(), more), (1, false));
    assert!(transactions(&db, 2002, m.id, 0, 10).block_on().unwrap().0.is_empty());
}

#[test]
fn a_programs_type_is_fixed_once_it_has_members() {
    let db = TestDb::new();
    let n = customer(&db, ORG);
    let points = add(&db, "POINTS");
    let renamed =
        NewProgram { name: "Bonus+".into(), ..new_program(body("POINTS", "2026-01-01", None), ORG).unwrap() };
    let changed = db
        .transaction(async |tx| replace_program(tx, &actor(), &points, &renamed, NOW).await)
        .block_on()
        .unwrap();
    assert_eq!((changed.name.as_str(), changed.version), ("Bonus+", 2));
    join_program(&db, n, points.id).unwrap();
    let timed = new_program(body("TIMED", "2026-01-01", None), ORG).unwrap();
    let error = db
        .transaction(async |tx| replace_program(tx, &actor(), &changed, &timed, NOW).await)
        .block_on()
        .unwrap_err();
    assert_eq!(error.error_code(), "LOYALTY_PROGRAM_IN_USE");
    let stale = db
        .transaction(async |tx| replace_program(tx, &actor(), &points, &renamed, NOW).await)
        .block_on()
        .unwrap_err();
    assert_eq!(stale.status(), 412);
}

#[test]
fn leaving_removes_the_membership_and_its_transactions() {
    let db = TestDb::new();
    let n = customer(&db, ORG);
    let m = join_program(&db, n, add(&db, "POINTS").id).unwrap();
    apply(&db, n, m.id, 3).unwrap();
    let current = membership(&db, ORG, n, m.id).block_on().unwrap().unwrap();
    assert_eq!(
        db.transaction(async |tx| leave(tx, &actor(), n, &m, NOW).await).block_on().unwrap_err().status(),
        412,
        "stale"
    );
    db.transaction(async |tx| leave(tx, &actor(), n, &current, NOW).await).block_on().unwrap();
    assert!(memberships(&db, ORG, n).block_on().unwrap().is_empty());
    assert!(db.execute("SELECT id FROM loyalty_transaction", &[]).block_on().unwrap().rows.is_empty());
}

#[test]
fn merging_keeps_the_targets_membership_and_adds_the_sources_balance() {
    let db = TestDb::new();
    let (from, to) = (customer(&db, ORG), customer(&db, ORG));
    let (points, coupons, timed) = (add(&db, "POINTS"), add(&db, "COUPONS"), add(&db, "TIMED"));
    let source_points = join_program(&db, from, points.id).unwrap();
    apply(&db, from, source_points.id, 7).unwrap();
    let source_coupons = join_program(&db, from, coupons.id).unwrap();
    apply(&db, from, source_coupons.id, 2).unwrap();
    join_program(&db, from, timed.id).unwrap();
    let target_points = join_program(&db, to, points.id).unwrap();
    apply(&db, to, target_points.id, 5).unwrap();
    join_program(&db, to, timed.id).unwrap();

    db.transaction(async |tx| move_to(tx, ORG, from, to).await).block_on().unwrap();

    assert!(memberships(&db, ORG, from).block_on().unwrap().is_empty());
    let merged = memberships(&db, ORG, to).block_on().unwrap();
    let summary: Vec<_> = merged.iter().map(|m| (m.program_id, m.balance)).collect();
    assert_eq!(summary, [(coupons.id, Some(2)), (points.id, Some(12)), (timed.id, None)]);
    assert_eq!(merged[1].id, target_points.id, "the target keeps its membership");
    let (history, _) = transactions(&db, ORG, target_points.id, 0, 10).block_on().unwrap();
    assert_eq!(history.iter().map(|t| t.amount).collect::<Vec<_>>(), [7, 5], "the source's history joins it");
    let exported = export(&db, ORG, to).block_on().unwrap();
    assert_eq!(exported[0]["transactions"][0]["amount"], 2);
    assert_eq!(exported[1]["transactions"].as_array().unwrap().len(), 2);
    let stray = db
        .execute("SELECT id FROM loyalty_transaction WHERE customer_number = ?1", &[Value::Integer(from)])
        .block_on();
    assert!(stray.unwrap().rows.is_empty());
}

#[test]
fn erasing_the_customer_erases_memberships_and_transactions() {
    let db = TestDb::new();
    let n = customer(&db, ORG);
    let m = join_program(&db, n, add(&db, "POINTS").id).unwrap();
    apply(&db, n, m.id, 3).unwrap();
    db.execute("DELETE FROM customer WHERE customer_number = ?1", &[Value::Integer(n)]).block_on().unwrap();
    assert!(db.execute("SELECT id FROM loyalty_membership", &[]).block_on().unwrap().rows.is_empty());
    assert!(db.execute("SELECT id FROM loyalty_transaction", &[]).block_on().unwrap().rows.is_empty());
}

#[test]
fn every_lookup_uses_an_index() {
    let db = TestDb::new();
    for sql in [
        PROGRAMS,
        PROGRAM_HAS_MEMBERS,
        MEMBERSHIPS,
        MEMBERSHIP,
        TRANSACT,
        TRANSACTIONS,
        MERGE_BALANCES,
        MERGE_TRANSACTIONS,
        DROP_SHARED_MEMBERSHIPS,
        MOVE_MEMBERSHIPS,
        MOVE_TRANSACTIONS,
        "DELETE FROM loyalty_transaction WHERE membership_id = ?1",
        "DELETE FROM loyalty_transaction WHERE customer_number = ?1",
        "DELETE FROM loyalty_membership WHERE customer_number = ?1",
    ] {
        assert!(!scans_a_table(&db, sql), "{sql}\n{}", plan(&db, sql));
    }
    assert!(!plan(&db, TRANSACTIONS).contains("TEMP B-TREE"), "the index gives the order");
}
