//! Ecards (travel cards) of a permanent profile (contract §3 sub-resources). A card is
//! identified by operator and number, shown together as `ecardNumber16digits` (operator as
//! 4 digits, number as 12), and is owned by one customer at a time per organisation: the
//! unique index `ecard_owned_once` decides, also between two concurrent claims (409
//! `ECARD_ALREADY_OWNED`). Erasure needs no hook: cards go with their customer (CASCADE).

use crate::audit::Actor;
use crate::db::{Db, DbError, Row, Rows, Value};
use crate::subresource;
use crate::time::{parse_date, Timestamp};
#[cfg(feature = "openapi")]
use crate::wire_schema;
use errors::{ApiError, ErrorCode, FieldErrors, Invalid, OnUnique};
use serde::{Deserialize, Serialize};

// Every statement of ecards. ?1 is always the caller's organisation, ?2 the customer.

/// The columns SQLite names when a card already has an owner.
pub const ALREADY_OWNED: &str = "ecard.organisation_id, ecard.ecard_operator, ecard.ecard_number";

pub const LIST: &str = "
    SELECT id, ecard_operator, ecard_number, ecard_name, booking_date, start_of_ownership,
           created_at, changed_at, version
      FROM ecard WHERE organisation_id = ?1 AND customer_number = ?2 ORDER BY id";

pub const FIND: &str = "
    SELECT id, ecard_operator, ecard_number, ecard_name, booking_date, start_of_ownership,
           created_at, changed_at, version
      FROM ecard WHERE organisation_id = ?1 AND customer_number = ?2 AND id = ?3";

pub const INSERT: &str = "
    INSERT INTO ecard (organisation_id, customer_number, ecard_operator, ecard_number, ecard_name,
                       booking_date, start_of_ownership, created_at, changed_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
    RETURNING id, ecard_operator, ecard_number, ecard_name, booking_date, start_of_ownership,
              created_at, changed_at, version";

/// `?4` is the version read in the same transaction.
pub const DELETE: &str = "
    DELETE FROM ecard WHERE organisation_id = ?1 AND customer_number = ?2 AND id = ?3 AND version = ?4
    RETURNING id";

/// Merge: every card of `?2` moves to `?3` (a card has one owner, so nothing conflicts).
pub const MOVE: &str =
    "UPDATE ecard SET customer_number = ?3 WHERE organisation_id = ?1 AND customer_number = ?2";

/// The largest `ecardNumber`: 12 digits.
pub const MAX_NUMBER: i64 = 999_999_999_999;
/// The largest `ecardOperator`: 4 digits.
pub const MAX_OPERATOR: i64 = 9_999;
/// The length of `ecardNumber16digits`: the operator's 4 digits and the number's 12.
pub const FORM_DIGITS: usize = 16;
/// The longest `ecardName`.
pub const NAME_MAX: usize = 100;

/// The wire form of `POST .../ecards`. The card is given either as `ecardOperator` and
/// `ecardNumber`, or as `ecardNumber16digits`; both at once must agree.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(
        rename = "ECardRequest",
        description = "The card is given as `ecardOperator` + `ecardNumber`, or as `ecardNumber16digits`.",
        extend("anyOf" = [
            {
                "required": ["ecardOperator", "ecardNumber"],
                "properties": {"ecardOperator": {"type": "integer"}, "ecardNumber": {"type": "integer"}}
            },
            {
                "required": ["ecardNumber16digits"],
                "properties": {"ecardNumber16digits": {"type": "string", "pattern": "\\S"}}
            }
        ])
    )
)]
pub struct EcardBody {
    /// 0 to 999999999999 (12 digits).
    #[cfg_attr(feature = "openapi", schemars(range(min = 0, max = MAX_NUMBER)))]
    pub ecard_number: Option<i64>,
    /// 0 to 9999.
    #[cfg_attr(feature = "openapi", schemars(range(min = 0, max = MAX_OPERATOR)))]
    pub ecard_operator: Option<i64>,
    /// The card as 16 digits: operator (4) then number (12). When given with
    /// `ecardOperator`/`ecardNumber` they must agree.
    #[serde(rename = "ecardNumber16digits")]
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::optional_digits(FORM_DIGITS)))]
    pub ecard_number_16_digits: Option<String>,
    /// At most 100 characters.
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::optional_text(NAME_MAX)))]
    pub ecard_name: Option<String>,
    /// Booking date. Blank counts as absent.
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::optional_date))]
    pub booking_date: Option<String>,
    /// RFC 3339 date-time with offset; default: now. Blank counts as absent.
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::optional_date_time))]
    pub start_of_ownership: Option<String>,
}

/// A checked card, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEcard {
    pub operator: i64,
    pub number: i64,
    pub name: Option<String>,
    pub booking_date: Option<String>,
    /// RFC 3339; `None` means "from now".
    pub start_of_ownership: Option<Timestamp>,
}

/// Checks a body: a card (see [`EcardBody`]) with `ecardOperator` 0..=9999 and `ecardNumber`
/// 0..=999 999 999 999; `ecardName` at most 100 characters; `bookingDate` a date;
/// `startOfOwnership` an RFC 3339 date-time (default: now).
pub fn new_ecard(body: EcardBody) -> Result<NewEcard, FieldErrors> {
    let mut errs = FieldErrors::default();
    let sixteen_given = body.ecard_number_16_digits.as_deref().is_some_and(|s| !s.trim().is_empty());
    let operator = body.ecard_operator.and_then(|o| errs.check("ecardOperator", operator(o)));
    let number = body.ecard_number.and_then(|n| errs.check("ecardNumber", number(n)));
    let sixteen = errs.optional("ecardNumber16digits", body.ecard_number_16_digits, sixteen_digits);
    let name = errs.optional("ecardName", body.ecard_name, |n| crate::text::bounded(n, NAME_MAX));
    let booking_date =
        errs.optional("bookingDate", body.booking_date, |d| parse_date(d).map(|d| d.to_string()));
    let start_of_ownership = errs.optional("startOfOwnership", body.start_of_ownership, subresource::instant);
    let card = match (sixteen, operator, number) {
        (Some((o, n)), operator, number)
            if operator.is_some_and(|x| x != o) || number.is_some_and(|x| x != n) =>
        {
            let message = "does not match ecardOperator and ecardNumber";
            errs.push("ecardNumber16digits", Invalid::new(ErrorCode::ECARD_NUMBER_MISMATCH, message));
            None
        }
        (Some(card), _, _) => Some(card),
        (None, Some(o), Some(n)) => Some((o, n)),
        (None, _, _) => {
            // Unless the 16-digit form was given (and is wrong), name what is missing.
            let required = || Invalid::new(ErrorCode::REQUIRED, "is required (or give ecardNumber16digits)");
            if !sixteen_given && body.ecard_operator.is_none() {
                errs.push("ecardOperator", required());
            }
            if !sixteen_given && body.ecard_number.is_none() {
                errs.push("ecardNumber", required());
            }
            None
        }
    };
    match card {
        Some((operator, number)) if errs.is_empty() => {
            Ok(NewEcard { operator, number, name, booking_date, start_of_ownership })
        }
        _ => Err(errs),
    }
}

fn operator(raw: i64) -> Result<i64, Invalid> {
    if (0..=MAX_OPERATOR).contains(&raw) {
        Ok(raw)
    } else {
        Err(Invalid::new(ErrorCode::INVALID_ECARD_OPERATOR, "must be between 0 and 9999"))
    }
}

fn number(raw: i64) -> Result<i64, Invalid> {
    if (0..=MAX_NUMBER).contains(&raw) {
        Ok(raw)
    } else {
        Err(Invalid::new(ErrorCode::INVALID_ECARD_NUMBER, "must be between 0 and 999999999999 (12 digits)"))
    }
}

/// `ecardNumber16digits`: exactly 16 digits, operator then number.
fn sixteen_digits(raw: &str) -> Result<(i64, i64), Invalid> {
    let invalid =
        || Invalid::new(ErrorCode::INVALID_ECARD_NUMBER, "must be 16 digits: 4 of operator, 12 of number");
    if raw.len() != FORM_DIGITS || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let operator = raw[..4].parse().map_err(|_| invalid())?;
    let number = raw[4..].parse().map_err(|_| invalid())?;
    Ok((operator, number))
}

/// The 16-digit form of a card: operator as 4 digits, number as 12.
pub fn sixteen_digit_form(operator: i64, number: i64) -> String {
    format!("{operator:04}{number:012}")
}

/// A stored card, as read back and as served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(
        rename = "ECard",
        description = "An ecard (travel card) owned by the profile.",
        extend("additionalProperties" = false)
    )
)]
pub struct Ecard {
    /// Server-assigned id.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub id: i64,
    #[cfg_attr(feature = "openapi", schemars(range(min = 0, max = MAX_NUMBER)))]
    pub ecard_number: i64,
    #[cfg_attr(feature = "openapi", schemars(range(min = 0, max = MAX_OPERATOR)))]
    pub ecard_operator: i64,
    /// The operator as 4 digits and the number as 12.
    #[serde(rename = "ecardNumber16digits")]
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::digits(FORM_DIGITS)))]
    pub ecard_number_16_digits: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", length(max = NAME_MAX)))]
    pub ecard_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", transform = wire_schema::reference("Date")))]
    pub booking_date: Option<String>,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    pub start_of_ownership: String,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    pub created_at: String,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    pub changed_at: String,
    /// The resource's version; its `ETag` is this number in quotes.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub version: i64,
}

impl Ecard {
    fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        let (operator, number) = (row.int("ecard_operator")?, row.int("ecard_number")?);
        Ok(Self {
            id: row.int("id")?,
            ecard_number: number,
            ecard_operator: operator,
            ecard_number_16_digits: sixteen_digit_form(operator, number),
            ecard_name: row.opt_text("ecard_name")?,
            booking_date: row.opt_text("booking_date")?,
            start_of_ownership: row.text("start_of_ownership")?,
            created_at: row.text("created_at")?,
            changed_at: row.text("changed_at")?,
            version: row.int("version")?,
        })
    }
}

fn read(rows: &Rows) -> Result<Vec<Ecard>, DbError> {
    rows.iter().map(Ecard::from_row).collect()
}

/// A customer's cards, oldest first. (Also for `GET /profiles/{n}?includeECards=true`.)
pub async fn list(db: &impl Db, organisation_id: i64, customer_number: i64) -> Result<Vec<Ecard>, DbError> {
    read(&db.execute(LIST, &[Value::Integer(organisation_id), Value::Integer(customer_number)]).await?)
}

/// One card of the customer, or `None` (also another customer's or organisation's).
pub async fn find(
    db: &impl Db,
    organisation_id: i64,
    customer_number: i64,
    id: i64,
) -> Result<Option<Ecard>, DbError> {
    let params = [Value::Integer(organisation_id), Value::Integer(customer_number), Value::Integer(id)];
    Ok(read(&db.execute(FIND, &params).await?)?.pop())
}

/// Registers a card to the customer: 409 `ECARD_ALREADY_OWNED` when the organisation has
/// it on any profile (this one included), decided by the unique index.
pub async fn add(
    db: &impl Db,
    actor: &Actor<'_>,
    customer_number: i64,
    new: &NewEcard,
    now: Timestamp,
) -> Result<Ecard, ApiError> {
    let params = [
        Value::Integer(actor.organisation_id),
        Value::Integer(customer_number),
        Value::Integer(new.operator),
        Value::Integer(new.number),
        Value::from(new.name.clone()),
        Value::from(new.booking_date.clone()),
        Value::from(new.start_of_ownership.unwrap_or(now).rfc3339()),
        Value::from(now.rfc3339()),
    ];
    let rows = db.execute(INSERT, &params).await.on_unique(ALREADY_OWNED, || {
        ApiError::conflict(
            ErrorCode::ECARD_ALREADY_OWNED,
            "ecardNumber",
            "this ecard is already registered to a profile",
        )
    })?;
    let added =
        read(&rows)?.pop().ok_or_else(|| ApiError::Internal(anyhow::anyhow!("INSERT returned no row")))?;
    let given = [
        ("ecardOperator", true),
        ("ecardNumber", true),
        ("ecardName", new.name.is_some()),
        ("bookingDate", new.booking_date.is_some()),
        ("startOfOwnership", true),
    ];
    let fields: Vec<&'static str> = given.into_iter().filter(|(_, g)| *g).map(|(f, _)| f).collect();
    subresource::record(db, actor, customer_number, "ECARD_ADDED", &fields, now).await?;
    Ok(added)
}

/// Removes `current` (read in this transaction, its `If-Match` checked): the card is free
/// to be registered again.
pub async fn remove(
    db: &impl Db,
    actor: &Actor<'_>,
    customer_number: i64,
    current: &Ecard,
    now: Timestamp,
) -> Result<(), ApiError> {
    let row = (current.id, current.version);
    subresource::remove(db, actor, customer_number, DELETE, row, "ECARD_REMOVED", now).await
}

/// GDPR export hook: the customer's ecards as the API shows them (a JSON array).
pub async fn export(
    db: &impl Db,
    organisation_id: i64,
    customer_number: i64,
) -> Result<serde_json::Value, DbError> {
    subresource::export_list(list(db, organisation_id, customer_number).await, "ecards")
}

/// Merge hook (`connect`): every card of `from` moves to `to`. A card has one owner per
/// organisation, so no card can be on both: there are no conflicts. Call inside the
/// merge's transaction.
pub async fn move_to(db: &impl Db, organisation_id: i64, from: i64, to: i64) -> Result<(), DbError> {
    db.execute(MOVE, &[Value::Integer(organisation_id), Value::Integer(from), Value::Integer(to)]).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection::Transactions;
    use crate::subresource::testing::{customer, plan, ORG};
    use crate::test_db::{BlockOn, TestDb};

    const NOW: Timestamp = Timestamp(1_795_846_663_123);

    fn actor() -> Actor<'static> {
        Actor { organisation_id: ORG, client_id: Some("partner-a") }
    }

    fn card(operator: i64, number: i64) -> NewEcard {
        new_ecard(EcardBody {
            ecard_operator: Some(operator),
            ecard_number: Some(number),
            ..Default::default()
        })
        .unwrap()
    }

    fn codes(errors: FieldErrors) -> Vec<(String, String)> {
        errors
            .entries()
            .iter()
            .map(|e| (e.field.clone().unwrap_or_default(), e.error_code.to_string()))
            .collect()
    }

    #[test]
    fn the_sixteen_digit_form_is_four_digits_of_operator_and_twelve_of_number() {
        assert_eq!(sixteen_digit_form(12, 345), "0012000000000345");
        assert_eq!(sixteen_digit_form(9999, MAX_NUMBER), "9999999999999999");
    }

    #[test]
    fn operators_and_numbers_must_fit_their_digits() {
        let body = EcardBody {
            ecard_operator: Some(10_000),
            ecard_number: Some(MAX_NUMBER + 1),
            ..Default::default()
        };
        let expected = [("ecardOperator", "INVALID_ECARD_OPERATOR"), ("ecardNumber", "INVALID_ECARD_NUMBER")];
        assert_eq!(codes(new_ecard(body).unwrap_err()), expected.map(|(f, c)| (f.into(), c.into())));
        let negative = EcardBody { ecard_operator: Some(-1), ecard_number: Some(-1), ..Default::default() };
        assert_eq!(new_ecard(negative).unwrap_err().entries().len(), 2);
        assert_eq!(card(0, 0).number, 0);
    }

    #[test]
    fn a_card_is_required_in_one_form_or_the_other() {
        let expected = [("ecardOperator", "REQUIRED"), ("ecardNumber", "REQUIRED")];
        assert_eq!(
            codes(new_ecard(EcardBody::default()).unwrap_err()),
            expected.map(|(f, c)| (f.into(), c.into()))
        );
        let sixteen =
            EcardBody { ecard_number_16_digits: Some("0012000000000345".into()), ..Default::default() };
        assert_eq!(new_ecard(sixteen).unwrap(), card(12, 345));
        let both = EcardBody {
            ecard_number_16_digits: Some("0012000000000345".into()),
            ..EcardBody { ecard_operator: Some(12), ecard_number: Some(346), ..Default::default() }
        };
        assert_eq!(new_ecard(both).unwrap_err().entries()[0].error_code, "ECARD_NUMBER_MISMATCH");
        let short = EcardBody { ecard_number_16_digits: Some("12345".into()), ..Default::default() };
        assert_eq!(new_ecard(short).unwrap_err().entries()[0].error_code, "INVALID_ECARD_NUMBER");
    }

    #[test]
    fn names_dates_and_instants_are_checked() {
        let body = EcardBody {
            ecard_name: Some("x".repeat(101)),
            booking_date: Some("2026-02-30".into()),
            start_of_ownership: Some("2026-02-01".into()),
            ..EcardBody { ecard_operator: Some(1), ecard_number: Some(1), ..Default::default() }
        };
        let expected = [
            ("ecardName", "TOO_LONG"),
            ("bookingDate", "INVALID_DATE"),
            ("startOfOwnership", "INVALID_TIMESTAMP"),
        ];
        assert_eq!(codes(new_ecard(body).unwrap_err()), expected.map(|(f, c)| (f.into(), c.into())));
    }

    #[test]
    fn a_card_has_one_owner_per_organisation() {
        let db = TestDb::new();
        let (kari, ola) = (customer(&db, ORG), customer(&db, ORG));
        let added =
            db.transaction(async |tx| add(tx, &actor(), kari, &card(12, 345), NOW).await).block_on().unwrap();
        assert_eq!(added.start_of_ownership, "2026-11-28T06:17:43.123Z", "ownership starts now by default");
        for owner in [ola, kari] {
            let error = db
                .transaction(async |tx| add(tx, &actor(), owner, &card(12, 345), NOW).await)
                .block_on()
                .unwrap_err();
            assert_eq!(error.error_code(), "ECARD_ALREADY_OWNED");
        }
        let elsewhere = customer(&db, 2002);
        let theirs = Actor { organisation_id: 2002, client_id: None };
        db.transaction(async |tx| add(tx, &theirs, elsewhere, &card(12, 345), NOW).await)
            .block_on()
            .expect("another organisation's card");
        db.transaction(async |tx| remove(tx, &actor(), kari, &added, NOW).await).block_on().unwrap();
        db.transaction(async |tx| add(tx, &actor(), ola, &card(12, 345), NOW).await)
            .block_on()
            .expect("a removed card is free again");
    }

    #[test]
    fn a_stale_version_removes_nothing() {
        let db = TestDb::new();
        let n = customer(&db, ORG);
        let mut added =
            db.transaction(async |tx| add(tx, &actor(), n, &card(1, 2), NOW).await).block_on().unwrap();
        added.version += 1;
        assert_eq!(
            db.transaction(async |tx| remove(tx, &actor(), n, &added, NOW).await)
                .block_on()
                .unwrap_err()
                .status(),
            412
        );
        assert_eq!(list(&db, ORG, n).block_on().unwrap().len(), 1);
    }

    #[test]
    fn merging_moves_the_cards_and_erasure_removes_them() {
        let db = TestDb::new();
        let (from, to) = (customer(&db, ORG), customer(&db, ORG));
        db.transaction(async |tx| add(tx, &actor(), from, &card(1, 2), NOW).await).block_on().unwrap();
        db.transaction(async |tx| add(tx, &actor(), to, &card(1, 3), NOW).await).block_on().unwrap();
        move_to(&db, ORG, from, to).block_on().unwrap();
        assert!(list(&db, ORG, from).block_on().unwrap().is_empty());
        assert_eq!(export(&db, ORG, to).block_on().unwrap()[0]["ecardNumber16digits"], "0001000000000002");
        db.execute("DELETE FROM customer WHERE customer_number = ?1", &[Value::Integer(to)])
            .block_on()
            .unwrap();
        assert!(db.execute("SELECT id FROM ecard", &[]).block_on().unwrap().rows.is_empty());
    }

    #[test]
    fn every_lookup_uses_an_index() {
        let db = TestDb::new();
        for sql in [LIST, MOVE, "DELETE FROM ecard WHERE customer_number = ?1"] {
            assert!(plan(&db, sql).contains("INDEX ecard_customer"), "{}", plan(&db, sql));
        }
        assert!(plan(&db, FIND).contains("INTEGER PRIMARY KEY"), "{}", plan(&db, FIND));
        assert!(!plan(&db, LIST).contains("TEMP B-TREE"), "the index gives the order");
    }
}
