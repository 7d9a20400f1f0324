//! The organisation's catalogue of preference definitions.

use super::sql::*;
use super::{no_row, PreferenceType};
use crate::audit::Actor;
use crate::db::{Db, DbError, Row, Rows, Value};
use crate::subresource::{self, CATALOGUE};
use crate::time::Timestamp;
#[cfg(feature = "openapi")]
use crate::wire_schema;
use errors::{ApiError, ErrorCode, FieldErrors, Invalid, OnUnique};
use serde::{Deserialize, Serialize};

/// The longest `preferenceCode`.
pub const CODE_MAX: usize = 50;
/// What a `preferenceCode` may hold besides letters and digits (for the schema: the check
/// matches the characters themselves, which is smaller in the `.wasm`; a test keeps them equal).
pub const CODE_PUNCTUATION: &str = "_.-";
/// The longest `preferenceDescription`.
pub const DESCRIPTION_MAX: usize = 500;

/// `preferenceCode`: 1 to 50 letters, digits, `_`, `-` or `.` (it appears in paths).
pub fn preference_code(raw: &str) -> Result<String, Invalid> {
    let shaped = (1..=CODE_MAX).contains(&raw.len())
        && raw.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if shaped {
        Ok(raw.to_owned())
    } else {
        Err(Invalid::new(
            ErrorCode::INVALID_PREFERENCE_CODE,
            "must be 1 to 50 letters, digits, '_', '-' or '.'",
        ))
    }
}

/// The wire form of a definition create or full replacement (POST and PUT take the same
/// body). `organisationId`, when given, must be the caller's.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(
        rename = "PreferenceDefinitionRequest",
        description = "POST and PUT (full replacement) of a preference definition."
    )
)]
pub struct DefinitionBody {
    /// Optional; when present it must be the token's organisation, else 403
    /// `ORGANISATION_MISMATCH`.
    pub organisation_id: Option<i64>,
    /// 1 to 50 letters, digits, `_`, `-` or `.`; unique in the organisation.
    #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::code_of(CODE_PUNCTUATION, CODE_MAX)))]
    pub preference_code: Option<String>,
    /// `BOOLEAN`, `STRING` or `NUMBER`, any case.
    #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::any_case(PreferenceType::ALL.map(PreferenceType::code))))]
    pub preference_type: Option<String>,
    /// At most 500 characters.
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::optional_text(DESCRIPTION_MAX)))]
    pub preference_description: Option<String>,
    /// Default `true`.
    pub is_active: Option<bool>,
}

/// A checked definition, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDefinition {
    pub preference_code: String,
    pub preference_type: PreferenceType,
    pub preference_description: Option<String>,
    pub is_active: bool,
}

/// Checks a definition body: `preferenceCode` and `preferenceType` required,
/// `preferenceDescription` at most 500 characters, `isActive` defaults to true.
pub fn new_definition(body: DefinitionBody, organisation_id: i64) -> Result<NewDefinition, ApiError> {
    crate::tenancy::check_organisation(body.organisation_id, organisation_id)?;
    let mut errs = FieldErrors::default();
    let code = errs.required("preferenceCode", body.preference_code, preference_code);
    let kind = errs.required("preferenceType", body.preference_type, PreferenceType::parse);
    let description = errs.optional("preferenceDescription", body.preference_description, |d| {
        crate::text::bounded(d, DESCRIPTION_MAX)
    });
    match (code, kind) {
        (Some(preference_code), Some(preference_type)) if errs.is_empty() => Ok(NewDefinition {
            preference_code,
            preference_type,
            preference_description: description,
            is_active: body.is_active.unwrap_or(true),
        }),
        _ => Err(ApiError::Validation(errs)),
    }
}

/// A preference definition, as read back and as served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(
        rename = "PreferenceDefinition",
        description = "One of the organisation's preference definitions.",
        extend("additionalProperties" = false)
    )
)]
pub struct Definition {
    /// Server-assigned id.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub id: i64,
    /// The organisation (from the token's organisation claim).
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub organisation_id: i64,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::stored_code_of(CODE_PUNCTUATION, CODE_MAX)))]
    pub preference_code: String,
    /// How values are checked and served.
    pub preference_type: PreferenceType,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", length(max = DESCRIPTION_MAX)))]
    pub preference_description: Option<String>,
    pub is_active: bool,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    pub created_at: String,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    pub changed_at: String,
    /// The resource's version; its `ETag` is this number in quotes.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub version: i64,
}

impl Definition {
    fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: row.int("id")?,
            organisation_id: row.int("organisation_id")?,
            preference_code: row.text("preference_code")?,
            preference_type: PreferenceType::from_column(&row)?,
            preference_description: row.opt_text("preference_description")?,
            is_active: row.int("is_active")? != 0,
            created_at: row.text("created_at")?,
            changed_at: row.text("changed_at")?,
            version: row.int("version")?,
        })
    }

    fn changed_fields(&self, new: &NewDefinition) -> Vec<&'static str> {
        let differs = [
            ("preferenceCode", self.preference_code != new.preference_code),
            ("preferenceType", self.preference_type != new.preference_type),
            ("preferenceDescription", self.preference_description != new.preference_description),
            ("isActive", self.is_active != new.is_active),
        ];
        differs.into_iter().filter(|(_, d)| *d).map(|(name, _)| name).collect()
    }
}

fn definitions_of(rows: &Rows) -> Result<Vec<Definition>, DbError> {
    rows.iter().map(Definition::from_row).collect()
}

fn definition_params(organisation_id: i64, new: &NewDefinition) -> Vec<Value> {
    vec![
        Value::Integer(organisation_id),
        Value::from(new.preference_code.as_str()),
        Value::from(new.preference_type.code()),
        Value::from(new.preference_description.clone()),
        Value::Integer(i64::from(new.is_active)),
    ]
}

fn duplicate_code() -> ApiError {
    ApiError::conflict(
        ErrorCode::DUPLICATE_PREFERENCE_CODE,
        "preferenceCode",
        "preferenceCode is already used by another preference definition",
    )
}

fn in_use() -> ApiError {
    ApiError::conflict(
        ErrorCode::PREFERENCE_IN_USE,
        "preferenceType",
        "customers hold values for this preference: it cannot be deleted or change its type (deactivate it instead)",
    )
}

/// The organisation's definitions, by code.
pub async fn definitions(db: &impl Db, organisation_id: i64) -> Result<Vec<Definition>, DbError> {
    definitions_of(&db.execute(DEFINITIONS, &[Value::Integer(organisation_id)]).await?)
}

/// One definition of the organisation, or `None` (also another organisation's).
pub async fn definition(db: &impl Db, organisation_id: i64, id: i64) -> Result<Option<Definition>, DbError> {
    Ok(definitions_of(
        &db.execute(DEFINITION, &[Value::Integer(organisation_id), Value::Integer(id)]).await?,
    )?
    .pop())
}

async fn definition_by_code(
    db: &impl Db,
    organisation_id: i64,
    code: &str,
) -> Result<Option<Definition>, DbError> {
    let rows = db.execute(DEFINITION_BY_CODE, &[Value::Integer(organisation_id), Value::from(code)]).await?;
    Ok(definitions_of(&rows)?.pop())
}

/// Adds a definition. Call inside the write transaction.
pub async fn add_definition(
    db: &impl Db,
    actor: &Actor<'_>,
    new: &NewDefinition,
    now: Timestamp,
) -> Result<Definition, ApiError> {
    let mut params = definition_params(actor.organisation_id, new);
    params.push(Value::from(now.rfc3339()));
    let rows = db.execute(INSERT_DEFINITION, &params).await.on_unique(CODE_TAKEN, duplicate_code)?;
    let added = definitions_of(&rows)?.pop().ok_or_else(no_row)?;
    let fields = ["preferenceCode", "preferenceType", "preferenceDescription", "isActive"];
    subresource::record(db, actor, CATALOGUE, "PREFERENCE_DEFINITION_ADDED", &fields, now).await?;
    Ok(added)
}

/// Replaces `current` (read in this transaction, its `If-Match` checked). A type change of
/// a definition customers hold values for is refused.
pub async fn replace_definition(
    db: &impl Db,
    actor: &Actor<'_>,
    current: &Definition,
    new: &NewDefinition,
    now: Timestamp,
) -> Result<Definition, ApiError> {
    if current.preference_type != new.preference_type
        && is_in_use(db, actor.organisation_id, current.id).await?
    {
        return Err(in_use());
    }
    let mut params = definition_params(actor.organisation_id, new);
    params.insert(1, Value::Integer(current.id));
    params.extend([Value::from(now.rfc3339()), Value::Integer(current.version)]);
    let rows = db.execute(REPLACE_DEFINITION, &params).await.on_unique(CODE_TAKEN, duplicate_code)?;
    let replaced = definitions_of(&rows)?.pop().ok_or(ApiError::PreconditionFailed)?;
    let fields = current.changed_fields(new);
    subresource::record(db, actor, CATALOGUE, "PREFERENCE_DEFINITION_CHANGED", &fields, now).await?;
    Ok(replaced)
}

/// Deletes `current` (read in this transaction, its `If-Match` checked), unless customers
/// hold values for it.
pub async fn remove_definition(
    db: &impl Db,
    actor: &Actor<'_>,
    current: &Definition,
    now: Timestamp,
) -> Result<(), ApiError> {
    if is_in_use(db, actor.organisation_id, current.id).await? {
        return Err(in_use());
    }
    let params =
        [Value::Integer(actor.organisation_id), Value::Integer(current.id), Value::Integer(current.version)];
    if db.execute(DELETE_DEFINITION, &params).await?.rows.is_empty() {
        return Err(ApiError::PreconditionFailed);
    }
    subresource::record(db, actor, CATALOGUE, "PREFERENCE_DEFINITION_REMOVED", &[], now).await?;
    Ok(())
}

async fn is_in_use(db: &impl Db, organisation_id: i64, id: i64) -> Result<bool, DbError> {
    let rows = db.execute(DEFINITION_IN_USE, &[Value::Integer(organisation_id), Value::Integer(id)]).await?;
    Ok(rows.first().map(|r| r.int("in_use")).transpose()?.unwrap_or(0) != 0)
}

/// The definition a customer may set a value for: 400 `UNKNOWN_PREFERENCE_CODE` when the
/// organisation has none with that code, 400 `PREFERENCE_INACTIVE` when it is inactive.
pub async fn settable_definition(
    db: &impl Db,
    organisation_id: i64,
    code: &str,
) -> Result<Definition, ApiError> {
    match definition_by_code(db, organisation_id, code).await? {
        None => Err(ApiError::BadRequest {
            code: ErrorCode::UNKNOWN_PREFERENCE_CODE,
            field: Some("preferenceCode".into()),
            message: "the organisation has no preference with this preferenceCode".into(),
        }),
        Some(d) if !d.is_active => Err(ApiError::BadRequest {
            code: ErrorCode::PREFERENCE_INACTIVE,
            field: Some("preferenceCode".into()),
            message: "this preference is inactive and takes no new values".into(),
        }),
        Some(d) => Ok(d),
    }
}
