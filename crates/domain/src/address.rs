//! Postal addresses of a profile, permanent or temporary (contract §3 sub-resources, §4):
//! the body rules, the row as served, the SQL, and the hooks export and merge call.
//! Erasure and purge need no hook: the rows go with their customer (ON DELETE CASCADE).

use crate::audit::Actor;
use crate::db::{Db, DbError, Row, Value};
use crate::subresource;
use crate::text::fold;
use crate::time::Timestamp;
#[cfg(feature = "openapi")]
use crate::wire_schema;
use errors::{ApiError, ErrorCode, FieldErrors, Invalid};
use serde::{Deserialize, Serialize};

// Every statement of postal addresses. ?1 is always the caller's organisation, ?2 the customer.

/// A profile's addresses in the order they were added.
pub const LIST: &str = "
    SELECT id, address_line1, address_line2, post_code, city, country_code, created_at, changed_at, version
      FROM postal_address WHERE organisation_id = ?1 AND customer_number = ?2 ORDER BY id";

/// The addresses of several customers at once (a search page): one statement, no N+1.
/// `?2` is a JSON array of customer numbers.
pub const LIST_FOR_MANY: &str = "
    SELECT customer_number, id, address_line1, address_line2, post_code, city, country_code,
           created_at, changed_at, version
      FROM postal_address
     WHERE customer_number IN (SELECT value FROM json_each(?2)) AND organisation_id = ?1
     ORDER BY customer_number, id";

pub const FIND: &str = "
    SELECT id, address_line1, address_line2, post_code, city, country_code, created_at, changed_at, version
      FROM postal_address WHERE organisation_id = ?1 AND customer_number = ?2 AND id = ?3";

pub const INSERT: &str = "
    INSERT INTO postal_address (organisation_id, customer_number, address_line1, address_line2, post_code,
                                city, country_code, address_line1_key, created_at, changed_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
    RETURNING id, address_line1, address_line2, post_code, city, country_code, created_at, changed_at, version";

/// Full replacement; `?10` is the version read in the same transaction.
pub const REPLACE: &str = "
    UPDATE postal_address
       SET address_line1 = ?4, address_line2 = ?5, post_code = ?6, city = ?7, country_code = ?8,
           address_line1_key = ?9, changed_at = ?11, version = version + 1
     WHERE organisation_id = ?1 AND customer_number = ?2 AND id = ?3 AND version = ?10
    RETURNING id, address_line1, address_line2, post_code, city, country_code, created_at, changed_at, version";

/// `?4` is the version read in the same transaction.
pub const DELETE: &str = "
    DELETE FROM postal_address
     WHERE organisation_id = ?1 AND customer_number = ?2 AND id = ?3 AND version = ?4 RETURNING id";

/// Merge: every address of `?2` moves to `?3`.
pub const MOVE: &str = "
    UPDATE postal_address SET customer_number = ?3 WHERE organisation_id = ?1 AND customer_number = ?2";

/// The wire form of a create or a full replacement (POST and PUT take the same body).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(
        rename = "PostalAddressRequest",
        description = "POST and PUT (full replacement) of a postal address."
    )
)]
pub struct AddressBody {
    /// At most 100 characters.
    #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::required_text(LINE_MAX)))]
    pub address_line1: Option<String>,
    /// At most 100 characters.
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::optional_text(LINE_MAX)))]
    pub address_line2: Option<String>,
    /// 1 to 10 letters, digits, spaces or dashes (stored upper case); exactly 4 digits when
    /// `countryCode` is `NO`.
    #[cfg_attr(feature = "openapi", schemars(required, transform = wire_schema::post_code(POST_CODE_MAX)))]
    pub post_code: Option<String>,
    /// At most 100 characters.
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::optional_text(LINE_MAX)))]
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2, any case; default `NO`.
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::country))]
    pub country_code: Option<String>,
}

/// A checked address, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAddress {
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub post_code: String,
    pub city: Option<String>,
    pub country_code: String,
}

/// Checks a body (contract §3): `addressLine1` and `postCode` required; `countryCode`
/// defaults to `NO`. One 400 names every bad field.
pub fn new_address(body: AddressBody) -> Result<NewAddress, FieldErrors> {
    let mut errs = FieldErrors::default();
    let parsed = parse_into(&mut errs, "", body);
    match parsed {
        Some(address) if errs.is_empty() => Ok(address),
        _ => Err(errs),
    }
}

/// Checks a body, recording errors under `prefix` + field name (so a profile create can
/// report `postalAddresses[1].postCode`). `None` when anything was wrong.
pub fn parse_into(errs: &mut FieldErrors, prefix: &str, body: AddressBody) -> Option<NewAddress> {
    let name = |field: &str| format!("{prefix}{field}");
    let before = errs.entries().len();
    let address_line1 = errs.required(&name("addressLine1"), body.address_line1, line);
    let address_line2 = errs.optional(&name("addressLine2"), body.address_line2, line);
    let city = errs.optional(&name("city"), body.city, line);
    let country_code =
        errs.optional(&name("countryCode"), body.country_code, country_code).unwrap_or_else(|| "NO".into());
    let post_code = errs.required(&name("postCode"), body.post_code, |p| post_code(p, &country_code));
    match (address_line1, post_code) {
        (Some(address_line1), Some(post_code)) if errs.entries().len() == before => {
            Some(NewAddress { address_line1, address_line2, post_code, city, country_code })
        }
        _ => None,
    }
}

/// The longest `addressLine1`, `addressLine2`, `city`, in characters.
pub const LINE_MAX: usize = 100;
/// The longest `postCode`.
pub const POST_CODE_MAX: usize = 10;

/// `addressLine1`, `addressLine2`, `city`: at most [`LINE_MAX`] characters.
fn line(raw: &str) -> Result<String, Invalid> {
    crate::text::bounded(raw, LINE_MAX)
}

/// `postCode`: 1 to [`POST_CODE_MAX`] letters, digits, spaces or dashes; a Norwegian one is 4
/// digits.
pub fn post_code(raw: &str, country_code: &str) -> Result<String, Invalid> {
    let shaped = raw.chars().count() <= POST_CODE_MAX
        && raw.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-');
    if !shaped {
        return Err(Invalid::new(
            ErrorCode::INVALID_POST_CODE,
            "must be at most 10 letters, digits, spaces or dashes",
        ));
    }
    if country_code == "NO" && !(raw.len() == 4 && raw.chars().all(|c| c.is_ascii_digit())) {
        return Err(Invalid::new(ErrorCode::INVALID_POST_CODE, "must be 4 digits for a Norwegian address"));
    }
    Ok(raw.to_uppercase())
}

/// `countryCode`: an assigned ISO 3166-1 alpha-2 code, any case in, upper case out.
pub fn country_code(raw: &str) -> Result<String, Invalid> {
    let code = raw.to_ascii_uppercase();
    if code.len() == 2 && ISO_3166_ALPHA_2.split(' ').any(|c| c == code) {
        Ok(code)
    } else {
        Err(Invalid::new(
            ErrorCode::INVALID_COUNTRY_CODE,
            "must be an ISO 3166-1 alpha-2 country code, e.g. NO",
        ))
    }
}

/// The officially assigned ISO 3166-1 alpha-2 codes.
const ISO_3166_ALPHA_2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL \
BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE \
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE \
IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME \
MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK \
PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF \
TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// A stored address, as read back and as served (and as `FIND_WITH_ADDRESSES` of the profile
/// SQL aggregates it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(
        rename = "PostalAddress",
        description = "A postal address of a profile; absent optional members are left out.",
        extend("additionalProperties" = false)
    )
)]
pub struct Address {
    /// Server-assigned id.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub id: i64,
    #[cfg_attr(feature = "openapi", schemars(length(min = 1, max = LINE_MAX)))]
    pub address_line1: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", length(max = LINE_MAX)))]
    pub address_line2: Option<String>,
    /// Upper case.
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::stored_post_code(POST_CODE_MAX)))]
    pub post_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "String", length(max = LINE_MAX)))]
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::stored_country))]
    pub country_code: String,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    pub created_at: String,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    pub changed_at: String,
    /// The resource's version; its `ETag` is this number in quotes.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub version: i64,
}

impl Address {
    fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: row.int("id")?,
            address_line1: row.text("address_line1")?,
            address_line2: row.opt_text("address_line2")?,
            post_code: row.text("post_code")?,
            city: row.opt_text("city")?,
            country_code: row.text("country_code")?,
            created_at: row.text("created_at")?,
            changed_at: row.text("changed_at")?,
            version: row.int("version")?,
        })
    }

    /// The addresses as `FIND_WITH_ADDRESSES` of the profile SQL aggregates them: a JSON array
    /// of objects with the served field names, oldest first. (Read by hand: a derived
    /// `Deserialize` made the profiles component 9 KiB larger.)
    pub(crate) fn from_json_array(text: &str) -> Result<Vec<Self>, DbError> {
        let bad = || DbError::Other("postal_addresses: not an array of addresses".into());
        let value: serde_json::Value = serde_json::from_str(text).map_err(|_| bad())?;
        let one = |a: &serde_json::Value| -> Option<Self> {
            let text = |k: &str| a.get(k).and_then(|v| v.as_str()).map(str::to_owned);
            let int = |k: &str| a.get(k).and_then(serde_json::Value::as_i64);
            Some(Self {
                id: int("id")?,
                address_line1: text("addressLine1")?,
                address_line2: text("addressLine2"),
                post_code: text("postCode")?,
                city: text("city"),
                country_code: text("countryCode")?,
                created_at: text("createdAt")?,
                changed_at: text("changedAt")?,
                version: int("version")?,
            })
        };
        value.as_array().ok_or_else(bad)?.iter().map(|a| one(a).ok_or_else(bad)).collect()
    }

    /// The names of the fields whose values differ from `new` (for the audit trail).
    fn changed_fields(&self, new: &NewAddress) -> Vec<&'static str> {
        let differs = [
            ("addressLine1", self.address_line1 != new.address_line1),
            ("addressLine2", self.address_line2 != new.address_line2),
            ("postCode", self.post_code != new.post_code),
            ("city", self.city != new.city),
            ("countryCode", self.country_code != new.country_code),
        ];
        differs.into_iter().filter(|(_, d)| *d).map(|(name, _)| name).collect()
    }
}

impl NewAddress {
    fn given_fields(&self) -> Vec<&'static str> {
        let given = [
            ("addressLine1", true),
            ("addressLine2", self.address_line2.is_some()),
            ("postCode", true),
            ("city", self.city.is_some()),
            ("countryCode", true),
        ];
        given.into_iter().filter(|(_, g)| *g).map(|(name, _)| name).collect()
    }

    /// Parameters ?3.. of INSERT and ?4.. of REPLACE, in column order.
    fn values(&self) -> [Value; 6] {
        [
            Value::from(self.address_line1.as_str()),
            Value::from(self.address_line2.clone()),
            Value::from(self.post_code.as_str()),
            Value::from(self.city.clone()),
            Value::from(self.country_code.as_str()),
            Value::from(fold(&self.address_line1)),
        ]
    }
}

fn read(rows: &crate::db::Rows) -> Result<Vec<Address>, DbError> {
    rows.iter().map(Address::from_row).collect()
}

/// A customer's addresses, oldest first.
pub async fn list(db: &impl Db, organisation_id: i64, customer_number: i64) -> Result<Vec<Address>, DbError> {
    read(&db.execute(LIST, &[Value::Integer(organisation_id), Value::Integer(customer_number)]).await?)
}

/// The addresses of each of `customer_numbers`, oldest first, as (customer number, address).
pub async fn list_for(
    db: &impl Db,
    organisation_id: i64,
    customer_numbers: &[i64],
) -> Result<Vec<(i64, Address)>, DbError> {
    let numbers = serde_json::to_string(customer_numbers).expect("numbers serialise");
    let rows = db.execute(LIST_FOR_MANY, &[Value::Integer(organisation_id), Value::from(numbers)]).await?;
    rows.iter().map(|row| Ok((row.int("customer_number")?, Address::from_row(row)?))).collect()
}

/// One address of the customer, or `None` (also when it is another customer's).
pub async fn find(
    db: &impl Db,
    organisation_id: i64,
    customer_number: i64,
    id: i64,
) -> Result<Option<Address>, DbError> {
    let params = [Value::Integer(organisation_id), Value::Integer(customer_number), Value::Integer(id)];
    Ok(read(&db.execute(FIND, &params).await?)?.pop())
}

/// Adds an address and its audit entry. Call inside the write transaction.
pub async fn add(
    db: &impl Db,
    actor: &Actor<'_>,
    customer_number: i64,
    new: &NewAddress,
    now: Timestamp,
) -> Result<Address, ApiError> {
    let mut params = vec![Value::Integer(actor.organisation_id), Value::Integer(customer_number)];
    params.extend(new.values());
    params.push(Value::from(now.rfc3339()));
    let added = read(&db.execute(INSERT, &params).await?)?.pop().ok_or_else(no_row)?;
    subresource::record(db, actor, customer_number, "POSTAL_ADDRESS_ADDED", &new.given_fields(), now).await?;
    Ok(added)
}

/// Replaces `current` (read in the same transaction, its `If-Match` checked) and records
/// which fields changed.
pub async fn replace(
    db: &impl Db,
    actor: &Actor<'_>,
    customer_number: i64,
    current: &Address,
    new: &NewAddress,
    now: Timestamp,
) -> Result<Address, ApiError> {
    let mut params = vec![
        Value::Integer(actor.organisation_id),
        Value::Integer(customer_number),
        Value::Integer(current.id),
    ];
    params.extend(new.values());
    params.extend([Value::Integer(current.version), Value::from(now.rfc3339())]);
    let replaced = read(&db.execute(REPLACE, &params).await?)?.pop().ok_or(ApiError::PreconditionFailed)?;
    let fields = current.changed_fields(new);
    subresource::record(db, actor, customer_number, "POSTAL_ADDRESS_CHANGED", &fields, now).await?;
    Ok(replaced)
}

/// Deletes `current` (read in the same transaction, its `If-Match` checked).
pub async fn remove(
    db: &impl Db,
    actor: &Actor<'_>,
    customer_number: i64,
    current: &Address,
    now: Timestamp,
) -> Result<(), ApiError> {
    let row = (current.id, current.version);
    subresource::remove(db, actor, customer_number, DELETE, row, "POSTAL_ADDRESS_REMOVED", now).await
}

/// GDPR export hook: the customer's addresses as the API shows them (a JSON array).
pub async fn export(
    db: &impl Db,
    organisation_id: i64,
    customer_number: i64,
) -> Result<serde_json::Value, DbError> {
    subresource::export_list(list(db, organisation_id, customer_number).await, "addresses")
}

/// Merge hook (`connect`): every address of `from` moves to `to`. Addresses have no
/// uniqueness, so there are no conflicts; the target may end up with two equal addresses.
/// Call inside the merge's transaction.
pub async fn move_to(db: &impl Db, organisation_id: i64, from: i64, to: i64) -> Result<(), DbError> {
    db.execute(MOVE, &[Value::Integer(organisation_id), Value::Integer(from), Value::Integer(to)]).await?;
    Ok(())
}

fn no_row() -> ApiError {
    ApiError::Internal(anyhow::anyhow!("INSERT ... RETURNING returned no row"))
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

    fn body(line1: &str, post_code: &str) -> AddressBody {
        AddressBody {
            address_line1: Some(line1.into()),
            post_code: Some(post_code.into()),
            ..Default::default()
        }
    }

    fn fields(errors: FieldErrors) -> Vec<(String, String)> {
        errors
            .entries()
            .iter()
            .map(|e| (e.field.clone().unwrap_or_default(), e.error_code.to_string()))
            .collect()
    }

    #[test]
    fn an_address_without_country_is_norwegian() {
        let new = new_address(body("Storgata 1", "0155")).unwrap();
        assert_eq!(new.country_code, "NO");
    }

    #[test]
    fn address_line_1_and_post_code_are_required() {
        let errors =
            new_address(AddressBody { city: Some("Oslo".into()), ..Default::default() }).unwrap_err();
        let expected = [("addressLine1", "REQUIRED"), ("postCode", "REQUIRED")];
        assert_eq!(fields(errors), expected.map(|(f, c)| (f.to_owned(), c.to_owned())));
    }

    #[test]
    fn norwegian_post_codes_are_four_digits_and_foreign_ones_are_freer() {
        assert_eq!(
            new_address(body("Storgata 1", "155")).unwrap_err().entries()[0].error_code,
            "INVALID_POST_CODE"
        );
        let swedish = AddressBody { country_code: Some("se".into()), ..body("Drottninggatan 1", "111 51") };
        let new = new_address(swedish).unwrap();
        assert_eq!((new.country_code.as_str(), new.post_code.as_str()), ("SE", "111 51"));
        let british = AddressBody { country_code: Some("GB".into()), ..body("10 Downing St", "sw1a 2aa") };
        assert_eq!(new_address(british).unwrap().post_code, "SW1A 2AA");
    }

    #[test]
    fn country_codes_must_be_assigned_iso_3166_alpha_2_codes() {
        assert_eq!(country_code("no").unwrap(), "NO");
        for bad in ["NOR", "XX", "N", "+47", "ÅÅ"] {
            assert_eq!(country_code(bad).unwrap_err().code, "INVALID_COUNTRY_CODE", "{bad}");
        }
    }

    #[test]
    fn lines_longer_than_100_characters_are_rejected() {
        let long = AddressBody { city: Some("x".repeat(101)), ..body(&"y".repeat(101), "0155") };
        let expected = [("addressLine1", "TOO_LONG"), ("city", "TOO_LONG")];
        assert_eq!(
            fields(new_address(long).unwrap_err()),
            expected.map(|(f, c)| (f.to_owned(), c.to_owned()))
        );
    }

    #[test]
    fn nested_errors_carry_their_prefix() {
        let mut errs = FieldErrors::default();
        assert!(parse_into(&mut errs, "postalAddresses[1].", AddressBody::default()).is_none());
        assert_eq!(errs.entries()[0].field.as_deref(), Some("postalAddresses[1].addressLine1"));
    }

    #[test]
    fn an_added_address_is_listed_found_replaced_and_removed() {
        let db = TestDb::new();
        let n = customer(&db, ORG);
        let new = new_address(body("Storgata 1", "0155")).unwrap();
        let added = db.transaction(async |tx| add(tx, &actor(), n, &new, NOW).await).block_on().unwrap();
        assert_eq!((added.version, added.created_at.as_str()), (1, "2026-11-28T06:17:43.123Z"));
        assert_eq!(list(&db, ORG, n).block_on().unwrap(), std::slice::from_ref(&added));

        let moved =
            new_address(AddressBody { city: Some("Oslo".into()), ..body("Storgata 2", "0155") }).unwrap();
        let replaced = db
            .transaction(async |tx| replace(tx, &actor(), n, &added, &moved, NOW).await)
            .block_on()
            .unwrap();
        assert_eq!((replaced.version, replaced.city.as_deref()), (2, Some("Oslo")));
        let stale = db.transaction(async |tx| replace(tx, &actor(), n, &added, &moved, NOW).await).block_on();
        assert_eq!(stale.unwrap_err().status(), 412, "a replace against an old version changes nothing");

        db.transaction(async |tx| remove(tx, &actor(), n, &replaced, NOW).await).block_on().unwrap();
        assert_eq!(find(&db, ORG, n, added.id).block_on().unwrap(), None);
        let trail =
            db.execute("SELECT action, changed_fields FROM audit_event ORDER BY id", &[]).block_on().unwrap();
        let trail: Vec<(String, String)> =
            trail.iter().map(|r| (r.text("action").unwrap(), r.text("changed_fields").unwrap())).collect();
        assert_eq!(
            trail[0],
            ("POSTAL_ADDRESS_ADDED".into(), r#"["addressLine1","postCode","countryCode"]"#.into())
        );
        assert_eq!(trail[1], ("POSTAL_ADDRESS_CHANGED".into(), r#"["addressLine1","city"]"#.into()));
        assert_eq!(trail[2].0, "POSTAL_ADDRESS_REMOVED");
        assert!(trail.iter().all(|(_, f)| !f.contains("Storgata")), "never values");
    }

    #[test]
    fn another_organisation_or_customer_finds_nothing() {
        let db = TestDb::new();
        let (n, other) = (customer(&db, ORG), customer(&db, ORG));
        let new = new_address(body("Storgata 1", "0155")).unwrap();
        let added = db.transaction(async |tx| add(tx, &actor(), n, &new, NOW).await).block_on().unwrap();
        assert_eq!(find(&db, 2002, n, added.id).block_on().unwrap(), None);
        assert_eq!(find(&db, ORG, other, added.id).block_on().unwrap(), None);
        assert!(list(&db, 2002, n).block_on().unwrap().is_empty());
    }

    #[test]
    fn erasing_the_customer_erases_the_addresses() {
        let db = TestDb::new();
        let n = customer(&db, ORG);
        let new = new_address(body("Storgata 1", "0155")).unwrap();
        db.transaction(async |tx| add(tx, &actor(), n, &new, NOW).await).block_on().unwrap();
        db.execute("DELETE FROM customer WHERE customer_number = ?1", &[Value::Integer(n)])
            .block_on()
            .unwrap();
        let left = db.execute("SELECT count(*) AS n FROM postal_address", &[]).block_on().unwrap();
        assert_eq!(left.first().unwrap().int("n").unwrap(), 0);
    }

    #[test]
    fn merging_moves_every_address_to_the_target() {
        let db = TestDb::new();
        let (from, to) = (customer(&db, ORG), customer(&db, ORG));
        let new = new_address(body("Storgata 1", "0155")).unwrap();
        db.transaction(async |tx| add(tx, &actor(), from, &new, NOW).await).block_on().unwrap();
        db.transaction(async |tx| add(tx, &actor(), to, &new, NOW).await).block_on().unwrap();
        move_to(&db, ORG, from, to).block_on().unwrap();
        assert!(list(&db, ORG, from).block_on().unwrap().is_empty());
        assert_eq!(list(&db, ORG, to).block_on().unwrap().len(), 2);
        assert_eq!(export(&db, ORG, to).block_on().unwrap()[0]["addressLine1"], "Storgata 1");
    }

    #[test]
    fn every_lookup_uses_an_index() {
        let db = TestDb::new();
        let cascade = "DELETE FROM postal_address WHERE customer_number = ?1";
        for sql in [LIST, MOVE, cascade] {
            assert!(plan(&db, sql).contains("INDEX postal_address_customer"), "{}", plan(&db, sql));
        }
        assert!(!plan(&db, LIST).contains("TEMP B-TREE"), "the index gives the order");
        assert!(plan(&db, FIND).contains("USING INTEGER PRIMARY KEY"), "{}", plan(&db, FIND));
        let search = "SELECT id FROM postal_address WHERE organisation_id = ?1 AND post_code = ?2";
        assert!(plan(&db, search).contains("postal_address_post_code_search"));
        let search = "SELECT id FROM postal_address WHERE organisation_id = ?1 AND address_line1_key = ?2";
        assert!(plan(&db, search).contains("postal_address_line_search"));
    }
}
