//! The transactions of a membership's balance.

use super::sql::*;
use super::{no_row, valid_on, Membership};
use crate::audit::Actor;
use crate::db::{Db, DbError, Row, Rows, Value};
use crate::subresource;
use crate::time::Timestamp;
#[cfg(feature = "openapi")]
use crate::wire_schema;
use errors::{ApiError, ErrorCode, FieldErrors, Invalid};
use serde::{Deserialize, Serialize};

/// The body of `POST .../transactions`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(rename = "LoyaltyTransactionRequest", description = "")
)]
pub struct TransactionBody {
    /// A whole number other than 0, at most 1000000000 either way; negative spends.
    #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::nonzero(MAX_AMOUNT)))]
    pub amount: Option<i64>,
    /// At most 100 characters.
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::optional_text(REFERENCE_MAX)))]
    pub reference: Option<String>,
}

/// The largest amount of one transaction, either way.
pub const MAX_AMOUNT: i64 = 1_000_000_000;
/// The longest `reference`.
pub const REFERENCE_MAX: usize = 100;

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
    let reference = errs.optional("reference", body.reference, |r| crate::text::bounded(r, REFERENCE_MAX));
    match amount {
        Some(amount) if errs.is_empty() => Ok(NewTransaction { amount, reference }),
        _ => Err(errs),
    }
}

/// A transaction, as read back and as served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(
        rename = "LoyaltyTransaction",
        description = "A change of a membership's balance.",
        extend("additionalProperties" = false)
    )
)]
pub struct Transaction {
    /// Server-assigned id.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub id: i64,
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub membership_id: i64,
    /// Positive earns, negative spends.
    #[cfg_attr(feature = "openapi", schemars(range(min = -MAX_AMOUNT, max = MAX_AMOUNT)))]
    pub amount: i64,
    /// The membership's balance right after this transaction.
    #[cfg_attr(feature = "openapi", schemars(range(min = 0)))]
    pub balance_after: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", length(max = REFERENCE_MAX)))]
    pub reference: Option<String>,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
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
