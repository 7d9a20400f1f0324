//! Consents: an organisation offering one version of a consent base for a period
//! (contract §6). The state follows from the clock: draft (no or a future `validFrom`),
//! active, inactive (`validTo` passed). A draft may change freely; an active consent only in
//! what does not rewrite what customers agreed to (its channels and its end); an inactive one
//! not at all. Consents of one code in one organisation never overlap in time.

use super::base;
use super::sql;
use super::values::{self, present, stored_instant, ConsentCode};
use crate::db::{Db, DbError, Row, Value};
use crate::tenancy::check_organisation;
use crate::time::Timestamp;
#[cfg(feature = "openapi")]
use crate::wire_schema;
use errors::{ApiError, ErrorCode, FieldErrors, Invalid};
use serde::{Deserialize, Serialize};

/// Derived from `validFrom`, `validTo` and the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema), schemars(inline))]
pub enum ConsentState {
    Draft,
    Active,
    Inactive,
}

impl ConsentState {
    /// The state at `now`: the period is `[validFrom, validTo)`.
    pub fn at(valid_from: Option<Timestamp>, valid_to: Option<Timestamp>, now: Timestamp) -> Self {
        match (valid_from, valid_to) {
            (None, _) => Self::Draft,
            (Some(from), _) if from > now => Self::Draft,
            (_, Some(to)) if to <= now => Self::Inactive,
            _ => Self::Active,
        }
    }
}

/// The wire form of `POST` and `PUT …/admin/consents[/{id}]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(
        rename = "ConsentRequest",
        description = "POST and PUT (full replacement, only in `DRAFT`) of a consent."
    )
)]
pub struct ConsentBody {
    /// Optional; when present it must be the token's organisation, else 403
    /// `ORGANISATION_MISMATCH`.
    pub organisation_id: Option<i64>,
    /// The consent base's code.
    #[cfg_attr(feature = "openapi", schemars(with = "String", transform = wire_schema::code(values::CONSENT_CODE_MAX)))]
    pub consent_code: Option<String>,
    /// Default: the base's latest version.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub consent_base_version: Option<i64>,
    /// Default `false`.
    pub is_sms_supported: Option<bool>,
    /// Default `false`.
    pub is_email_supported: Option<bool>,
    /// An RFC 3339 date-time, or a date (its start, 00:00 UTC). Absent: a draft.
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::optional_date_or_date_time))]
    pub valid_from: Option<String>,
    /// An RFC 3339 date-time, or a date (its start, 00:00 UTC). After `validFrom`, not in the
    /// past; absent: open-ended.
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::optional_date_or_date_time))]
    pub valid_to: Option<String>,
}

/// The wire form of `PATCH …/admin/consents/{id}` (JSON Merge Patch: absent keeps a field,
/// `null` clears it).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(
        rename = "ConsentPatch",
        description = "JSON Merge Patch (RFC 7396) of a consent: absent keeps a member, `null` clears it. In `DRAFT` anything may change, in `ACTIVE` only `isSmsSupported`, `isEmailSupported` and `validTo`, in `INACTIVE` nothing.",
        transform = wire_schema::merge_patch
    )
)]
pub struct ConsentPatchBody {
    /// Optional; when present it must be the token's organisation, else 403
    /// `ORGANISATION_MISMATCH`.
    pub organisation_id: Option<i64>,
    /// A new code takes the new base's latest version unless `consentBaseVersion` is given.
    /// Cannot be cleared (`null` is 400 `REQUIRED`).
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<String>", transform = wire_schema::code(values::CONSENT_CODE_MAX)))]
    pub consent_code: Option<Option<String>>,
    /// Cannot be cleared (`null` is 400 `REQUIRED`).
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<i64>", range(min = 1)))]
    pub consent_base_version: Option<Option<i64>>,
    /// Cannot be cleared (`null` is 400 `REQUIRED`).
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<bool>"))]
    pub is_sms_supported: Option<Option<bool>>,
    /// Cannot be cleared (`null` is 400 `REQUIRED`).
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<bool>"))]
    pub is_email_supported: Option<Option<bool>>,
    /// An RFC 3339 date-time, or a date (its start, 00:00 UTC). `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<String>", transform = wire_schema::optional_date_or_date_time))]
    pub valid_from: Option<Option<String>>,
    /// An RFC 3339 date-time, or a date (its start, 00:00 UTC). `null` clears it; one being set
    /// must not lie in the past.
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<String>", transform = wire_schema::optional_date_or_date_time))]
    pub valid_to: Option<Option<String>>,
}

/// What a consent says, checked; `base_version` `None` means "the latest when written".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentSpec {
    pub consent_code: ConsentCode,
    pub base_version: Option<i64>,
    pub is_sms_supported: bool,
    pub is_email_supported: bool,
    pub valid_from: Option<Timestamp>,
    pub valid_to: Option<Timestamp>,
}

fn base_version(raw: i64) -> Result<i64, Invalid> {
    if raw >= 1 {
        Ok(raw)
    } else {
        Err(Invalid::new(ErrorCode::INVALID_VERSION, "must be a positive version number"))
    }
}

/// The period rules every write checks: `validTo` needs a `validFrom` before it, and a
/// `validTo` being set does not lie in the past (a consent cannot be ended retroactively).
fn check_period(errs: &mut FieldErrors, spec: &ConsentSpec, end_changed: bool, now: Timestamp) {
    match (spec.valid_from, spec.valid_to) {
        (None, Some(_)) => {
            errs.push("validTo", Invalid::new(ErrorCode::VALID_TO_WITHOUT_VALID_FROM, "needs a validFrom"));
        }
        (Some(from), Some(to)) if to <= from => {
            errs.push("validTo", Invalid::new(ErrorCode::INVALID_PERIOD, "must be after validFrom"));
        }
        (_, Some(to)) if end_changed && to < now => {
            errs.push("validTo", Invalid::new(ErrorCode::VALID_TO_IN_THE_PAST, "must not be in the past"));
        }
        _ => {}
    }
}

/// Checks a create or a PUT: `consentCode` required; `consentBaseVersion` defaults to the
/// latest; the two flags default to false; `organisationId`, when given, must be the caller's.
pub fn consent_spec(
    body: ConsentBody,
    organisation_id: i64,
    now: Timestamp,
) -> Result<ConsentSpec, ApiError> {
    check_organisation(body.organisation_id, organisation_id)?;
    let mut errs = FieldErrors::default();
    let code = errs.required("consentCode", body.consent_code, ConsentCode::parse);
    let version = body.consent_base_version.and_then(|v| errs.check("consentBaseVersion", base_version(v)));
    let valid_from = errs.optional("validFrom", body.valid_from, values::instant);
    let valid_to = errs.optional("validTo", body.valid_to, values::instant);
    let Some(consent_code) = code else { return Err(ApiError::Validation(errs)) };
    let spec = ConsentSpec {
        consent_code,
        base_version: version,
        is_sms_supported: body.is_sms_supported.unwrap_or(false),
        is_email_supported: body.is_email_supported.unwrap_or(false),
        valid_from,
        valid_to,
    };
    check_period(&mut errs, &spec, true, now);
    errs.into_result()?;
    Ok(spec)
}

/// Applies a merge patch to what `current` says. Changing the code without naming a version
/// takes the latest version of the new code.
pub fn patched(
    body: ConsentPatchBody,
    current: &Consent,
    organisation_id: i64,
    now: Timestamp,
) -> Result<ConsentSpec, ApiError> {
    check_organisation(body.organisation_id, organisation_id)?;
    let mut errs = FieldErrors::default();
    let cannot_clear = || Invalid::new(ErrorCode::REQUIRED, "cannot be cleared");
    let mut spec = current.spec();
    match body.consent_code {
        None => {}
        Some(None) => errs.push("consentCode", cannot_clear()),
        Some(Some(raw)) => {
            if let Some(code) = errs.required("consentCode", Some(raw), ConsentCode::parse) {
                if code != spec.consent_code {
                    spec.base_version = None;
                }
                spec.consent_code = code;
            }
        }
    }
    match body.consent_base_version {
        None => {}
        Some(None) => errs.push("consentBaseVersion", cannot_clear()),
        Some(Some(v)) => {
            spec.base_version = errs.check("consentBaseVersion", base_version(v)).or(spec.base_version)
        }
    }
    for (field, patch, flag) in [
        ("isSmsSupported", body.is_sms_supported, &mut spec.is_sms_supported),
        ("isEmailSupported", body.is_email_supported, &mut spec.is_email_supported),
    ] {
        match patch {
            None => {}
            Some(None) => errs.push(field, cannot_clear()),
            Some(Some(value)) => *flag = value,
        }
    }
    if let Some(raw) = body.valid_from {
        spec.valid_from = raw.and_then(|raw| errs.optional("validFrom", Some(raw), values::instant));
    }
    if let Some(raw) = body.valid_to {
        spec.valid_to = raw.and_then(|raw| errs.optional("validTo", Some(raw), values::instant));
    }
    if errs.is_empty() {
        check_period(&mut errs, &spec, spec.valid_to != current.valid_to, now);
    }
    errs.into_result()?;
    Ok(spec)
}

/// A stored consent.
#[derive(Debug, Clone, PartialEq)]
pub struct Consent {
    pub id: i64,
    pub organisation_id: i64,
    pub consent_code: String,
    pub consent_base_version: i64,
    pub is_sms_supported: bool,
    pub is_email_supported: bool,
    pub valid_from: Option<Timestamp>,
    pub valid_to: Option<Timestamp>,
    pub created_at: String,
    pub changed_at: String,
    pub version: i64,
}

impl Consent {
    pub(crate) fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        let instant = |column: &str| row.opt_text(column)?.as_deref().map(stored_instant).transpose();
        Ok(Self {
            id: row.int("id")?,
            organisation_id: row.int("organisation_id")?,
            consent_code: row.text("consent_code")?,
            consent_base_version: row.int("consent_base_version")?,
            is_sms_supported: row.int("is_sms_supported")? == 1,
            is_email_supported: row.int("is_email_supported")? == 1,
            valid_from: instant("valid_from")?,
            valid_to: instant("valid_to")?,
            created_at: row.text("created_at")?,
            changed_at: row.text("changed_at")?,
            version: row.int("version")?,
        })
    }

    pub fn state(&self, now: Timestamp) -> ConsentState {
        ConsentState::at(self.valid_from, self.valid_to, now)
    }

    /// What it says, as a spec (for patches and comparisons).
    pub fn spec(&self) -> ConsentSpec {
        ConsentSpec {
            consent_code: ConsentCode::parse(&self.consent_code).expect("stored codes were checked"),
            base_version: Some(self.consent_base_version),
            is_sms_supported: self.is_sms_supported,
            is_email_supported: self.is_email_supported,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
        }
    }

    pub fn location(&self) -> String {
        format!("/customers/v2/consents/admin/consents/{}", self.id)
    }
}

fn not_draft() -> ApiError {
    ApiError::Conflict {
        code: ErrorCode::CONSENT_NOT_DRAFT,
        field: None,
        message: "only a draft consent can be changed this way; an active one can change only its channels and validTo",
    }
}

/// 409 unless the consent may change from `current` to `next` at `now`: a PUT (`full`) only
/// in draft; a PATCH in draft freely, when active only `isSmsSupported`, `isEmailSupported` and
/// `validTo`, when inactive not at all. A patch that changes nothing always passes.
pub fn check_transition(
    current: &Consent,
    next: &ConsentSpec,
    full: bool,
    now: Timestamp,
) -> Result<(), ApiError> {
    let same_offer = next.consent_code.as_str() == current.consent_code
        && next.base_version == Some(current.consent_base_version)
        && next.valid_from == current.valid_from;
    match current.state(now) {
        ConsentState::Draft => Ok(()),
        _ if full => Err(not_draft()),
        _ if *next == current.spec() => Ok(()),
        ConsentState::Active if same_offer => Ok(()),
        ConsentState::Active => Err(not_draft()),
        ConsentState::Inactive => Err(ApiError::Conflict {
            code: ErrorCode::CONSENT_INACTIVE,
            field: None,
            message: "an inactive consent cannot be changed",
        }),
    }
}

/// The base (its id) and version the spec names, checked to exist among the bases the
/// organisation may see (404 otherwise, like any reference to something the caller cannot
/// see: another organisation's base of the same code is not one of them).
async fn resolve_version(
    db: &impl Db,
    organisation_id: i64,
    spec: &ConsentSpec,
) -> Result<(i64, i64), ApiError> {
    let code = spec.consent_code.as_str();
    match spec.base_version {
        None => {
            let base = base::find(db, organisation_id, code, None).await?.ok_or(ApiError::NotFound)?;
            Ok((base.id, base.latest_version))
        }
        Some(v) => {
            Ok((base::base_with_version(db, organisation_id, code, v).await?.ok_or(ApiError::NotFound)?, v))
        }
    }
}

/// 409 `OVERLAPPING_CONSENT` when another consent of the code meets the spec's period. Runs
/// inside the write transaction, whose lock (BEGIN IMMEDIATE) keeps a concurrent write from
/// slipping between this check and the write.
async fn check_overlap(
    db: &impl Db,
    organisation_id: i64,
    id: i64,
    spec: &ConsentSpec,
) -> Result<(), ApiError> {
    let Some(from) = spec.valid_from else { return Ok(()) };
    let params = [
        Value::Integer(organisation_id),
        Value::from(spec.consent_code.as_str()),
        Value::Integer(id),
        Value::from(from.rfc3339()),
        Value::from(spec.valid_to.map(Timestamp::rfc3339)),
    ];
    if db.execute(sql::CONSENT_OVERLAP, &params).await?.first().is_some() {
        return Err(ApiError::conflict(
            ErrorCode::OVERLAPPING_CONSENT,
            "validFrom",
            "another consent with this consentCode is valid in part of this period",
        ));
    }
    Ok(())
}

/// Stores a new consent. Call inside the write transaction.
pub async fn insert(
    db: &impl Db,
    organisation_id: i64,
    spec: &ConsentSpec,
    now: Timestamp,
) -> Result<Consent, ApiError> {
    let (base_id, version) = resolve_version(db, organisation_id, spec).await?;
    check_overlap(db, organisation_id, 0, spec).await?;
    let rows = db
        .execute(
            sql::CONSENT_INSERT,
            &[
                Value::Integer(organisation_id),
                Value::from(spec.consent_code.as_str()),
                Value::Integer(version),
                Value::Integer(i64::from(spec.is_sms_supported)),
                Value::Integer(i64::from(spec.is_email_supported)),
                Value::from(spec.valid_from.map(Timestamp::rfc3339)),
                Value::from(spec.valid_to.map(Timestamp::rfc3339)),
                Value::from(now.rfc3339()),
                Value::Integer(base_id),
            ],
        )
        .await?;
    let id = rows.first().ok_or_else(|| DbError::Other("INSERT returned no row".into()))?.int("id")?;
    find(db, organisation_id, id).await?.ok_or(ApiError::NotFound)
}

/// Writes `next` over `current` (checked with [`check_transition`] by the caller). Call inside
/// the write transaction.
pub async fn update(
    db: &impl Db,
    organisation_id: i64,
    current: &Consent,
    next: &ConsentSpec,
    now: Timestamp,
) -> Result<Consent, ApiError> {
    if *next == current.spec() {
        return Ok(current.clone());
    }
    let (base_id, version) = resolve_version(db, organisation_id, next).await?;
    check_overlap(db, organisation_id, current.id, next).await?;
    db.execute(
        sql::CONSENT_UPDATE,
        &[
            Value::Integer(organisation_id),
            Value::Integer(current.id),
            Value::from(next.consent_code.as_str()),
            Value::Integer(version),
            Value::Integer(i64::from(next.is_sms_supported)),
            Value::Integer(i64::from(next.is_email_supported)),
            Value::from(next.valid_from.map(Timestamp::rfc3339)),
            Value::from(next.valid_to.map(Timestamp::rfc3339)),
            Value::from(now.rfc3339()),
            Value::Integer(base_id),
        ],
    )
    .await?;
    find(db, organisation_id, current.id).await?.ok_or(ApiError::NotFound)
}

/// One of the organisation's consents.
pub async fn find(db: &impl Db, organisation_id: i64, id: i64) -> Result<Option<Consent>, DbError> {
    let rows = db.execute(sql::CONSENT_FIND, &[Value::Integer(organisation_id), Value::Integer(id)]).await?;
    rows.first().map(Consent::from_row).transpose()
}

/// The organisation's consent of `code` that is active at `now`.
pub async fn find_active_by_code(
    db: &impl Db,
    organisation_id: i64,
    code: &str,
    now: Timestamp,
) -> Result<Option<Consent>, DbError> {
    let params = [Value::Integer(organisation_id), Value::from(code), Value::from(now.rfc3339())];
    db.execute(sql::CONSENT_ACTIVE_BY_CODE, &params).await?.first().map(Consent::from_row).transpose()
}

/// Which base versions a listing shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Versions {
    /// Every version (`ALL`, the default).
    #[default]
    All,
    /// Only the latest version of each base (`CURRENT`).
    Current,
    /// The listed versions.
    Listed(Vec<i64>),
}

impl Versions {
    /// `versions=1,2`, `ALL` or `CURRENT`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim().to_ascii_uppercase().as_str() {
            "" | "ALL" => Ok(Self::All),
            "CURRENT" => Ok(Self::Current),
            _ => raw
                .split(',')
                .map(|v| v.trim().parse::<i64>().ok().filter(|v| *v >= 1))
                .collect::<Option<Vec<_>>>()
                .map(Self::Listed)
                .ok_or_else(|| {
                    Invalid::new(
                        ErrorCode::INVALID_VERSIONS,
                        "must be ALL, CURRENT or a comma-separated list of versions",
                    )
                }),
        }
    }
}

/// What a listing of consents shows.
#[derive(Debug, Clone, Default)]
pub struct ConsentFilter {
    /// `None`: every code.
    pub codes: Option<Vec<String>>,
    pub versions: Versions,
    /// Drafts too (admin listing).
    pub include_drafts: bool,
    /// Inactive ones too.
    pub include_inactive: bool,
}

/// The organisation's consents, by code, version and id.
pub async fn list(
    db: &impl Db,
    organisation_id: i64,
    filter: &ConsentFilter,
    now: Timestamp,
) -> Result<Vec<Consent>, DbError> {
    let json = |v: String| Value::Text(v);
    let codes = filter.codes.as_ref().map(|c| json(serde_json::to_string(c).expect("strings serialise")));
    let (versions, current) = match &filter.versions {
        Versions::All => (None, 0),
        Versions::Current => (None, 1),
        Versions::Listed(v) => (Some(json(serde_json::to_string(v).expect("numbers serialise"))), 0),
    };
    let params = [
        Value::Integer(organisation_id),
        codes.unwrap_or(Value::Null),
        versions.unwrap_or(Value::Null),
        Value::Integer(current),
        Value::Integer(i64::from(filter.include_drafts)),
        Value::Integer(i64::from(filter.include_inactive)),
        Value::from(now.rfc3339()),
    ];
    db.execute(sql::CONSENT_LIST, &params).await?.iter().map(Consent::from_row).collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::connection::Transactions;
    use crate::consent::base::{self, ConsentBaseBody, TermBody};
    use crate::test_db::{BlockOn, TestDb};

    pub const NOW: Timestamp = Timestamp(1_795_846_663_123); // 2026-11-28T06:17:43.123Z
    pub const ORG: i64 = 1001;
    const DAY: i64 = 24 * 60 * 60 * 1000;

    pub fn at(offset_days: i64) -> String {
        Timestamp(NOW.0 + offset_days * DAY).rfc3339()
    }

    /// A base `code` owned by ORG, with `versions` versions.
    pub fn base_with_versions(db: &TestDb, code: &str, versions: i64) {
        let body = |text: String| ConsentBaseBody {
            consent_code: Some(code.into()),
            terms: Some(vec![TermBody { language: Some("EN".into()), text: Some(text) }]),
            ..Default::default()
        };
        let new = base::new_base(body("v1".into()), ORG).unwrap();
        db.transaction(async |tx| base::insert(tx, ORG, &new, NOW).await).block_on().unwrap();
        for v in 2..=versions {
            let current = base::find(db, ORG, code, None).block_on().unwrap().unwrap();
            let change = base::base_change(body(format!("v{v}")), code, ORG).unwrap();
            db.transaction(async |tx| base::change(tx, ORG, &current, &change, NOW).await)
                .block_on()
                .unwrap();
        }
    }

    pub fn spec(code: &str, from: Option<i64>, to: Option<i64>) -> ConsentSpec {
        let body = ConsentBody {
            consent_code: Some(code.into()),
            valid_from: from.map(at),
            valid_to: to.map(at),
            ..Default::default()
        };
        consent_spec(body, ORG, Timestamp(NOW.0 - 1000 * DAY)).unwrap()
    }

    pub fn create(db: &TestDb, spec: &ConsentSpec) -> Result<Consent, ApiError> {
        db.transaction(async |tx| insert(tx, ORG, spec, NOW).await).block_on()
    }

    #[test]
    fn the_state_follows_from_the_period_and_the_clock() {
        let t = |days: i64| Some(Timestamp(NOW.0 + days * DAY));
        assert_eq!(ConsentState::at(None, None, NOW), ConsentState::Draft);
        assert_eq!(ConsentState::at(t(1), None, NOW), ConsentState::Draft);
        assert_eq!(ConsentState::at(Some(NOW), None, NOW), ConsentState::Active, "active from validFrom on");
        assert_eq!(ConsentState::at(t(-2), t(1), NOW), ConsentState::Active);
        assert_eq!(
            ConsentState::at(t(-2), Some(NOW), NOW),
            ConsentState::Inactive,
            "inactive from validTo on"
        );
    }

    #[test]
    fn a_period_needs_a_start_before_its_end_and_an_end_not_in_the_past() {
        let check = |from: Option<&str>, to: Option<&str>| {
            let body = ConsentBody {
                consent_code: Some("C".into()),
                valid_from: from.map(Into::into),
                valid_to: to.map(Into::into),
                ..Default::default()
            };
            consent_spec(body, ORG, NOW).map(|_| ()).map_err(|e| e.entries()[0].error_code.to_string())
        };
        assert_eq!(check(None, Some("2030-01-01")), Err("VALID_TO_WITHOUT_VALID_FROM".into()));
        assert_eq!(check(Some("2030-01-01"), Some("2029-01-01")), Err("INVALID_PERIOD".into()));
        assert_eq!(check(Some("2020-01-01"), Some("2021-01-01")), Err("VALID_TO_IN_THE_PAST".into()));
        assert_eq!(check(Some("2020-01-01"), Some("2030-01-01")), Ok(()));
    }

    #[test]
    fn the_version_defaults_to_the_latest_and_must_exist() {
        let db = TestDb::new();
        base_with_versions(&db, "C", 2);
        assert_eq!(create(&db, &spec("C", None, None)).unwrap().consent_base_version, 2);
        let mut old = spec("C", None, None);
        old.base_version = Some(1);
        assert_eq!(create(&db, &old).unwrap().consent_base_version, 1);
        old.base_version = Some(3);
        assert_eq!(create(&db, &old).unwrap_err().status(), 404);
        assert_eq!(create(&db, &spec("NO_SUCH", None, None)).unwrap_err().status(), 404);
    }

    #[test]
    fn periods_of_one_code_must_not_overlap() {
        let db = TestDb::new();
        base_with_versions(&db, "C", 1);
        base_with_versions(&db, "D", 1);
        create(&db, &spec("C", Some(-10), Some(10))).unwrap();
        for (from, to) in [(Some(5), None), (Some(-20), Some(-5)), (Some(-20), None), (Some(0), Some(1))] {
            let error = create(&db, &spec("C", from, to)).unwrap_err();
            assert_eq!(error.error_code(), "OVERLAPPING_CONSENT", "{from:?}..{to:?}");
        }
        create(&db, &spec("C", Some(10), None)).expect("touching periods do not overlap");
        create(&db, &spec("C", None, None)).expect("a draft without validFrom occupies no time");
        create(&db, &spec("D", Some(-10), None)).expect("another code");
    }

    #[test]
    fn a_consent_does_not_overlap_itself_when_it_changes() {
        let db = TestDb::new();
        base_with_versions(&db, "C", 1);
        let draft = create(&db, &spec("C", Some(5), Some(10))).unwrap();
        let moved = spec("C", Some(6), Some(12));
        let updated =
            db.transaction(async |tx| update(tx, ORG, &draft, &moved, NOW).await).block_on().unwrap();
        assert_eq!(updated.version, 2);
        assert_eq!(updated.valid_to, moved.valid_to);
    }

    #[test]
    fn a_put_changes_only_drafts_and_a_patch_of_an_active_consent_only_channels_and_end() {
        let db = TestDb::new();
        base_with_versions(&db, "C", 2);
        let active = create(&db, &spec("C", Some(-1), None)).unwrap();
        let mut end = active.spec();
        end.valid_to = Some(Timestamp(NOW.0 + DAY));
        end.is_sms_supported = true;
        assert_eq!(check_transition(&active, &end, true, NOW).unwrap_err().error_code(), "CONSENT_NOT_DRAFT");
        check_transition(&active, &end, false, NOW).unwrap();
        let mut moved = active.spec();
        moved.valid_from = Some(Timestamp(NOW.0 - 2 * DAY));
        assert_eq!(
            check_transition(&active, &moved, false, NOW).unwrap_err().error_code(),
            "CONSENT_NOT_DRAFT"
        );
        let mut other_version = active.spec();
        other_version.base_version = Some(1);
        assert_eq!(check_transition(&active, &other_version, false, NOW).unwrap_err().status(), 409);
        let later = Timestamp(NOW.0 + 2 * DAY);
        let ended = db.transaction(async |tx| update(tx, ORG, &active, &end, NOW).await).block_on().unwrap();
        assert_eq!(ended.state(later), ConsentState::Inactive);
        let mut reopen = ended.spec();
        reopen.valid_to = None;
        assert_eq!(
            check_transition(&ended, &reopen, false, later).unwrap_err().error_code(),
            "CONSENT_INACTIVE"
        );
        check_transition(&ended, &ended.spec(), false, later).expect("a patch changing nothing passes");
    }

    #[test]
    fn a_patch_keeps_absent_fields_clears_nulls_and_refuses_to_clear_required_ones() {
        let db = TestDb::new();
        base_with_versions(&db, "C", 1);
        let draft = create(&db, &spec("C", Some(5), Some(10))).unwrap();
        let body: ConsentPatchBody =
            serde_json::from_str(r#"{"validTo": null, "isSmsSupported": true}"#).unwrap();
        let next = patched(body, &draft, ORG, NOW).unwrap();
        assert_eq!((next.valid_from, next.valid_to, next.is_sms_supported), (draft.valid_from, None, true));
        let body: ConsentPatchBody = serde_json::from_str(r#"{"consentCode": null}"#).unwrap();
        assert_eq!(patched(body, &draft, ORG, NOW).unwrap_err().entries()[0].error_code, "REQUIRED");
        let body: ConsentPatchBody = serde_json::from_str(r#"{"validFrom": null}"#).unwrap();
        let error = patched(body, &draft, ORG, NOW).unwrap_err();
        assert_eq!(error.entries()[0].error_code, "VALID_TO_WITHOUT_VALID_FROM");
    }

    #[test]
    fn listings_filter_by_code_version_and_state() {
        let db = TestDb::new();
        base_with_versions(&db, "C", 2);
        base_with_versions(&db, "D", 1);
        let mut old = spec("C", Some(-10), Some(1));
        old.base_version = Some(1);
        let old = create(&db, &old).unwrap();
        let current = create(&db, &spec("C", Some(1), None)).unwrap();
        let d = create(&db, &spec("D", Some(-1), None)).unwrap();
        let later = Timestamp(NOW.0 + 2 * DAY);
        let ids = |filter: ConsentFilter, now: Timestamp| -> Vec<i64> {
            list(&db, ORG, &filter, now).block_on().unwrap().into_iter().map(|c| c.id).collect()
        };
        assert_eq!(ids(ConsentFilter::default(), NOW), [old.id, d.id], "no drafts, no inactive");
        assert_eq!(ids(ConsentFilter::default(), later), [current.id, d.id]);
        let all = ConsentFilter { include_inactive: true, ..Default::default() };
        assert_eq!(ids(all.clone(), later), [old.id, current.id, d.id]);
        let current_only = ConsentFilter { versions: Versions::Current, ..all.clone() };
        assert_eq!(ids(current_only, later), [current.id, d.id]);
        let v1 = ConsentFilter { versions: Versions::Listed(vec![1]), codes: Some(vec!["C".into()]), ..all };
        assert_eq!(ids(v1, later), [old.id]);
        let admin = ConsentFilter { include_drafts: true, ..Default::default() };
        assert_eq!(ids(admin, NOW), [old.id, current.id, d.id]);
        assert_eq!(list(&db, 2002, &ConsentFilter::default(), NOW).block_on().unwrap(), []);
    }

    #[test]
    fn versions_are_all_current_or_a_list() {
        assert_eq!(Versions::parse("ALL").unwrap(), Versions::All);
        assert_eq!(Versions::parse("current").unwrap(), Versions::Current);
        assert_eq!(Versions::parse("1, 2").unwrap(), Versions::Listed(vec![1, 2]));
        assert_eq!(Versions::parse("1,x").unwrap_err().code, "INVALID_VERSIONS");
        assert!(Versions::parse("0").is_err());
    }

    #[test]
    fn the_active_consent_of_a_code_is_found_by_the_clock() {
        let db = TestDb::new();
        base_with_versions(&db, "C", 1);
        let first = create(&db, &spec("C", Some(-10), Some(1))).unwrap();
        let second = create(&db, &spec("C", Some(1), None)).unwrap();
        assert_eq!(find_active_by_code(&db, ORG, "C", NOW).block_on().unwrap().unwrap().id, first.id);
        let later = Timestamp(NOW.0 + 2 * DAY);
        assert_eq!(find_active_by_code(&db, ORG, "C", later).block_on().unwrap().unwrap().id, second.id);
        assert_eq!(find_active_by_code(&db, 2002, "C", NOW).block_on().unwrap(), None);
    }
}
