//! A customer's memberships of the organisation's programs.

use super::sql::*;
use super::{no_row, program, ProgramType};
use crate::audit::Actor;
use crate::db::{Db, DbError, Row, Rows, Value};
use crate::subresource;
use crate::time::Timestamp;
#[cfg(feature = "openapi")]
use crate::wire_schema;
use errors::{ApiError, ErrorCode, Invalid, OnUnique};
use serde::{Deserialize, Serialize};

/// The body of `POST .../loyalty-programs` (joining).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(rename = "JoinLoyaltyProgramRequest", description = "")
)]
pub struct JoinBody {
    /// One of the organisation's loyalty programs.
    #[cfg_attr(feature = "openapi", schemars(required, range(min = 1), transform = wire_schema::required_integer))]
    pub program_id: Option<i64>,
}

/// A customer's membership with its program, as read back and as served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(
        rename = "LoyaltyMembership",
        description = "A profile's membership of a loyalty program.",
        extend("additionalProperties" = false)
    )
)]
pub struct Membership {
    /// The membership id (`membershipId`).
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub id: i64,
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub program_id: i64,
    #[cfg_attr(feature = "openapi", schemars(length(min = 1, max = super::program::NAME_MAX)))]
    pub program_name: String,
    /// `TIMED` (no balance), `COUPONS` or `POINTS` (a balance that never goes below zero).
    #[serde(rename = "type")]
    pub program_type: ProgramType,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Date")))]
    pub valid_from: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", transform = wire_schema::reference("Date")))]
    pub valid_to: Option<String>,
    /// `COUPONS` and `POINTS` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "i64", range(min = 0)))]
    pub balance: Option<i64>,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    pub created_at: String,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    pub changed_at: String,
    /// The resource's version; its `ETag` is this number in quotes.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
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
