//! The organisation's catalogue of loyalty programs.

use super::sql::*;
use super::{no_row, ProgramType};
use crate::audit::Actor;
use crate::db::{Db, DbError, Row, Rows, Value};
use crate::subresource::{self, CATALOGUE};
use crate::time::{parse_date, Timestamp};
#[cfg(feature = "openapi")]
use crate::wire_schema;
use chrono::NaiveDate;
use errors::{ApiError, ErrorCode, FieldErrors, Invalid};
use serde::{Deserialize, Serialize};

/// The longest program `name`.
pub const NAME_MAX: usize = 100;

/// The wire form of a program create or full replacement (POST and PUT take the same body).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(
        rename = "LoyaltyProgramRequest",
        description = "POST and PUT (full replacement) of a loyalty program."
    )
)]
pub struct ProgramBody {
    /// Optional; when present it must be the token's organisation, else 403
    /// `ORGANISATION_MISMATCH`.
    pub organisation_id: Option<i64>,
    /// At most 100 characters.
    #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::required_text(NAME_MAX)))]
    pub name: Option<String>,
    /// `TIMED`, `COUPONS` or `POINTS`, any case.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::any_case(ProgramType::ALL.map(ProgramType::code))))]
    pub program_type: Option<String>,
    /// First day of validity.
    #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::required_date))]
    pub valid_from: Option<String>,
    /// Last day of validity, not before `validFrom`; absent: open-ended. Blank counts as
    /// absent.
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::optional_date))]
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
    crate::tenancy::check_organisation(body.organisation_id, organisation_id)?;
    let mut errs = FieldErrors::default();
    let name = errs.required("name", body.name, |n| crate::text::bounded(n, NAME_MAX));
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
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(
        rename = "LoyaltyProgram",
        description = "One of the organisation's loyalty programs.",
        extend("additionalProperties" = false)
    )
)]
pub struct Program {
    /// Server-assigned id.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub id: i64,
    /// The organisation (from the token's organisation claim).
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub organisation_id: i64,
    #[cfg_attr(feature = "openapi", schemars(length(min = 1, max = NAME_MAX)))]
    pub name: String,
    /// `TIMED` (no balance), `COUPONS` or `POINTS` (a balance that never goes below zero).
    #[serde(rename = "type")]
    pub program_type: ProgramType,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Date")))]
    pub valid_from: String,
    /// Absent: open-ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", transform = wire_schema::described_reference("Date")))]
    pub valid_to: Option<String>,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    pub created_at: String,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    pub changed_at: String,
    /// The resource's version; its `ETag` is this number in quotes.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
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
