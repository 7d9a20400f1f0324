//! Loyalty (contract §3): the organisation's catalogue of programs, permanent profiles'
//! memberships of them, and the transactions of a membership's balance.
//!
//! Rules:
//! - A program is `TIMED` (membership only), `COUPONS` or `POINTS` (memberships keep a
//!   balance, in whole coupons or points, starting at 0). `validFrom`/`validTo` are dates,
//!   both inclusive, compared with today's date in UTC; `validTo` may be open.
//! - A customer joins a program once (409 `LOYALTY_PROGRAM_ALREADY_JOINED`, decided by a
//!   unique index) and not after it ended (400 `LOYALTY_PROGRAM_ENDED`).
//! - A transaction adds `amount` (negative spends) to the balance while the program is valid
//!   (400 `LOYALTY_PROGRAM_NOT_VALID`); `TIMED` memberships have no balance (400
//!   `TIMED_PROGRAM_HAS_NO_BALANCE`). The balance never goes below zero, also under
//!   concurrent transactions: ONE conditional UPDATE ([`TRANSACT`]) changes it, and when it
//!   returns no row the answer is 409 `INSUFFICIENT_BALANCE`.
//! - A program's type cannot change once it has members (409 `LOYALTY_PROGRAM_IN_USE`).
//! - Leaving deletes the membership with its transactions.

use crate::db::{Db, DbError, Row, Rows, Value};
use crate::profile::Actor;
use crate::subresource::{self, CATALOGUE};
use crate::time::{parse_date, Timestamp};
use chrono::NaiveDate;
use errors::{ApiError, ErrorCode, FieldErrors, Invalid, OnUnique};
use serde::{Deserialize, Serialize};

// Every statement of loyalty. ?1 is always the caller's organisation.

macro_rules! program_select {
    () => {
        "SELECT id, organisation_id, name, program_type, valid_from, valid_to, created_at, changed_at, version
           FROM loyalty_program"
    };
}

pub const PROGRAMS: &str = concat!(program_select!(), " WHERE organisation_id = ?1 ORDER BY id");
pub const PROGRAM: &str = concat!(program_select!(), " WHERE organisation_id = ?1 AND id = ?2");

pub const INSERT_PROGRAM: &str = "
    INSERT INTO loyalty_program (organisation_id, name, program_type, valid_from, valid_to, created_at, changed_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
    RETURNING id, organisation_id, name, program_type, valid_from, valid_to, created_at, changed_at, version";

/// Full replacement; `?8` is the version read in the same transaction.
pub const REPLACE_PROGRAM: &str = "
    UPDATE loyalty_program
       SET name = ?3, program_type = ?4, valid_from = ?5, valid_to = ?6, changed_at = ?7, version = version + 1
     WHERE organisation_id = ?1 AND id = ?2 AND version = ?8
    RETURNING id, organisation_id, name, program_type, valid_from, valid_to, created_at, changed_at, version";

pub const PROGRAM_HAS_MEMBERS: &str = "
    SELECT EXISTS (SELECT 1 FROM loyalty_membership WHERE organisation_id = ?1 AND program_id = ?2) AS has_members";

/// The columns SQLite names when a customer joins a program twice.
pub const ALREADY_JOINED: &str = "loyalty_membership.customer_number, loyalty_membership.program_id";

macro_rules! membership_select {
    () => {
        "SELECT m.id, m.program_id, p.name AS program_name, p.program_type, p.valid_from, p.valid_to,
                m.balance, m.created_at, m.changed_at, m.version
           FROM loyalty_membership m JOIN loyalty_program p ON p.id = m.program_id"
    };
}

/// A customer's (`?2`) memberships, oldest first.
pub const MEMBERSHIPS: &str =
    concat!(membership_select!(), " WHERE m.organisation_id = ?1 AND m.customer_number = ?2 ORDER BY m.id");
pub const MEMBERSHIP: &str =
    concat!(membership_select!(), " WHERE m.organisation_id = ?1 AND m.customer_number = ?2 AND m.id = ?3");

/// `?4`: 0 for COUPONS and POINTS, NULL for TIMED.
pub const INSERT_MEMBERSHIP: &str = "
    INSERT INTO loyalty_membership (organisation_id, customer_number, program_id, balance, created_at, changed_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?5) RETURNING id";

/// `?4` is the version read in the same transaction; the transactions go with it (CASCADE).
pub const DELETE_MEMBERSHIP: &str = "
    DELETE FROM loyalty_membership
     WHERE organisation_id = ?1 AND customer_number = ?2 AND id = ?3 AND version = ?4 RETURNING id";

/// The one statement that changes a balance: adds `?4` unless the result would be negative
/// (or the membership has no balance). No row back = refused. Being one statement, two
/// concurrent transactions can never both pass the check against the same old balance.
pub const TRANSACT: &str = "
    UPDATE loyalty_membership SET balance = balance + ?4, changed_at = ?5, version = version + 1
     WHERE organisation_id = ?1 AND customer_number = ?2 AND id = ?3
       AND balance IS NOT NULL AND balance + ?4 >= 0
    RETURNING balance";

pub const INSERT_TRANSACTION: &str = "
    INSERT INTO loyalty_transaction (organisation_id, customer_number, membership_id, amount, balance_after,
                                     reference, created_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
    RETURNING id, membership_id, amount, balance_after, reference, created_at";

/// One page of a membership's (`?2`) transactions after id `?3`, oldest first (keyset).
pub const TRANSACTIONS: &str = "
    SELECT id, membership_id, amount, balance_after, reference, created_at FROM loyalty_transaction
     WHERE organisation_id = ?1 AND membership_id = ?2 AND id > ?3 ORDER BY id LIMIT ?4";

/// Merge, step 1: where both are members, the target's balance grows by the source's.
pub const MERGE_BALANCES: &str = "
    UPDATE loyalty_membership
       SET balance = balance + (SELECT s.balance FROM loyalty_membership s
                                 WHERE s.organisation_id = ?1 AND s.customer_number = ?2
                                   AND s.program_id = loyalty_membership.program_id),
           version = version + 1
     WHERE organisation_id = ?1 AND customer_number = ?3 AND balance IS NOT NULL
       AND program_id IN (SELECT program_id FROM loyalty_membership WHERE organisation_id = ?1 AND customer_number = ?2)";
/// Merge, step 2: the source's transactions of those shared programs join the target's membership.
pub const MERGE_TRANSACTIONS: &str = "
    UPDATE loyalty_transaction
       SET membership_id = (SELECT t.id FROM loyalty_membership s
                              JOIN loyalty_membership t ON t.program_id = s.program_id AND t.customer_number = ?3
                             WHERE s.id = loyalty_transaction.membership_id)
     WHERE organisation_id = ?1 AND customer_number = ?2
       AND membership_id IN (SELECT s.id FROM loyalty_membership s
                               JOIN loyalty_membership t ON t.program_id = s.program_id AND t.customer_number = ?3
                              WHERE s.organisation_id = ?1 AND s.customer_number = ?2)";
/// Merge, step 3: the source's memberships of shared programs are now empty shells.
pub const DROP_SHARED_MEMBERSHIPS: &str = "
    DELETE FROM loyalty_membership
     WHERE organisation_id = ?1 AND customer_number = ?2
       AND program_id IN (SELECT program_id FROM loyalty_membership WHERE organisation_id = ?1 AND customer_number = ?3)";
/// Merge, step 4: the rest of the source's memberships move over.
pub const MOVE_MEMBERSHIPS: &str =
    "UPDATE loyalty_membership SET customer_number = ?3 WHERE organisation_id = ?1 AND customer_number = ?2";
/// Merge, step 5: and all of its transactions.
pub const MOVE_TRANSACTIONS: &str =
    "UPDATE loyalty_transaction SET customer_number = ?3 WHERE organisation_id = ?1 AND customer_number = ?2";

/// What kind of program it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProgramType {
    /// Membership for a period; no balance.
    Timed,
    Coupons,
    Points,
}

impl ProgramType {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.to_ascii_uppercase().as_str() {
            "TIMED" => Ok(Self::Timed),
            "COUPONS" => Ok(Self::Coupons),
            "POINTS" => Ok(Self::Points),
            _ => Err(Invalid::new(ErrorCode::INVALID_PROGRAM_TYPE, "must be TIMED, COUPONS or POINTS")),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Timed => "TIMED",
            Self::Coupons => "COUPONS",
            Self::Points => "POINTS",
        }
    }

    /// Whether memberships keep a balance.
    pub fn has_balance(self) -> bool {
        self != Self::Timed
    }

    fn from_column(row: &Row<'_>) -> Result<Self, DbError> {
        Self::parse(&row.text("program_type")?).map_err(|e| DbError::Other(e.message))
    }
}

/// The wire form of a program create or full replacement (POST and PUT take the same body).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProgramBody {
    pub organisation_id: Option<i64>,
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub program_type: Option<String>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
}

/// A checked program, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProgram {
    pub name: String,
    pub program_type: ProgramType,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

/// Checks a program body: `name` (at most 100 characters), `type` and `validFrom` required;
/// `validTo`, when given, not before `validFrom`.
pub fn new_program(body: ProgramBody, organisation_id: i64) -> Result<NewProgram, ApiError> {
    if body.organisation_id.is_some_and(|given| given != organisation_id) {
        return Err(ApiError::OrganisationMismatch);
    }
    let mut errs = FieldErrors::default();
    let name = errs.required("name", body.name, |n| subresource::bounded_text(n, 100));
    let program_type = errs.required("type", body.program_type, ProgramType::parse);
    let valid_from = errs.required("validFrom", body.valid_from, parse_date);
    let valid_to = errs.optional("validTo", body.valid_to, parse_date);
    if let (Some(from), Some(to)) = (valid_from, valid_to) {
        if to < from {
            errs.push(
                "validTo",
                Invalid::new(ErrorCode::INVALID_VALIDITY_PERIOD, "must not be before validFrom"),
            );
        }
    }
    match (name, program_type, valid_from) {
        (Some(name), Some(program_type), Some(valid_from)) if errs.is_empty() => {
            Ok(NewProgram { name, program_type, valid_from, valid_to })
        }
        _ => Err(ApiError::Validation(errs)),
    }
}

/// A loyalty program, as read back and as served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Program {
    pub id: i64,
    pub organisation_id: i64,
    pub name: String,
    #[serde(rename = "type")]
    pub program_type: ProgramType,
    pub valid_from: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<String>,
    pub created_at: String,
    pub changed_at: String,
    pub version: i64,
}

impl Program {
    fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: row.int("id")?,
            organisation_id: row.int("organisation_id")?,
            name: row.text("name")?,
            program_type: ProgramType::from_column(&row)?,
            valid_from: row.text("valid_from")?,
            valid_to: row.opt_text("valid_to")?,
            created_at: row.text("created_at")?,
            changed_at: row.text("changed_at")?,
            version: row.int("version")?,
        })
    }

    fn changed_fields(&self, new: &NewProgram) -> Vec<&'static str> {
        let differs = [
            ("name", self.name != new.name),
            ("type", self.program_type != new.program_type),
            ("validFrom", self.valid_from != new.valid_from.to_string()),
            ("validTo", self.valid_to != new.valid_to.map(|d| d.to_string())),
        ];
        differs.into_iter().filter(|(_, d)| *d).map(|(name, _)| name).collect()
    }
}

/// Whether `today` is within `valid_from..=valid_to` (dates as `YYYY-MM-DD` sort as text).
fn valid_on(valid_from: &str, valid_to: Option<&str>, today: NaiveDate) -> bool {
    let today = today.to_string();
    valid_from <= today.as_str() && valid_to.is_none_or(|to| today.as_str() <= to)
}

fn programs_of(rows: &Rows) -> Result<Vec<Program>, DbError> {
    rows.iter().map(Program::from_row).collect()
}

fn program_params(organisation_id: i64, new: &NewProgram) -> Vec<Value> {
    vec![
        Value::Integer(organisation_id),
        Value::from(new.name.as_str()),
        Value::from(new.program_type.code()),
        Value::from(new.valid_from.to_string()),
        Value::from(new.valid_to.map(|d| d.to_string())),
    ]
}

/// The organisation's programs, oldest first.
pub async fn programs(db: &impl Db, organisation_id: i64) -> Result<Vec<Program>, DbError> {
    programs_of(&db.execute(PROGRAMS, &[Value::Integer(organisation_id)]).await?)
}

/// One program of the organisation, or `None` (also another organisation's).
pub async fn program(db: &impl Db, organisation_id: i64, id: i64) -> Result<Option<Program>, DbError> {
    Ok(programs_of(&db.execute(PROGRAM, &[Value::Integer(organisation_id), Value::Integer(id)]).await?)?
        .pop())
}

/// Adds a program. Call inside the write transaction.
pub async fn add_program(
    db: &impl Db,
    actor: &Actor<'_>,
    new: &NewProgram,
    now: Timestamp,
) -> Result<Program, ApiError> {
    let mut params = program_params(actor.organisation_id, new);
    params.push(Value::from(now.rfc3339()));
    let added = programs_of(&db.execute(INSERT_PROGRAM, &params).await?)?.pop().ok_or_else(no_row)?;
    let fields: &[_] = if new.valid_to.is_some() {
        &["name", "type", "validFrom", "validTo"]
    } else {
        &["name", "type", "validFrom"]
    };
    subresource::record(db, actor, CATALOGUE, "LOYALTY_PROGRAM_ADDED", fields, now).await?;
    Ok(added)
}

/// Replaces `current` (read in this transaction, its `If-Match` checked). The type of a
/// program with members cannot change: their balances would lose their meaning.
pub async fn replace_program(
    db: &impl Db,
    actor: &Actor<'_>,
    current: &Program,
    new: &NewProgram,
    now: Timestamp,
) -> Result<Program, ApiError> {
    if current.program_type != new.program_type {
        let params = [Value::Integer(actor.organisation_id), Value::Integer(current.id)];
        let rows = db.execute(PROGRAM_HAS_MEMBERS, &params).await?;
        if rows.first().map(|r| r.int("has_members")).transpose()?.unwrap_or(0) != 0 {
            return Err(ApiError::conflict(
                ErrorCode::LOYALTY_PROGRAM_IN_USE,
                "type",
                "the program has members: its type cannot change",
            ));
        }
    }
    let mut params = program_params(actor.organisation_id, new);
    params.insert(1, Value::Integer(current.id));
    params.extend([Value::from(now.rfc3339()), Value::Integer(current.version)]);
    let replaced = programs_of(&db.execute(REPLACE_PROGRAM, &params).await?)?
        .pop()
        .ok_or(ApiError::PreconditionFailed)?;
    let fields = current.changed_fields(new);
    subresource::record(db, actor, CATALOGUE, "LOYALTY_PROGRAM_CHANGED", &fields, now).await?;
    Ok(replaced)
}

/// The body of `POST .../loyalty-programs` (joining).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct JoinBody {
    pub program_id: Option<i64>,
}

/// A customer's membership with its program, as read back and as served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    pub id: i64,
    pub program_id: i64,
    pub program_name: String,
    #[serde(rename = "type")]
    pub program_type: ProgramType,
    pub valid_from: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<String>,
    /// COUPONS and POINTS only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub balance: Option<i64>,
    pub created_at: String,
    pub changed_at: String,
    pub version: i64,
}

impl Membership {
    fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: row.int("id")?,
            program_id: row.int("program_id")?,
            program_name: row.text("program_name")?,
            program_type: ProgramType::from_column(&row)?,
            valid_from: row.text("valid_from")?,
            valid_to: row.opt_text("valid_to")?,
            balance: row.opt_int("balance")?,
            created_at: row.text("created_at")?,
            changed_at: row.text("changed_at")?,
            version: row.int("version")?,
        })
    }
}

fn memberships_of(rows: &Rows) -> Result<Vec<Membership>, DbError> {
    rows.iter().map(Membership::from_row).collect()
}

/// A customer's memberships, oldest first.
pub async fn memberships(
    db: &impl Db,
    organisation_id: i64,
    customer_number: i64,
) -> Result<Vec<Membership>, DbError> {
    memberships_of(
        &db.execute(MEMBERSHIPS, &[Value::Integer(organisation_id), Value::Integer(customer_number)]).await?,
    )
}

/// One membership of the customer, or `None` (also another customer's or organisation's).
pub async fn membership(
    db: &impl Db,
    organisation_id: i64,
    customer_number: i64,
    id: i64,
) -> Result<Option<Membership>, DbError> {
    let params = [Value::Integer(organisation_id), Value::Integer(customer_number), Value::Integer(id)];
    Ok(memberships_of(&db.execute(MEMBERSHIP, &params).await?)?.pop())
}

/// Makes the customer a member of `programId`: 400 `UNKNOWN_LOYALTY_PROGRAM` when the
/// organisation has no such program, 400 `LOYALTY_PROGRAM_ENDED` after its `validTo`, 409
/// `LOYALTY_PROGRAM_ALREADY_JOINED` for a second membership (the unique index decides).
pub async fn join(
    db: &impl Db,
    actor: &Actor<'_>,
    customer_number: i64,
    body: JoinBody,
    now: Timestamp,
) -> Result<Membership, ApiError> {
    let Some(program_id) = body.program_id else {
        return Err(ApiError::invalid_field("programId", Invalid::new(ErrorCode::REQUIRED, "is required")));
    };
    let Some(program) = program(db, actor.organisation_id, program_id).await? else {
        return Err(ApiError::BadRequest {
            code: ErrorCode::UNKNOWN_LOYALTY_PROGRAM,
            field: Some("programId".into()),
            message: "the organisation has no loyalty program with this programId".into(),
        });
    };
    if program.valid_to.as_deref().is_some_and(|to| to < now.date().to_string().as_str()) {
        return Err(ApiError::BadRequest {
            code: ErrorCode::LOYALTY_PROGRAM_ENDED,
            field: Some("programId".into()),
            message: "the loyalty program has ended".into(),
        });
    }
    let params = [
        Value::Integer(actor.organisation_id),
        Value::Integer(customer_number),
        Value::Integer(program.id),
        if program.program_type.has_balance() { Value::Integer(0) } else { Value::Null },
        Value::from(now.rfc3339()),
    ];
    let rows = db.execute(INSERT_MEMBERSHIP, &params).await.on_unique(ALREADY_JOINED, || {
        ApiError::conflict(
            ErrorCode::LOYALTY_PROGRAM_ALREADY_JOINED,
            "programId",
            "the customer is already a member",
        )
    })?;
    let id = rows.first().ok_or_else(no_row)?.int("id")?;
    subresource::record(db, actor, customer_number, "LOYALTY_PROGRAM_JOINED", &["programId"], now).await?;
    membership(db, actor.organisation_id, customer_number, id).await?.ok_or_else(no_row)
}

/// Ends `current` (read in this transaction, its `If-Match` checked) with its transactions.
pub async fn leave(
    db: &impl Db,
    actor: &Actor<'_>,
    customer_number: i64,
    current: &Membership,
    now: Timestamp,
) -> Result<(), ApiError> {
    let row = (current.id, current.version);
    subresource::remove(db, actor, customer_number, DELETE_MEMBERSHIP, row, "LOYALTY_PROGRAM_LEFT", now).await
}

/// The body of `POST .../transactions`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TransactionBody {
    pub amount: Option<i64>,
    pub reference: Option<String>,
}

/// The largest amount of one transaction, either way.
pub const MAX_AMOUNT: i64 = 1_000_000_000;

/// A checked transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTransaction {
    pub amount: i64,
    pub reference: Option<String>,
}

/// Checks a transaction body: `amount` a whole number, not 0, at most 1 000 000 000 either
/// way; `reference` (the caller's, e.g. an order id) at most 100 characters.
pub fn new_transaction(body: TransactionBody) -> Result<NewTransaction, FieldErrors> {
    let mut errs = FieldErrors::default();
    let amount = match body.amount {
        None => {
            errs.push("amount", Invalid::new(ErrorCode::REQUIRED, "is required"));
            None
        }
        Some(a) if a == 0 || a.abs() > MAX_AMOUNT => {
            let message = "must be a whole number other than 0, at most 1000000000 either way";
            errs.push("amount", Invalid::new(ErrorCode::INVALID_AMOUNT, message));
            None
        }
        Some(a) => Some(a),
    };
    let reference = errs.optional("reference", body.reference, |r| subresource::bounded_text(r, 100));
    match amount {
        Some(amount) if errs.is_empty() => Ok(NewTransaction { amount, reference }),
        _ => Err(errs),
    }
}

/// A transaction, as read back and as served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    pub id: i64,
    pub membership_id: i64,
    pub amount: i64,
    /// The membership's balance right after this transaction.
    pub balance_after: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub created_at: String,
}

impl Transaction {
    fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: row.int("id")?,
            membership_id: row.int("membership_id")?,
            amount: row.int("amount")?,
            balance_after: row.int("balance_after")?,
            reference: row.opt_text("reference")?,
            created_at: row.text("created_at")?,
        })
    }
}

fn transactions_of(rows: &Rows) -> Result<Vec<Transaction>, DbError> {
    rows.iter().map(Transaction::from_row).collect()
}

/// Applies a transaction to `membership` (read in this transaction): the balance changes
/// in one conditional UPDATE, then the transaction is recorded with the new balance.
pub async fn transact(
    db: &impl Db,
    actor: &Actor<'_>,
    customer_number: i64,
    membership: &Membership,
    new: &NewTransaction,
    now: Timestamp,
) -> Result<Transaction, ApiError> {
    if !membership.program_type.has_balance() {
        return Err(ApiError::BadRequest {
            code: ErrorCode::TIMED_PROGRAM_HAS_NO_BALANCE,
            field: None,
            message: "memberships of a TIMED program have no balance to change".into(),
        });
    }
    if !valid_on(&membership.valid_from, membership.valid_to.as_deref(), now.date()) {
        return Err(ApiError::BadRequest {
            code: ErrorCode::LOYALTY_PROGRAM_NOT_VALID,
            field: None,
            message: "the loyalty program is not valid today".into(),
        });
    }
    let (org, customer, now_text) =
        (Value::Integer(actor.organisation_id), Value::Integer(customer_number), Value::from(now.rfc3339()));
    let changed = db
        .execute(
            TRANSACT,
            &[
                org.clone(),
                customer.clone(),
                Value::Integer(membership.id),
                Value::Integer(new.amount),
                now_text.clone(),
            ],
        )
        .await?;
    let Some(balance) = changed.first().map(|r| r.int("balance")).transpose()? else {
        return Err(ApiError::conflict(
            ErrorCode::INSUFFICIENT_BALANCE,
            "amount",
            "the balance is too low for this amount",
        ));
    };
    let params = [
        org,
        customer,
        Value::Integer(membership.id),
        Value::Integer(new.amount),
        Value::Integer(balance),
        Value::from(new.reference.clone()),
        now_text,
    ];
    let recorded =
        transactions_of(&db.execute(INSERT_TRANSACTION, &params).await?)?.pop().ok_or_else(no_row)?;
    let fields: &[_] = if new.reference.is_some() { &["amount", "reference"] } else { &["amount"] };
    subresource::record(db, actor, customer_number, "LOYALTY_TRANSACTION_ADDED", fields, now).await?;
    Ok(recorded)
}

/// The default and largest page of transactions (contract §1 lists).
pub const DEFAULT_LIMIT: i64 = 100;
pub const MAX_LIMIT: i64 = 1000;

/// One page of a membership's transactions: at most `limit` after transaction id `after`
/// (0: from the start), oldest first, and whether more follow.
pub async fn transactions(
    db: &impl Db,
    organisation_id: i64,
    membership_id: i64,
    after: i64,
    limit: i64,
) -> Result<(Vec<Transaction>, bool), DbError> {
    let params = [
        Value::Integer(organisation_id),
        Value::Integer(membership_id),
        Value::Integer(after),
        Value::Integer(limit + 1),
    ];
    let mut found = transactions_of(&db.execute(TRANSACTIONS, &params).await?)?;
    let more = found.len() as i64 > limit;
    found.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok((found, more))
}

/// GDPR export hook: the customer's memberships as the API shows them, each with all its
/// `transactions` (a JSON array).
pub async fn export(
    db: &impl Db,
    organisation_id: i64,
    customer_number: i64,
) -> Result<serde_json::Value, DbError> {
    let mut exported = Vec::new();
    for membership in memberships(db, organisation_id, customer_number).await? {
        let (mut all, mut after) = (Vec::new(), 0);
        loop {
            let (batch, more) = transactions(db, organisation_id, membership.id, after, MAX_LIMIT).await?;
            after = batch.last().map_or(after, |t| t.id);
            all.extend(batch);
            if !more {
                break;
            }
        }
        let mut value = serde_json::to_value(&membership).map_err(serialising)?;
        value["transactions"] = serde_json::to_value(&all).map_err(serialising)?;
        exported.push(value);
    }
    Ok(serde_json::Value::Array(exported))
}

fn serialising(e: serde_json::Error) -> DbError {
    DbError::Other(format!("serialising loyalty memberships: {e}"))
}

/// Merge hook (`connect`): the memberships of `from` move to `to`. Where both are members of
/// a program, the target keeps its membership, its balance grows by the source's, and the
/// source's transactions join it (their `balanceAfter` stays as it was when they happened).
/// Call inside the merge's transaction.
pub async fn move_to(db: &impl Db, organisation_id: i64, from: i64, to: i64) -> Result<(), DbError> {
    let params = [Value::Integer(organisation_id), Value::Integer(from), Value::Integer(to)];
    for step in
        [MERGE_BALANCES, MERGE_TRANSACTIONS, DROP_SHARED_MEMBERSHIPS, MOVE_MEMBERSHIPS, MOVE_TRANSACTIONS]
    {
        db.execute(step, &params).await?;
    }
    Ok(())
}

fn no_row() -> ApiError {
    ApiError::Internal(anyhow::anyhow!("a written loyalty row was not read back"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::subresource::testing::{customer, plan, scans_a_table, ORG};
    use crate::test_db::{BlockOn, TestDb};

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
        assert!(
            new_program(body("POINTS", "2026-02-01", Some("2026-02-01")), ORG).is_ok(),
            "one day is fine"
        );
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
        assert_eq!(
            join_program(&db, n, points.id).unwrap_err().error_code(),
            "LOYALTY_PROGRAM_ALREADY_JOINED"
        );
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
        let theirs =
            db.transaction(async |tx| add_program(tx, &foreign, &theirs, NOW).await).block_on().unwrap();
        assert_eq!(join_program(&db, n, theirs.id).unwrap_err().error_code(), "UNKNOWN_LOYALTY_PROGRAM");
        let ended = new_program(body("POINTS", "2025-01-01", Some("2025-12-31")), ORG).unwrap();
        let ended =
            db.transaction(async |tx| add_program(tx, &actor(), &ended, NOW).await).block_on().unwrap();
        assert_eq!(join_program(&db, n, ended.id).unwrap_err().error_code(), "LOYALTY_PROGRAM_ENDED");
        let future = new_program(body("POINTS", "2027-01-01", None), ORG).unwrap();
        let future =
            db.transaction(async |tx| add_program(tx, &actor(), &future, NOW).await).block_on().unwrap();
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
        let renamed = NewProgram {
            name: "Bonus+".into(),
            ..new_program(body("POINTS", "2026-01-01", None), ORG).unwrap()
        };
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
        assert_eq!(
            history.iter().map(|t| t.amount).collect::<Vec<_>>(),
            [7, 5],
            "the source's history joins it"
        );
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
        db.execute("DELETE FROM customer WHERE customer_number = ?1", &[Value::Integer(n)])
            .block_on()
            .unwrap();
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
}
