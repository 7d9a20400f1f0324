//! Consent bases: the legal terms, versioned (contract §6). New terms make a new version and
//! old versions stay readable; a translation into a further language joins the latest
//! version, because it leaves every text a customer may have agreed to unchanged.

use super::sql;
use super::values::{self, ConsentCode, Term, Terms, TermsChange};
use crate::db::{Db, DbError, Row, Value};
use crate::time::Timestamp;
#[cfg(feature = "openapi")]
use crate::wire_schema;
use errors::{ApiError, ErrorCode, FieldErrors, Invalid, OnUnique};
use serde::Deserialize;

/// The wire form of `POST` and `PUT …/admin/consent-bases[/{consentCode}]` (the schema is
/// POST's; PUT's is [`ReplaceBaseBody`]).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(rename = "ConsentBaseRequest", description = "Create a consent base (version 1).")
)]
pub struct ConsentBaseBody {
    /// 1 to 20 of `A-Z a-z 0-9 _ -`, unique within the organisation.
    #[cfg_attr(feature = "openapi", schemars(with = "String", transform = wire_schema::code(values::CONSENT_CODE_MAX)))]
    pub consent_code: Option<String>,
    /// The terms, at least one language, each once.
    #[cfg_attr(feature = "openapi", schemars(with = "Vec<TermBody>", length(min = 1)))]
    pub terms: Option<Vec<TermBody>>,
    /// At most 1000 characters.
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::optional_text(values::INTERNAL_DESCRIPTION_MAX)))]
    pub internal_description: Option<String>,
    /// Optional; when present it must be the token's organisation.
    pub consent_owner_org_id: Option<i64>,
}

/// PUT's reading of [`ConsentBaseBody`] (`ConsentBaseReplaceRequest`): the same members, with
/// `consentCode` optional, as the path names the base. Only the schema's.
#[cfg(feature = "openapi")]
pub struct ReplaceBaseBody;

#[cfg(feature = "openapi")]
impl schemars::JsonSchema for ReplaceBaseBody {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ConsentBaseReplaceRequest".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut schema = ConsentBaseBody::json_schema(generator);
        schema.insert(
            "description".into(),
            "New terms and description. Changed or dropped texts make a new version; texts in \
             further languages join the latest version."
                .into(),
        );
        let mut code = schemars::json_schema!({
            "description": "Optional; when given it must be the path's consent code.",
        });
        wire_schema::optional_text(values::CONSENT_CODE_MAX)(&mut code);
        wire_schema::optional_member(&mut schema, "consentCode", code);
        schema
    }
}

/// One entry of `terms`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(rename = "TermRequest", description = "")
)]
pub struct TermBody {
    /// One of `NO`, `EN`, `SV`, `DA`, `FI`, `DE`, `FR`, `ES`, `nob`, `nno`, `nor`, `eng`, `sme`,
    /// `sma`, `smj`, `swe`, `dan`, `fin`, `deu`, `fra`, `spa` (any case in; two-letter codes are
    /// stored upper case, three-letter codes lower case).
    #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::required_language))]
    pub language: Option<String>,
    /// At most 20000 characters; line breaks and tabs allowed, other control characters not.
    #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::required_text(values::MAX_TERM_CHARS)))]
    pub text: Option<String>,
}

/// A checked new consent base, owned by the caller's organisation.
#[derive(Debug, Clone)]
pub struct NewConsentBase {
    pub code: ConsentCode,
    pub terms: Terms,
    pub internal_description: Option<String>,
}

/// A checked PUT: the terms and description the base is to have.
#[derive(Debug, Clone)]
pub struct BaseChange {
    pub terms: Terms,
    pub internal_description: Option<String>,
}

/// Checks a create: `consentCode` and `terms` required; `consentOwnerOrgId`, when given, must
/// be the caller's organisation (a base is always owned by its creator).
pub fn new_base(body: ConsentBaseBody, organisation_id: i64) -> Result<NewConsentBase, ApiError> {
    if body.consent_owner_org_id.is_some_and(|owner| owner != organisation_id) {
        return Err(ApiError::OrganisationMismatch);
    }
    let mut errs = FieldErrors::default();
    let code = errs.required("consentCode", body.consent_code, ConsentCode::parse);
    let terms = parse_terms(&mut errs, body.terms);
    let internal_description =
        errs.optional("internalDescription", body.internal_description, values::internal_description);
    match (code, terms) {
        (Some(code), Some(terms)) if errs.is_empty() => {
            Ok(NewConsentBase { code, terms, internal_description })
        }
        _ => Err(ApiError::Validation(errs)),
    }
}

/// Checks a PUT (full replacement of terms and description): `terms` required;
/// `consentCode`, when given, must be the path's; `consentOwnerOrgId`, when given, the caller's.
pub fn base_change(body: ConsentBaseBody, code: &str, organisation_id: i64) -> Result<BaseChange, ApiError> {
    if body.consent_owner_org_id.is_some_and(|owner| owner != organisation_id) {
        return Err(ApiError::OrganisationMismatch);
    }
    let mut errs = FieldErrors::default();
    errs.optional("consentCode", body.consent_code, |given| {
        if given == code {
            Ok(())
        } else {
            Err(Invalid::new(ErrorCode::CONSENT_CODE_MISMATCH, "must be the consentCode of the path"))
        }
    });
    let terms = parse_terms(&mut errs, body.terms);
    let internal_description =
        errs.optional("internalDescription", body.internal_description, values::internal_description);
    match terms {
        Some(terms) if errs.is_empty() => Ok(BaseChange { terms, internal_description }),
        _ => Err(ApiError::Validation(errs)),
    }
}

fn parse_terms(errs: &mut FieldErrors, raw: Option<Vec<TermBody>>) -> Option<Terms> {
    let Some(raw) = raw.filter(|terms| !terms.is_empty()) else {
        errs.push("terms", Invalid::new(ErrorCode::REQUIRED, "must hold the terms in at least one language"));
        return None;
    };
    let mut terms = Vec::new();
    for (i, term) in raw.into_iter().enumerate() {
        let language = errs.required(&format!("terms[{i}].language"), term.language, values::term_language);
        let text = errs.required(&format!("terms[{i}].text"), term.text, values::term_text);
        if let (Some(language), Some(text)) = (language, text) {
            terms.push(Term { language, text });
        }
    }
    if !errs.is_empty() {
        return None;
    }
    Terms::new(terms)
        .map_err(|i| {
            errs.push(
                &format!("terms[{i}].language"),
                Invalid::new(ErrorCode::DUPLICATE_LANGUAGE, "appears more than once"),
            )
        })
        .ok()
}

/// A consent base as read back: one version of its terms.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsentBase {
    /// Names the base in the database (its code names it only within an organisation).
    pub id: i64,
    pub consent_code: String,
    /// `None`: shared, usable by every organisation.
    pub owner_org_id: Option<i64>,
    pub internal_description: Option<String>,
    /// The version these terms are.
    pub version: i64,
    pub latest_version: i64,
    pub terms: Vec<Term>,
    pub created_at: String,
    pub changed_at: String,
    /// Bumped by every change; the `ETag`.
    pub revision: i64,
}

impl ConsentBase {
    fn from_row(row: Row<'_>, terms: Vec<Term>) -> Result<Self, DbError> {
        let latest_version = row.int("latest_version")?;
        Ok(Self {
            id: row.int("id")?,
            consent_code: row.text("consent_code")?,
            owner_org_id: row.opt_int("owner_org_id")?,
            internal_description: row.opt_text("internal_description")?,
            version: latest_version,
            latest_version,
            terms,
            created_at: row.text("created_at")?,
            changed_at: row.text("changed_at")?,
            revision: row.int("revision")?,
        })
    }

    /// Whether the organisation may change it: only its owner (a shared base: no one).
    pub fn is_owned_by(&self, organisation_id: i64) -> bool {
        self.owner_org_id == Some(organisation_id)
    }

    pub fn location(&self) -> String {
        format!("/customers/v2/consents/admin/consent-bases/{}", self.consent_code)
    }
}

/// The 409 of a code the organisation already sees: its own base's, or a shared one's. Another
/// organisation's codes play no part (contract §6: unique within the organisation).
pub fn duplicate_code() -> ApiError {
    ApiError::conflict(ErrorCode::DUPLICATE_CONSENT_CODE, "consentCode", "consentCode is already in use")
}

/// Stores a new base with its first version. Call inside the write transaction: a code the
/// organisation sees already (its own, or a shared base's) is a 409, checked under the write
/// lock; the unique index decides between two creates of the same code by one organisation.
pub async fn insert(
    db: &impl Db,
    organisation_id: i64,
    new: &NewConsentBase,
    now: Timestamp,
) -> Result<(), ApiError> {
    let code = new.code.as_str();
    if db
        .execute(sql::BASE_FIND, &[Value::Integer(organisation_id), Value::from(code)])
        .await?
        .first()
        .is_some()
    {
        return Err(duplicate_code());
    }
    let rows = db
        .execute(
            sql::BASE_INSERT,
            &[
                Value::Integer(organisation_id),
                Value::from(code),
                Value::from(new.internal_description.clone()),
                Value::from(now.rfc3339()),
            ],
        )
        .await
        .on_unique(sql::CODE_TAKEN, duplicate_code)?;
    let id = rows.first().ok_or_else(|| DbError::Other("INSERT returned no row".into()))?.int("id")?;
    insert_version(db, id, 1, new.terms.as_slice(), now).await?;
    Ok(())
}

async fn insert_version(
    db: &impl Db,
    base_id: i64,
    version: i64,
    terms: &[Term],
    now: Timestamp,
) -> Result<(), DbError> {
    db.execute(
        sql::VERSION_INSERT,
        &[Value::Integer(base_id), Value::Integer(version), Value::from(now.rfc3339())],
    )
    .await?;
    insert_terms(db, base_id, version, terms, now).await
}

async fn insert_terms(
    db: &impl Db,
    base_id: i64,
    version: i64,
    terms: &[Term],
    now: Timestamp,
) -> Result<(), DbError> {
    for term in terms {
        db.execute(
            sql::TERM_INSERT,
            &[
                Value::Integer(base_id),
                Value::Integer(version),
                Value::from(term.language.as_str()),
                Value::from(term.text.as_str()),
                Value::from(now.rfc3339()),
            ],
        )
        .await?;
    }
    Ok(())
}

async fn terms_of(db: &impl Db, base_id: i64, version: i64) -> Result<Vec<Term>, DbError> {
    let rows = db.execute(sql::TERMS_OF_VERSION, &[Value::Integer(base_id), Value::Integer(version)]).await?;
    rows.iter().map(|r| Ok(Term { language: r.text("language")?, text: r.text("text")? })).collect()
}

/// A base the organisation may see (its own or a shared one), with the terms of `version`
/// (`None`: the latest). `None` when it does not exist, is another organisation's, or has no
/// such version.
pub async fn find(
    db: &impl Db,
    organisation_id: i64,
    code: &str,
    version: Option<i64>,
) -> Result<Option<ConsentBase>, DbError> {
    let rows = db.execute(sql::BASE_FIND, &[Value::Integer(organisation_id), Value::from(code)]).await?;
    let Some(row) = rows.first() else { return Ok(None) };
    let mut base = ConsentBase::from_row(row, Vec::new())?;
    if let Some(version) = version {
        if !(1..=base.latest_version).contains(&version) {
            return Ok(None);
        }
        base.version = version;
    }
    base.terms = terms_of(db, base.id, base.version).await?;
    Ok(Some(base))
}

/// The id of the base of code `code` the organisation may see, if it has version `version`.
pub async fn base_with_version(
    db: &impl Db,
    organisation_id: i64,
    code: &str,
    version: i64,
) -> Result<Option<i64>, DbError> {
    let params = [Value::Integer(organisation_id), Value::from(code), Value::Integer(version)];
    db.execute(sql::VERSION_FIND, &params).await?.first().map(|row| row.int("id")).transpose()
}

/// Every base the organisation may see, each with its latest terms, by code.
pub async fn list(db: &impl Db, organisation_id: i64) -> Result<Vec<ConsentBase>, DbError> {
    let org = [Value::Integer(organisation_id)];
    let terms = db.execute(sql::LATEST_TERMS, &org).await?;
    let bases = db.execute(sql::BASE_LIST, &org).await?;
    bases
        .iter()
        .map(|row| {
            let id = row.int("id")?;
            let mut of_base = Vec::new();
            for t in terms.iter() {
                if t.int("base_id")? == id {
                    of_base.push(Term { language: t.text("language")?, text: t.text("text")? });
                }
            }
            ConsentBase::from_row(row, of_base)
        })
        .collect()
}

/// Applies a PUT to `current` (the latest version, read in this transaction): new terms make
/// a new version, added languages join the latest one, an unchanged PUT writes nothing.
/// Only the owner may change a base: 409 `CONSENT_BASE_NOT_OWNED` for a shared one.
pub async fn change(
    db: &impl Db,
    organisation_id: i64,
    current: &ConsentBase,
    change: &BaseChange,
    now: Timestamp,
) -> Result<ConsentBase, ApiError> {
    if !current.is_owned_by(organisation_id) {
        return Err(ApiError::Conflict {
            code: ErrorCode::CONSENT_BASE_NOT_OWNED,
            field: None,
            message: "a shared consent base is maintained by the platform operator and cannot be changed",
        });
    }
    let id = current.id;
    let terms_change = change.terms.compared_to(&current.terms);
    let mut latest = current.latest_version;
    match terms_change {
        TermsChange::Same => {}
        TermsChange::Translated => {
            let added: Vec<Term> =
                change.terms.as_slice().iter().filter(|t| !current.terms.contains(t)).cloned().collect();
            insert_terms(db, id, latest, &added, now).await?;
        }
        TermsChange::Changed => {
            latest += 1;
            insert_version(db, id, latest, change.terms.as_slice(), now).await?;
        }
    }
    if terms_change != TermsChange::Same || change.internal_description != current.internal_description {
        db.execute(
            sql::BASE_UPDATE,
            &[
                Value::Integer(organisation_id),
                Value::Integer(id),
                Value::from(change.internal_description.clone()),
                Value::Integer(latest),
                Value::from(now.rfc3339()),
            ],
        )
        .await?;
    }
    find(db, organisation_id, &current.consent_code, None).await?.ok_or(ApiError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection::Transactions;
    use crate::test_db::{BlockOn, TestDb};

    pub const NOW: Timestamp = Timestamp(1_795_846_663_123);
    const ORG: i64 = 1001;

    fn term(language: &str, text: &str) -> TermBody {
        TermBody { language: Some(language.into()), text: Some(text.into()) }
    }

    fn body(code: &str, terms: Vec<TermBody>) -> ConsentBaseBody {
        ConsentBaseBody { consent_code: Some(code.into()), terms: Some(terms), ..Default::default() }
    }

    fn create(db: &TestDb, code: &str) -> ConsentBase {
        let new = new_base(body(code, vec![term("EN", "You may email me")]), ORG).unwrap();
        db.transaction(async |tx| insert(tx, ORG, &new, NOW).await).block_on().unwrap();
        find(db, ORG, code, None).block_on().unwrap().unwrap()
    }

    fn put(db: &TestDb, current: &ConsentBase, terms: Vec<TermBody>) -> ConsentBase {
        let change = base_change(body(&current.consent_code, terms), &current.consent_code, ORG).unwrap();
        db.transaction(async |tx| super::change(tx, ORG, current, &change, NOW).await).block_on().unwrap()
    }

    #[test]
    fn every_bad_term_is_named_with_its_index() {
        let bad = body("C", vec![term("EN", "ok"), TermBody::default(), term("klingon", "x")]);
        let fields: Vec<String> =
            new_base(bad, ORG).unwrap_err().entries().into_iter().filter_map(|e| e.field).collect();
        assert_eq!(fields, ["terms[1].language", "terms[1].text", "terms[2].language"]);
        let twice = body("C", vec![term("EN", "a"), term("en", "b")]);
        let error = new_base(twice, ORG).unwrap_err();
        assert_eq!(error.entries()[0].error_code, "DUPLICATE_LANGUAGE");
        let none = body("C", vec![]);
        assert_eq!(new_base(none, ORG).unwrap_err().entries()[0].field.as_deref(), Some("terms"));
    }

    #[test]
    fn a_base_is_owned_by_its_creator_only() {
        let mut other = body("C", vec![term("EN", "x")]);
        other.consent_owner_org_id = Some(2002);
        assert_eq!(new_base(other, ORG).unwrap_err().error_code(), "ORGANISATION_MISMATCH");
    }

    fn shared(db: &TestDb, code: &str, text: &str) {
        let rows = db
            .execute(
                "INSERT INTO consent_base (owner_org_id, consent_code, created_at, changed_at)
                 VALUES (NULL, ?1, 't', 't') RETURNING id",
                &[Value::from(code)],
            )
            .block_on()
            .unwrap();
        let id = rows.first().unwrap().int("id").unwrap();
        insert_version(db, id, 1, &[Term { language: "NO".into(), text: text.into() }], NOW)
            .block_on()
            .unwrap();
    }

    #[test]
    fn consent_codes_are_unique_within_an_organisation_only() {
        let db = TestDb::new();
        create(&db, "NEWSLETTER");
        let again = new_base(body("NEWSLETTER", vec![term("EN", "x")]), ORG).unwrap();
        let error = db.transaction(async |tx| insert(tx, ORG, &again, NOW).await).block_on().unwrap_err();
        assert_eq!(error.error_code(), "DUPLICATE_CONSENT_CODE");
        let theirs = new_base(body("NEWSLETTER", vec![term("EN", "Their terms")]), 2002).unwrap();
        db.transaction(async |tx| insert(tx, 2002, &theirs, NOW).await).block_on().unwrap();
        assert_eq!(
            find(&db, ORG, "NEWSLETTER", None).block_on().unwrap().unwrap().terms[0].text,
            "You may email me"
        );
        assert_eq!(
            find(&db, 2002, "NEWSLETTER", None).block_on().unwrap().unwrap().terms[0].text,
            "Their terms"
        );
        assert_eq!(list(&db, 2002).block_on().unwrap().len(), 1);
    }

    #[test]
    fn a_shared_code_cannot_be_taken_by_an_organisation() {
        let db = TestDb::new();
        shared(&db, "SHARED", "Ja");
        let own = new_base(body("SHARED", vec![term("EN", "x")]), ORG).unwrap();
        let error = db.transaction(async |tx| insert(tx, ORG, &own, NOW).await).block_on().unwrap_err();
        assert_eq!(error.error_code(), "DUPLICATE_CONSENT_CODE");
    }

    #[test]
    fn changed_terms_make_a_new_version_and_the_old_one_stays_readable() {
        let db = TestDb::new();
        let v1 = create(&db, "C");
        let v2 = put(&db, &v1, vec![term("EN", "You may email and text me")]);
        assert_eq!((v2.version, v2.revision), (2, 2));
        let old = find(&db, ORG, "C", Some(1)).block_on().unwrap().unwrap();
        assert_eq!(old.terms[0].text, "You may email me");
        assert_eq!(find(&db, ORG, "C", Some(3)).block_on().unwrap(), None);
    }

    #[test]
    fn a_translation_joins_the_latest_version_and_an_unchanged_put_writes_nothing() {
        let db = TestDb::new();
        let v1 = create(&db, "C");
        let same = put(&db, &v1, vec![term("EN", "You may email me")]);
        assert_eq!(same, v1);
        let translated =
            put(&db, &v1, vec![term("nob", "Dere kan sende meg e-post"), term("EN", "You may email me")]);
        assert_eq!(translated.version, 1);
        assert_eq!(translated.terms.len(), 2);
        assert_eq!(translated.revision, 2);
    }

    #[test]
    fn another_organisations_base_is_invisible_and_a_shared_one_visible_but_read_only() {
        let db = TestDb::new();
        create(&db, "OWN");
        assert_eq!(find(&db, 2002, "OWN", None).block_on().unwrap(), None);
        assert_eq!(base_with_version(&db, 2002, "OWN", 1).block_on().unwrap(), None);
        shared(&db, "SHARED", "Ja");
        let shared = find(&db, 2002, "SHARED", None).block_on().unwrap().unwrap();
        let codes: Vec<String> =
            list(&db, 2002).block_on().unwrap().into_iter().map(|b| b.consent_code).collect();
        assert_eq!(codes, ["SHARED"]);
        let change = base_change(body("SHARED", vec![term("NO", "Nei")]), "SHARED", 2002).unwrap();
        let error = db
            .transaction(async |tx| super::change(tx, 2002, &shared, &change, NOW).await)
            .block_on()
            .unwrap_err();
        assert_eq!(error.error_code(), "CONSENT_BASE_NOT_OWNED");
    }
}
