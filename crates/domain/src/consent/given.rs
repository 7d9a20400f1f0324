//! Given consents: a customer's choice for one of the organisation's consents, and the
//! append-only history of every change of it (contract §6). Recording a choice and appending
//! its history entry happen in the same transaction, so there is no choice without its proof.

use super::offer::{self, Consent, ConsentState};
use super::sql;
use super::values;
use crate::db::{Db, DbError, Row, Value};
use crate::profile::CustomerNumber;
use crate::time::{self, Timestamp};
#[cfg(feature = "openapi")]
use crate::wire_schema;
use errors::{ApiError, ErrorCode, FieldErrors, Invalid};
use serde::Deserialize;

/// The wire form of `POST …/client/given-consents` and of each item of `PUT …/bulk`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(
        rename = "GivenConsentRequest",
        description = "A customer's choice (creates the given consent or replaces the existing one)."
    )
)]
pub struct GivenConsentBody {
    /// A profile (permanent or temporary) of the caller's organisation, else 404.
    #[cfg_attr(feature = "openapi", schemars(with = "i64", range(min = 1)))]
    pub customer_number: Option<i64>,
    /// One of the organisation's consents, else 404.
    #[cfg_attr(feature = "openapi", schemars(with = "i64", range(min = 1)))]
    pub consent_id: Option<i64>,
    /// `true` gives consent, `false` withdraws it.
    #[cfg_attr(feature = "openapi", schemars(with = "bool"))]
    pub consent_choice: Option<bool>,
    /// How the customer gave the choice (`WEB`, `APP`, ...). At most 100 characters.
    #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::required_text(values::DISTRIBUTION_CHANNEL_MAX)))]
    pub distribution_channel: Option<String>,
    /// A date (`YYYY-MM-DD`, valid through that day: it ends at the start of the next day, UTC)
    /// or an RFC 3339 date-time. In the future. Blank counts as absent.
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::optional_date_or_date_time))]
    pub expiration_date: Option<String>,
}

/// A checked choice, ready to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub customer_number: CustomerNumber,
    pub consent_id: i64,
    pub consent_choice: bool,
    pub distribution_channel: Option<String>,
    pub expiration_date: Option<Timestamp>,
}

fn positive(code: ErrorCode, n: i64) -> Result<i64, Invalid> {
    if n > 0 {
        Ok(n)
    } else {
        Err(Invalid::new(code, "must be a positive number"))
    }
}

/// Parses one choice; field names carry `prefix` (`"[2]."` in a bulk request).
fn parse_choice(
    errs: &mut FieldErrors,
    prefix: &str,
    body: GivenConsentBody,
    now: Timestamp,
) -> Option<Choice> {
    let field = |name: &str| format!("{prefix}{name}");
    let mut required = |name: &str, present: bool| {
        if !present {
            errs.push(&field(name), Invalid::new(ErrorCode::REQUIRED, "is required"));
        }
    };
    required("customerNumber", body.customer_number.is_some());
    required("consentId", body.consent_id.is_some());
    required("consentChoice", body.consent_choice.is_some());
    let customer_number = body
        .customer_number
        .and_then(|n| errs.check(&field("customerNumber"), positive(ErrorCode::INVALID_CUSTOMER_NUMBER, n)));
    let consent_id = body
        .consent_id
        .and_then(|n| errs.check(&field("consentId"), positive(ErrorCode::INVALID_CONSENT_ID, n)));
    let channel =
        errs.required(&field("distributionChannel"), body.distribution_channel, values::distribution_channel);
    let expiration_date = errs.optional(&field("expirationDate"), body.expiration_date, |raw| {
        time::parse_expiration(raw, now, None).map(|expiration| expiration.at)
    });
    Some(Choice {
        customer_number: CustomerNumber(customer_number?),
        consent_id: consent_id?,
        consent_choice: body.consent_choice?,
        distribution_channel: Some(channel?),
        expiration_date,
    })
}

/// Checks `POST …/client/given-consents`: `customerNumber`, `consentId`, `consentChoice` and
/// `distributionChannel` required; `expirationDate` (date or date-time) in the future.
pub fn choice(body: GivenConsentBody, now: Timestamp) -> Result<Choice, ApiError> {
    let mut errs = FieldErrors::default();
    match parse_choice(&mut errs, "", body, now) {
        Some(choice) if errs.is_empty() => Ok(choice),
        _ => Err(ApiError::Validation(errs)),
    }
}

/// The most items one bulk request may hold.
pub const MAX_BULK: usize = 500;

/// Checks a bulk request: every item as [`choice`], one 400 naming every bad field as
/// `[index].field`; at most [`MAX_BULK`] items, no customer and consent twice.
pub fn choices(bodies: Vec<GivenConsentBody>, now: Timestamp) -> Result<Vec<Choice>, ApiError> {
    let mut errs = FieldErrors::default();
    if bodies.is_empty() || bodies.len() > MAX_BULK {
        errs.push(
            "",
            Invalid::new(ErrorCode::INVALID_BULK_SIZE, format!("must hold 1 to {MAX_BULK} given consents")),
        );
        return Err(ApiError::Validation(errs));
    }
    let mut parsed: Vec<Choice> = Vec::with_capacity(bodies.len());
    for (i, body) in bodies.into_iter().enumerate() {
        let Some(choice) = parse_choice(&mut errs, &format!("[{i}]."), body, now) else { continue };
        if parsed
            .iter()
            .any(|p| p.customer_number == choice.customer_number && p.consent_id == choice.consent_id)
        {
            errs.push(
                &format!("[{i}].consentId"),
                Invalid::new(
                    ErrorCode::DUPLICATE_GIVEN_CONSENT,
                    "repeats an earlier item's customerNumber and consentId",
                ),
            );
        }
        parsed.push(choice);
    }
    errs.into_result()?;
    Ok(parsed)
}

/// A stored given consent.
#[derive(Debug, Clone, PartialEq)]
pub struct GivenConsent {
    pub id: i64,
    pub organisation_id: i64,
    pub customer_number: i64,
    pub consent_id: i64,
    pub consent_choice: bool,
    pub distribution_channel: Option<String>,
    pub expiration_date: Option<String>,
    pub created_by_org_id: i64,
    pub created_at: String,
    pub changed_at: String,
    pub version: i64,
}

impl GivenConsent {
    fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: row.int("id")?,
            organisation_id: row.int("organisation_id")?,
            customer_number: row.int("customer_number")?,
            consent_id: row.int("consent_id")?,
            consent_choice: row.int("consent_choice")? == 1,
            distribution_channel: row.opt_text("distribution_channel")?,
            expiration_date: row.opt_text("expiration_date")?,
            created_by_org_id: row.int("created_by_org_id")?,
            created_at: row.text("created_at")?,
            changed_at: row.text("changed_at")?,
            version: row.int("version")?,
        })
    }

    pub fn location(&self) -> String {
        format!("/customers/v2/consents/client/given-consents/{}", self.id)
    }
}

/// Which interface recorded a change (kept in the history).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    V2,
    /// The legacy `/consents/v1` view.
    V1,
}

impl Api {
    /// Every code, as the history keeps them (`api`).
    pub const CODES: &'static [&'static str] = &[Api::V2.code(), Api::V1.code()];

    const fn code(self) -> &'static str {
        match self {
            Self::V2 => "v2",
            Self::V1 => "v1",
        }
    }
}

/// Who records a change, and when: the proof's "who" and "when".
#[derive(Debug, Clone, Copy)]
pub struct Recorder<'a> {
    pub organisation_id: i64,
    /// The token's client id.
    pub client_id: Option<&'a str>,
    pub api: Api,
    pub now: Timestamp,
}

/// A choice can be given only to an active consent; withdrawn (`false`) also from an inactive
/// one, because withdrawing must stay as easy as giving (GDPR Art. 7(3)); never for a draft.
fn check_accepts(consent: &Consent, choice: bool, now: Timestamp) -> Result<(), ApiError> {
    match (consent.state(now), choice) {
        (ConsentState::Active, _) | (ConsentState::Inactive, false) => Ok(()),
        _ => Err(ApiError::conflict(
            ErrorCode::CONSENT_NOT_ACTIVE,
            "consentId",
            "the consent is not active: a choice can be given only while it is active",
        )),
    }
}

/// Records a choice (create or replace) with its history entry; `true` when it was created.
/// The customer must be visible in the organisation (temporary profiles included; a merged
/// profile's choice goes to the profile it was merged into, see [`super::customer`]) and the
/// consent the organisation's, else 404. Call inside the write transaction.
pub async fn record(
    db: &impl Db,
    who: &Recorder<'_>,
    choice: &Choice,
) -> Result<(GivenConsent, bool), ApiError> {
    let org = who.organisation_id;
    let customer =
        super::customer(db, org, choice.customer_number, who.now).await?.ok_or(ApiError::NotFound)?;
    let consent = offer::find(db, org, choice.consent_id).await?.ok_or(ApiError::NotFound)?;
    check_accepts(&consent, choice.consent_choice, who.now)?;
    let expiration = choice.expiration_date.map(Timestamp::rfc3339);
    let rows = db
        .execute(
            sql::GIVEN_UPSERT,
            &[
                Value::Integer(org),
                Value::Integer(customer.0),
                Value::Integer(consent.id),
                Value::Integer(i64::from(choice.consent_choice)),
                Value::from(choice.distribution_channel.clone()),
                Value::from(expiration.clone()),
                Value::from(who.now.rfc3339()),
            ],
        )
        .await?;
    let row = rows.first().ok_or_else(|| DbError::Other("upsert returned no row".into()))?;
    let (id, version) = (row.int("id")?, row.int("version")?);
    let created = version == 1;
    append_history(
        db,
        who,
        &Entry {
            customer_number: customer.0,
            given_consent_id: id,
            consent: &consent,
            action: if created { GIVEN } else { CHANGED },
            consent_choice: Some(choice.consent_choice),
            distribution_channel: choice.distribution_channel.as_deref(),
            expiration_date: expiration.as_deref(),
        },
    )
    .await?;
    let given = find(db, org, id, who.now).await?.ok_or(ApiError::NotFound)?;
    Ok((given, created))
}

/// Deletes a given consent (read in this transaction) and appends the DELETED entry; the
/// history stays. Call inside the write transaction.
pub async fn delete(db: &impl Db, who: &Recorder<'_>, given: &GivenConsent) -> Result<(), ApiError> {
    let consent = offer::find(db, who.organisation_id, given.consent_id).await?.ok_or(ApiError::NotFound)?;
    let deleted = db
        .execute(sql::GIVEN_DELETE, &[Value::Integer(who.organisation_id), Value::Integer(given.id)])
        .await?;
    if deleted.first().is_none() {
        return Err(ApiError::NotFound);
    }
    append_history(
        db,
        who,
        &Entry {
            customer_number: given.customer_number,
            given_consent_id: given.id,
            consent: &consent,
            action: DELETED,
            consent_choice: None,
            distribution_channel: None,
            expiration_date: None,
        },
    )
    .await
    .map_err(ApiError::from)
}

/// A history entry's `action`: the first choice for a consent.
pub const GIVEN: &str = "GIVEN";
/// A history entry's `action`: a choice recorded again.
pub const CHANGED: &str = "CHANGED";
/// A history entry's `action`: a choice deleted.
pub const DELETED: &str = "DELETED";
/// Every `action` of a history entry.
pub const ACTIONS: &[&str] = &[GIVEN, CHANGED, DELETED];

struct Entry<'a> {
    customer_number: i64,
    given_consent_id: i64,
    consent: &'a Consent,
    action: &'static str,
    consent_choice: Option<bool>,
    distribution_channel: Option<&'a str>,
    expiration_date: Option<&'a str>,
}

async fn append_history(db: &impl Db, who: &Recorder<'_>, entry: &Entry<'_>) -> Result<(), DbError> {
    db.execute(
        sql::HISTORY_INSERT,
        &[
            Value::Integer(who.organisation_id),
            Value::Integer(entry.customer_number),
            Value::Integer(entry.given_consent_id),
            Value::Integer(entry.consent.id),
            Value::from(entry.consent.consent_code.as_str()),
            Value::Integer(entry.consent.consent_base_version),
            Value::from(entry.action),
            Value::from(entry.consent_choice.map(i64::from)),
            Value::from(entry.distribution_channel),
            Value::from(entry.expiration_date),
            Value::from(who.client_id),
            Value::from(who.api.code()),
            Value::from(who.now.rfc3339()),
        ],
    )
    .await?;
    Ok(())
}

/// One given consent of the organisation whose customer is still visible.
pub async fn find(
    db: &impl Db,
    organisation_id: i64,
    id: i64,
    now: Timestamp,
) -> Result<Option<GivenConsent>, DbError> {
    let params = [Value::Integer(organisation_id), Value::Integer(id), Value::from(now.rfc3339())];
    db.execute(sql::GIVEN_FIND, &params).await?.first().map(GivenConsent::from_row).transpose()
}

/// A customer's given consents, in the order they were first given.
pub async fn list_for_customer(
    db: &impl Db,
    organisation_id: i64,
    customer_number: i64,
) -> Result<Vec<GivenConsent>, DbError> {
    let params = [Value::Integer(organisation_id), Value::Integer(customer_number)];
    db.execute(sql::GIVEN_BY_CUSTOMER, &params).await?.iter().map(GivenConsent::from_row).collect()
}

/// A customer's given consent for one consent.
pub async fn find_for_consent(
    db: &impl Db,
    organisation_id: i64,
    customer_number: i64,
    consent_id: i64,
) -> Result<Option<GivenConsent>, DbError> {
    let params =
        [Value::Integer(organisation_id), Value::Integer(customer_number), Value::Integer(consent_id)];
    db.execute(sql::GIVEN_BY_CUSTOMER_AND_CONSENT, &params)
        .await?
        .first()
        .map(GivenConsent::from_row)
        .transpose()
}

/// One entry of the proof-of-consent history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub id: i64,
    pub given_consent_id: i64,
    pub customer_number: i64,
    pub consent_id: i64,
    pub consent_code: String,
    pub consent_base_version: i64,
    /// `GIVEN`, `CHANGED` or `DELETED`.
    pub action: String,
    pub consent_choice: Option<bool>,
    pub distribution_channel: Option<String>,
    pub expiration_date: Option<String>,
    pub changed_by_org_id: i64,
    pub client_id: Option<String>,
    /// `v2` or `v1`.
    pub api: String,
    pub at: String,
}

impl HistoryEntry {
    fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: row.int("id")?,
            given_consent_id: row.int("given_consent_id")?,
            customer_number: row.int("customer_number")?,
            consent_id: row.int("consent_id")?,
            consent_code: row.text("consent_code")?,
            consent_base_version: row.int("consent_base_version")?,
            action: row.text("action")?,
            consent_choice: row.opt_int("consent_choice")?.map(|c| c == 1),
            distribution_channel: row.opt_text("distribution_channel")?,
            expiration_date: row.opt_text("expiration_date")?,
            changed_by_org_id: row.int("changed_by_org_id")?,
            client_id: row.opt_text("client_id")?,
            api: row.text("api")?,
            at: row.text("at")?,
        })
    }
}

/// A customer's history, oldest first.
pub async fn history(
    db: &impl Db,
    organisation_id: i64,
    customer_number: i64,
) -> Result<Vec<HistoryEntry>, DbError> {
    let params = [Value::Integer(organisation_id), Value::Integer(customer_number)];
    db.execute(sql::HISTORY_BY_CUSTOMER, &params).await?.iter().map(HistoryEntry::from_row).collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::connection::Transactions;
    use crate::consent::offer::tests::{at, base_with_versions, create, spec, NOW, ORG};
    use crate::test_db::{BlockOn, TestDb};

    const DAY: i64 = 24 * 60 * 60 * 1000;

    /// A customer row of `org`, optionally expiring at `expiration`.
    pub fn customer(db: &TestDb, org: i64, expiration: Option<&str>) -> i64 {
        let rows = db
            .execute(
                "INSERT INTO customer (organisation_id, uuid, customer_ref, profile_type, expiration_date,
                    created_at, created_by, created_by_channel, changed_at, changed_by, changed_by_channel)
                 VALUES (?1, lower(hex(randomblob(16))), lower(hex(randomblob(8))), ?2, ?3,
                         't', 'test', 'WEB', 't', 'test', 'WEB')
                 RETURNING customer_number",
                &[
                    Value::Integer(org),
                    Value::from(if expiration.is_some() { "T" } else { "S" }),
                    Value::from(expiration),
                ],
            )
            .block_on()
            .unwrap();
        rows.first().unwrap().int("customer_number").unwrap()
    }

    pub fn who(now: Timestamp) -> Recorder<'static> {
        Recorder { organisation_id: ORG, client_id: Some("partner-a"), api: Api::V2, now }
    }

    pub fn body(customer: i64, consent: i64, choice: bool) -> GivenConsentBody {
        GivenConsentBody {
            customer_number: Some(customer),
            consent_id: Some(consent),
            consent_choice: Some(choice),
            distribution_channel: Some("WEB".into()),
            expiration_date: None,
        }
    }

    pub fn give(
        db: &TestDb,
        customer: i64,
        consent: i64,
        choice: bool,
        now: Timestamp,
    ) -> Result<GivenConsent, ApiError> {
        let parsed = super::choice(body(customer, consent, choice), now)?;
        db.transaction(async |tx| record(tx, &who(now), &parsed).await).block_on().map(|(g, _)| g)
    }

    /// A database with one active consent (`ENT_INFO`, from yesterday) and one customer.
    pub fn active_consent_and_customer(db: &TestDb) -> (i64, i64) {
        base_with_versions(db, "ENT_INFO", 1);
        let consent = create(db, &spec("ENT_INFO", Some(-1), None)).unwrap();
        (consent.id, customer(db, ORG, None))
    }

    #[test]
    fn every_missing_field_is_named_and_bulk_fields_carry_their_index() {
        let error = choice(GivenConsentBody::default(), NOW).unwrap_err();
        let fields: Vec<String> = error.entries().into_iter().filter_map(|e| e.field).collect();
        assert_eq!(fields, ["customerNumber", "consentId", "consentChoice", "distributionChannel"]);
        let mut bad = body(1, 3, true);
        bad.expiration_date = Some("2020-01-01".into());
        let error = choices(vec![body(1, 2, true), bad, body(1, 2, false)], NOW).unwrap_err();
        let named: Vec<(String, String)> =
            error.entries().into_iter().map(|e| (e.field.unwrap(), e.error_code.to_string())).collect();
        assert_eq!(
            named,
            [
                ("[1].expirationDate".to_owned(), "EXPIRATION_DATE_IN_THE_PAST".to_owned()),
                ("[2].consentId".to_owned(), "DUPLICATE_GIVEN_CONSENT".to_owned())
            ]
        );
        assert_eq!(choices(vec![], NOW).unwrap_err().entries()[0].error_code, "INVALID_BULK_SIZE");
    }

    #[test]
    fn a_choice_is_created_then_replaced_and_every_change_is_in_the_history() {
        let db = TestDb::new();
        let (consent, customer) = active_consent_and_customer(&db);
        let first = give(&db, customer, consent, true, NOW).unwrap();
        let later = Timestamp(NOW.0 + 1000);
        let second = give(&db, customer, consent, false, later).unwrap();
        assert_eq!((second.id, second.version, second.consent_choice), (first.id, 2, false));
        assert_eq!(second.created_at, first.created_at);
        assert_eq!(second.changed_at, later.rfc3339());
        db.transaction(async |tx| delete(tx, &who(later), &second).await).block_on().unwrap();
        assert_eq!(find(&db, ORG, first.id, later).block_on().unwrap(), None);
        let entries = history(&db, ORG, customer).block_on().unwrap();
        let summary: Vec<(&str, Option<bool>)> =
            entries.iter().map(|e| (e.action.as_str(), e.consent_choice)).collect();
        assert_eq!(summary, [("GIVEN", Some(true)), ("CHANGED", Some(false)), ("DELETED", None)]);
        let proof = &entries[0];
        assert_eq!((proof.consent_code.as_str(), proof.consent_base_version), ("ENT_INFO", 1));
        assert_eq!((proof.client_id.as_deref(), proof.changed_by_org_id), (Some("partner-a"), ORG));
        assert_eq!((proof.distribution_channel.as_deref(), proof.api.as_str()), (Some("WEB"), "v2"));
        assert_eq!(proof.at, NOW.rfc3339());
    }

    #[test]
    fn the_customer_and_the_consent_must_be_the_organisations() {
        let db = TestDb::new();
        let (consent, _) = active_consent_and_customer(&db);
        let theirs = customer(&db, 2002, None);
        assert_eq!(give(&db, theirs, consent, true, NOW).unwrap_err().status(), 404);
        assert_eq!(give(&db, 999_999, consent, true, NOW).unwrap_err().status(), 404);
        let ours = customer(&db, ORG, None);
        assert_eq!(give(&db, ours, 999_999, true, NOW).unwrap_err().status(), 404);
    }

    #[test]
    fn temporary_profiles_give_consents_until_they_expire() {
        let db = TestDb::new();
        let (consent, _) = active_consent_and_customer(&db);
        let temporary = customer(&db, ORG, Some(&at(1)));
        let given = give(&db, temporary, consent, true, NOW).unwrap();
        let after_expiry = Timestamp(NOW.0 + 2 * DAY);
        assert_eq!(give(&db, temporary, consent, false, after_expiry).unwrap_err().status(), 404);
        assert_eq!(
            find(&db, ORG, given.id, after_expiry).block_on().unwrap(),
            None,
            "invisible with its customer"
        );
    }

    #[test]
    fn choices_are_given_only_to_active_consents_but_withdrawn_also_from_inactive_ones() {
        let db = TestDb::new();
        base_with_versions(&db, "C", 1);
        let draft = create(&db, &spec("C", Some(1), Some(2))).unwrap();
        let customer = customer(&db, ORG, None);
        assert_eq!(give(&db, customer, draft.id, true, NOW).unwrap_err().error_code(), "CONSENT_NOT_ACTIVE");
        assert_eq!(give(&db, customer, draft.id, false, NOW).unwrap_err().error_code(), "CONSENT_NOT_ACTIVE");
        let active = Timestamp(NOW.0 + DAY + DAY / 2);
        give(&db, customer, draft.id, true, active).unwrap();
        let inactive = Timestamp(NOW.0 + 3 * DAY);
        assert_eq!(
            give(&db, customer, draft.id, true, inactive).unwrap_err().error_code(),
            "CONSENT_NOT_ACTIVE"
        );
        assert!(!give(&db, customer, draft.id, false, inactive).unwrap().consent_choice);
    }

    #[test]
    fn a_choice_for_a_merged_profile_goes_to_the_profile_it_was_merged_into() {
        let db = TestDb::new();
        let (consent, target) = active_consent_and_customer(&db);
        let merged = customer(&db, ORG, None);
        db.execute(
            "UPDATE customer SET status = 'P', merged_into = ?1 WHERE customer_number = ?2",
            &[Value::Integer(target), Value::Integer(merged)],
        )
        .block_on()
        .unwrap();
        assert_eq!(give(&db, merged, consent, true, NOW).unwrap().customer_number, target);
        assert_eq!(list_for_customer(&db, ORG, merged).block_on().unwrap(), []);
        assert_eq!(history(&db, ORG, target).block_on().unwrap()[0].customer_number, target);
    }

    #[test]
    fn erasing_the_customer_takes_their_choices_and_history_along() {
        let db = TestDb::new();
        let (consent, customer) = active_consent_and_customer(&db);
        give(&db, customer, consent, true, NOW).unwrap();
        db.execute("DELETE FROM customer WHERE customer_number = ?1", &[Value::Integer(customer)])
            .block_on()
            .unwrap();
        assert_eq!(list_for_customer(&db, ORG, customer).block_on().unwrap(), []);
        assert_eq!(history(&db, ORG, customer).block_on().unwrap(), []);
    }

    #[test]
    fn an_expiration_date_lasts_through_its_day_and_is_kept_in_the_history() {
        let db = TestDb::new();
        let (consent, customer) = active_consent_and_customer(&db);
        let mut with_expiry = body(customer, consent, true);
        with_expiry.expiration_date = Some("2026-12-31".into());
        let parsed = choice(with_expiry, NOW).unwrap();
        let (given, created) =
            db.transaction(async |tx| record(tx, &who(NOW), &parsed).await).block_on().unwrap();
        assert!(created);
        assert_eq!(given.expiration_date.as_deref(), Some("2027-01-01T00:00:00.000Z"));
        assert_eq!(history(&db, ORG, customer).block_on().unwrap()[0].expiration_date, given.expiration_date);
    }
}
