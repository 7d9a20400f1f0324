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

mod membership;
mod program;
pub mod sql;
mod transaction;

pub use membership::*;
pub use program::*;
pub use transaction::*;

use crate::db::{Db, DbError, Row, Value};
use chrono::NaiveDate;
use errors::Invalid;
use errors::{ApiError, ErrorCode};
use serde::Serialize;
use sql::*;

/// What kind of program it is: `TIMED` a membership for a period, with no balance
/// (documented here, not on the variant, so its schema stays a plain `enum`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema), schemars(inline))]
pub enum ProgramType {
    Timed,
    Coupons,
    Points,
}

impl ProgramType {
    /// Every type, in the order [`code`](Self::code)s are listed.
    pub const ALL: [Self; 3] = [Self::Timed, Self::Coupons, Self::Points];

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

/// Whether `today` is within `valid_from..=valid_to` (dates as `YYYY-MM-DD` sort as text).
fn valid_on(valid_from: &str, valid_to: Option<&str>, today: NaiveDate) -> bool {
    let today = today.to_string();
    valid_from <= today.as_str() && valid_to.is_none_or(|to| today.as_str() <= to)
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
mod tests;
