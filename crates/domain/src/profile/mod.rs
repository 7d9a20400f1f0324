//! The profile aggregate (contract §3): value types, the create rules, the response view
//! and the SQL. Shared by the profiles and temporary-profiles components.

mod create;
pub mod fields;
pub mod operations;
mod replace;
pub mod search;
pub mod sql;
mod status;
pub mod temporary;
pub mod values;
mod view;

pub use create::{new_profile, CreateProfileBody, NewProfile};
pub use fields::{Names, ProfileFields};
pub use replace::{editable_document, merge_patch, replacement, Change, ReplaceProfileBody};
pub use status::{ProfileStatus, ProfileType};
pub use view::ProfileView;

use crate::audit::{self, Actor, AuditEntry};
use crate::db::{Db, DbError, Row, Value};
use crate::time::{Expiration, Timestamp};
use errors::{ApiError, ErrorCode, OnUnique};

/// A customer number: server-assigned, positive, never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CustomerNumber(pub i64);

impl CustomerNumber {
    /// From a path segment. Anything that is not a positive number names no customer: 404,
    /// exactly like a number that does not exist.
    pub fn from_path(segment: &str) -> Result<Self, ApiError> {
        match segment.parse::<i64>() {
            Ok(n) if n > 0 && !segment.starts_with('+') => Ok(Self(n)),
            _ => Err(ApiError::NotFound),
        }
    }
}

/// A stored profile, as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub customer_number: CustomerNumber,
    pub uuid: String,
    pub organisation_id: i64,
    pub customer_ref: String,
    pub status: ProfileStatus,
    pub profile_type: ProfileType,
    pub first_name: Option<String>,
    pub surname: Option<String>,
    pub email: Option<String>,
    pub language_preference: Option<String>,
    pub date_of_birth: Option<String>,
    pub country_code: Option<String>,
    pub telephone_number: Option<String>,
    pub landline_number: Option<String>,
    /// The instant it expires (temporary and deactivated profiles).
    pub expiration_date: Option<String>,
    /// The date `expirationDate` was given as, if it was (valid through that day): what is
    /// answered, instead of the instant (migration 0011).
    pub expiration_day: Option<String>,
    pub merged_into: Option<i64>,
    pub created_at: String,
    pub created_by: String,
    pub created_by_channel: String,
    pub changed_at: String,
    pub changed_by: String,
    pub changed_by_channel: String,
    pub version: i64,
    /// Filled by [`attach_addresses`] for responses (`Customer.postalAddresses`).
    pub postal_addresses: Vec<crate::address::Address>,
}

impl Profile {
    fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        Ok(Self {
            customer_number: CustomerNumber(row.int("customer_number")?),
            uuid: row.text("uuid")?,
            organisation_id: row.int("organisation_id")?,
            customer_ref: row.text("customer_ref")?,
            status: ProfileStatus::from_column(&row)?,
            profile_type: ProfileType::from_column(&row)?,
            first_name: row.opt_text("first_name")?,
            surname: row.opt_text("surname")?,
            email: row.opt_text("email")?,
            language_preference: row.opt_text("language_preference")?,
            date_of_birth: row.opt_text("date_of_birth")?,
            country_code: row.opt_text("country_code")?,
            telephone_number: row.opt_text("telephone_number")?,
            landline_number: row.opt_text("landline_number")?,
            expiration_date: row.opt_text("expiration_date")?,
            expiration_day: row.opt_text("expiration_day")?,
            merged_into: row.opt_int("merged_into")?,
            created_at: row.text("created_at")?,
            created_by: row.text("created_by")?,
            created_by_channel: row.text("created_by_channel")?,
            changed_at: row.text("changed_at")?,
            changed_by: row.text("changed_by")?,
            changed_by_channel: row.text("changed_by_channel")?,
            version: row.int("version")?,
            postal_addresses: Vec::new(),
        })
    }

    /// Whether it takes writes, its own and its children's (`A`).
    pub fn is_active(&self) -> bool {
        self.status == ProfileStatus::Active
    }

    /// Whether it was merged into another profile (`P`): only a pointer to it is left.
    pub fn is_merged(&self) -> bool {
        self.status == ProfileStatus::Merged
    }

    /// The `ETag` of the profile: its version.
    pub fn etag(&self) -> String {
        format!("\"{}\"", self.version)
    }
}

/// Stores a new profile and returns it as a read would find it, with its postal addresses:
/// a create then needs no statement to read it back. The profile, its `customerRef`
/// defaulted to the number and its CREATED audit entry (written by the INSERT's trigger,
/// migration 0006) are one statement, then come its postal addresses. Call inside a
/// transaction when there are addresses; without, the one statement is atomic by itself
/// (`connection::Writes::One`). Duplicate email or customerRef become 409s, decided by the unique
/// indexes. The password arrives hashed: hashing is slow and must not happen under the
/// write lock.
pub async fn create(
    db: &impl Db,
    actor: &Actor<'_>,
    new: &NewProfile,
    password_hash: Option<String>,
    uuid: &str,
    now: Timestamp,
) -> Result<Profile, ApiError> {
    let now_text = now.rfc3339();
    let params = [
        Value::Integer(actor.organisation_id),
        Value::from(uuid),
        // NULL: the default, the customer number (computed in the statement).
        Value::from(new.fields.customer_ref.clone()),
        Value::from(new.profile_type.code()),
        Value::from(new.expiration_date.map(|e| e.at.rfc3339())),
        Value::from(now_text.as_str()),
        Value::from(new.created_by.as_str()),
        Value::from(new.created_by_channel.as_str()),
        Value::from(password_hash),
        // The CREATED audit entry's details, for the trigger that writes it (migration 0006).
        Value::from(format!(
            r#"{{"fields":{},"clientId":{}}}"#,
            serde_json::to_string(&new.given_fields()).expect("names serialise"),
            serde_json::Value::from(actor.client_id)
        )),
    ];
    let day = Value::from(new.expiration_date.and_then(|e| e.day_text())); // ?24
    let params: Vec<Value> = params.into_iter().chain(field_params(&new.fields)).chain([day]).collect();
    let rows = db
        .execute(sql::INSERT, &params)
        .await
        .on_unique(sql::EMAIL_TAKEN, duplicate_email)
        .on_unique(sql::REF_TAKEN, duplicate_ref)?;
    let mut created = Profile::from_row(
        rows.first().ok_or_else(|| ApiError::Internal(anyhow::anyhow!("INSERT returned no row")))?,
    )?;
    let number = created.customer_number.0;
    if new.fields.customer_ref.is_none() && created.customer_ref != number.to_string() {
        db.execute(sql::DEFAULT_REF_TO_NUMBER, &[Value::Integer(number)])
            .await
            .on_unique(sql::REF_TAKEN, duplicate_ref)?;
        created.customer_ref = number.to_string();
    }
    for address in &new.postal_addresses {
        created.postal_addresses.push(crate::address::add(db, actor, number, address, now).await?);
    }
    Ok(created)
}

/// A profile of the organisation of the given kind, or `None` — also when it belongs to
/// another organisation, is of the other kind, or has passed its expiration date (§4, §5:
/// invisible from that instant, purged or not).
pub async fn find(
    db: &impl Db,
    organisation_id: i64,
    number: CustomerNumber,
    kind: ProfileType,
    now: Timestamp,
) -> Result<Option<Profile>, DbError> {
    let rows = find_rows(db, sql::FIND, organisation_id, number, kind, now).await?;
    rows.first().map(Profile::from_row).transpose()
}

/// Runs [`sql::FIND`] or a statement with its parameters.
async fn find_rows(
    db: &impl Db,
    statement: &str,
    organisation_id: i64,
    number: CustomerNumber,
    kind: ProfileType,
    now: Timestamp,
) -> Result<crate::db::Rows, DbError> {
    db.execute(
        statement,
        &[
            Value::Integer(organisation_id),
            Value::Integer(number.0),
            Value::from(now.rfc3339()),
            Value::from(kind.code()),
        ],
    )
    .await
}

/// [`find`] with the profile's postal addresses, in one statement.
pub async fn find_with_addresses(
    db: &impl Db,
    organisation_id: i64,
    number: CustomerNumber,
    kind: ProfileType,
    now: Timestamp,
) -> Result<Option<Profile>, DbError> {
    let rows = find_rows(db, sql::FIND_WITH_ADDRESSES, organisation_id, number, kind, now).await?;
    let Some(row) = rows.first() else { return Ok(None) };
    let mut profile = Profile::from_row(row)?;
    profile.postal_addresses = crate::address::Address::from_json_array(&row.text("postal_addresses")?)?;
    Ok(Some(profile))
}

/// A permanent profile (see [`find`]).
pub async fn find_permanent(
    db: &impl Db,
    organisation_id: i64,
    number: CustomerNumber,
    now: Timestamp,
) -> Result<Option<Profile>, DbError> {
    find(db, organisation_id, number, ProfileType::Standard, now).await
}

/// A profile of either kind (consents may belong to temporary profiles too).
pub async fn find_any(
    db: &impl Db,
    organisation_id: i64,
    number: CustomerNumber,
    now: Timestamp,
) -> Result<Option<Profile>, DbError> {
    let rows = db
        .execute(
            sql::FIND_ANY,
            &[Value::Integer(organisation_id), Value::Integer(number.0), Value::from(now.rfc3339())],
        )
        .await?;
    rows.first().map(Profile::from_row).transpose()
}

/// The editable fields as statement parameters, in the order `sql::INSERT` (from `?10`) and
/// `sql::UPDATE` (from `?9`) expect them: each value with its folded search key.
fn field_params(f: &ProfileFields) -> [Value; 13] {
    [
        Value::from(f.first_name.clone()),
        Value::from(f.first_name.as_deref().map(crate::text::fold)),
        Value::from(f.surname.clone()),
        Value::from(f.surname.as_deref().map(crate::text::fold)),
        Value::from(f.email.as_ref().map(|e| e.as_str().to_owned())),
        Value::from(f.email.as_ref().map(|e| e.key())),
        Value::from(f.language_preference.clone()),
        Value::from(f.date_of_birth.map(|d| d.to_string())),
        Value::from(f.telephone.as_ref().map(|t| t.country_code.clone())),
        Value::from(f.telephone.as_ref().and_then(|t| t.number.clone())),
        Value::from(f.telephone.as_ref().and_then(|t| t.key())),
        Value::from(f.landline.as_ref().map(|l| l.as_str().to_owned())),
        Value::from(f.landline.as_ref().map(|l| l.key())),
    ]
}

/// Loads the postal addresses of `profiles` (one statement for all of them), for the
/// `postalAddresses` of their `Customer` views.
pub async fn attach_addresses(
    db: &impl Db,
    organisation_id: i64,
    profiles: &mut [Profile],
) -> Result<(), DbError> {
    if profiles.is_empty() {
        return Ok(());
    }
    let numbers: Vec<i64> = profiles.iter().map(|p| p.customer_number.0).collect();
    for (number, address) in crate::address::list_for(db, organisation_id, &numbers).await? {
        if let Some(profile) = profiles.iter_mut().find(|p| p.customer_number.0 == number) {
            profile.postal_addresses.push(address);
        }
    }
    Ok(())
}

/// A profile found by its `customerRef` (permanent, not expired), or `None`.
pub async fn find_by_ref(
    db: &impl Db,
    organisation_id: i64,
    customer_ref: &str,
    now: Timestamp,
) -> Result<Option<Profile>, DbError> {
    let rows = db
        .execute(
            sql::FIND_BY_REF,
            &[Value::Integer(organisation_id), Value::from(customer_ref), Value::from(now.rfc3339())],
        )
        .await?;
    rows.first().map(Profile::from_row).transpose()
}

/// What a read of a permanent profile shows: a merged ('P') profile answers with the
/// active profile it was merged into (contract §3).
pub async fn resolve_merged(
    db: &impl Db,
    organisation_id: i64,
    found: Profile,
    now: Timestamp,
) -> Result<Option<Profile>, DbError> {
    match (found.is_merged(), found.merged_into) {
        (true, Some(target)) => find_permanent(db, organisation_id, CustomerNumber(target), now).await,
        (true, None) => Ok(None),
        (false, _) => Ok(Some(found)),
    }
}

/// Who and when, for a change.
pub struct Changed<'a> {
    pub actor: &'a Actor<'a>,
    pub changed_by: &'a str,
    pub channel: &'a str,
    pub now: Timestamp,
}

impl Changed<'_> {
    async fn audit(
        &self,
        db: &impl Db,
        number: CustomerNumber,
        action: &'static str,
        fields: &[&'static str],
    ) -> Result<(), DbError> {
        audit::record(
            db,
            &AuditEntry {
                organisation_id: self.actor.organisation_id,
                customer_number: number.0,
                action,
                changed_fields: fields,
                changed_by: Some(self.changed_by),
                channel: Some(self.channel),
                client_id: self.actor.client_id,
                at: self.now,
            },
        )
        .await
    }
}

/// The versioned write every change of a profile is: `statement` changes `current` only if
/// its version (`?3`, after the organisation `?1` and the number `?2`; `rest` from `?4` on) is
/// still the one read in this transaction and checked against `If-Match`, and bumps it; no
/// row back means it moved meanwhile (412). A taken email or customerRef is 409. Then the
/// change's audit entry: `action` and the names of the changed fields.
async fn write_versioned(
    db: &impl Db,
    current: &Profile,
    changed: &Changed<'_>,
    statement: &str,
    rest: impl IntoIterator<Item = Value>,
    action: &'static str,
    fields: &[&'static str],
) -> Result<(), ApiError> {
    let key = [
        Value::Integer(changed.actor.organisation_id),
        Value::Integer(current.customer_number.0),
        Value::Integer(current.version),
    ];
    let params: Vec<Value> = key.into_iter().chain(rest).collect();
    let rows = db
        .execute(statement, &params)
        .await
        .on_unique(sql::EMAIL_TAKEN, duplicate_email)
        .on_unique(sql::REF_TAKEN, duplicate_ref)?;
    if rows.rows.is_empty() {
        return Err(ApiError::PreconditionFailed);
    }
    changed.audit(db, current.customer_number, action, fields).await?;
    Ok(())
}

/// Writes new editable fields over `current` (whose version the caller checked against
/// `If-Match`), and an `expirationDate` when given (temporary profiles). Returns the new
/// version. 409 on a taken email or ref; 412 if the version moved meanwhile.
pub async fn update(
    db: &impl Db,
    current: &Profile,
    fields: &ProfileFields,
    expiration_date: Option<Expiration>,
    changed: &Changed<'_>,
) -> Result<(), ApiError> {
    let head = [
        Value::from(fields.customer_ref.clone()),
        Value::from(changed.now.rfc3339()),
        Value::from(changed.changed_by),
        Value::from(changed.channel),
        Value::from(expiration_date.map(|e| e.at.rfc3339())),
    ];
    let day = Value::from(expiration_date.and_then(|e| e.day_text())); // ?22
    let params = head.into_iter().chain(field_params(fields)).chain([day]);
    let mut names = fields.changed_from(current);
    if expiration_date.is_some_and(|e| {
        (Some(e.at.rfc3339()), e.day_text())
            != (current.expiration_date.clone(), current.expiration_day.clone())
    }) {
        names.push("expirationDate");
    }
    write_versioned(db, current, changed, sql::UPDATE, params, "UPDATED", &names).await
}

/// Deactivates a permanent profile (contract §3): status `D`, the email released, readable
/// until `expiration_date`, then erased by the purge.
pub async fn deactivate(
    db: &impl Db,
    current: &Profile,
    expiration_date: Expiration,
    changed: &Changed<'_>,
) -> Result<(), ApiError> {
    let params = [
        Value::from(expiration_date.at.rfc3339()),
        Value::from(changed.now.rfc3339()),
        Value::from(changed.changed_by),
        Value::from(changed.channel),
        Value::from(expiration_date.day_text()),
    ];
    let fields = ["status", "expirationDate"];
    write_versioned(db, current, changed, sql::DEACTIVATE, params, "DEACTIVATED", &fields).await
}

/// Sets a new password hash (hashed by the caller, outside the transaction).
pub async fn set_password(
    db: &impl Db,
    current: &Profile,
    password_hash: &str,
    changed: &Changed<'_>,
) -> Result<(), ApiError> {
    let params = [
        Value::from(password_hash),
        Value::from(changed.now.rfc3339()),
        Value::from(changed.changed_by),
        Value::from(changed.channel),
    ];
    write_versioned(db, current, changed, sql::SET_PASSWORD, params, "PASSWORD_CHANGED", &["password"]).await
}

/// Marks `source` as merged into `target` (contract §3 connect): status `P`, a pointer to
/// the target, and its personal data removed (the profile is only a redirect now; what the
/// customer had moved over). Profiles merged into `source` earlier now point at `target`.
/// The caller moves the children (addresses, consents, ...) in the same transaction.
pub async fn mark_merged(
    db: &impl Db,
    source: &Profile,
    target: &Profile,
    changed: &Changed<'_>,
) -> Result<(), ApiError> {
    let org = Value::Integer(changed.actor.organisation_id);
    db.execute(
        sql::REPOINT_MERGED,
        &[org.clone(), Value::Integer(source.customer_number.0), Value::Integer(target.customer_number.0)],
    )
    .await?;
    db.execute(
        sql::MARK_MERGED,
        &[
            org,
            Value::Integer(source.customer_number.0),
            Value::Integer(target.customer_number.0),
            Value::from(changed.now.rfc3339()),
            Value::from(changed.changed_by),
            Value::from(changed.channel),
        ],
    )
    .await?;
    changed.audit(db, source.customer_number, "MERGED_INTO", &["status", "mergedInto"]).await?;
    changed.audit(db, target.customer_number, "CONNECTED", &["customerNumberToConnect"]).await?;
    Ok(())
}

/// The rows [`crate::customer::erase`] deletes: the profile `number` of the organisation, the profiles merged
/// into it, and their stored idempotent responses (everything else goes with them through the
/// foreign keys). Also what re-applying the ledger to a restored database deletes.
pub(crate) async fn erase_rows(db: &impl Db, organisation_id: i64, number: i64) -> Result<(), DbError> {
    let params = [Value::Integer(organisation_id), Value::Integer(number)];
    db.execute(sql::ERASE_IDEMPOTENCY_RECORDS, &params).await?;
    db.execute(sql::ERASE_MERGED_INTO, &params).await?;
    db.execute(sql::ERASE, &params).await?;
    Ok(())
}

/// Makes temporary profile `current` permanent under the same number (contract §4): names
/// set, email replaced when given, password set when given (hashed by the caller), no
/// expiration. Children stay where they are. 409 when the email is taken.
pub async fn convert(
    db: &impl Db,
    current: &Profile,
    conversion: &temporary::Conversion,
    password_hash: Option<&str>,
    changed: &Changed<'_>,
) -> Result<(), ApiError> {
    let params = [
        Value::from(conversion.first_name.as_str()),
        Value::from(crate::text::fold(&conversion.first_name)),
        Value::from(conversion.surname.as_str()),
        Value::from(crate::text::fold(&conversion.surname)),
        Value::from(conversion.email.as_ref().map(|e| e.as_str().to_owned())),
        Value::from(conversion.email.as_ref().map(|e| e.key())),
        Value::from(password_hash),
        Value::from(changed.now.rfc3339()),
        Value::from(changed.changed_by),
        Value::from(changed.channel),
    ];
    let mut fields = vec!["profileType", "expirationDate", "firstName", "surname"];
    if conversion.email.is_some() {
        fields.push("email");
    }
    if password_hash.is_some() {
        fields.push("password");
    }
    write_versioned(db, current, changed, sql::CONVERT, params, "CONVERTED", &fields).await
}

/// The active permanent profile with this email, with its password hash, for signing in.
pub async fn find_for_sign_in(
    db: &impl Db,
    organisation_id: i64,
    email_key: &str,
    now: Timestamp,
) -> Result<Option<(Profile, Option<String>)>, DbError> {
    let rows = db
        .execute(
            sql::FIND_FOR_SIGN_IN,
            &[Value::Integer(organisation_id), Value::from(email_key), Value::from(now.rfc3339())],
        )
        .await?;
    rows.first().map(|row| Ok((Profile::from_row(row)?, row.opt_text("password_hash")?))).transpose()
}

/// Records a successful sign-in (no version change: it is not an edit of the profile).
pub async fn record_sign_in(
    db: &impl Db,
    organisation_id: i64,
    number: CustomerNumber,
    from: Option<&str>,
    now: Timestamp,
) -> Result<(), DbError> {
    db.execute(
        sql::RECORD_SIGN_IN,
        &[
            Value::Integer(organisation_id),
            Value::Integer(number.0),
            Value::from(now.rfc3339()),
            Value::from(from),
        ],
    )
    .await?;
    Ok(())
}

fn duplicate_email() -> ApiError {
    ApiError::conflict(ErrorCode::DUPLICATE_EMAIL, "email", "email is already used by another profile")
}

fn duplicate_ref() -> ApiError {
    ApiError::conflict(
        ErrorCode::DUPLICATE_CUSTOMER_REF,
        "customerRef",
        "customerRef is already used by another profile",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection::Transactions;
    use crate::test_db::{BlockOn, TestDb};

    const NOW: Timestamp = Timestamp(1_795_846_663_123);
    const ORG: i64 = 1001;

    fn actor() -> Actor<'static> {
        Actor { organisation_id: ORG, client_id: Some("partner-a") }
    }

    fn body(email: Option<&str>, customer_ref: Option<&str>) -> NewProfile {
        let body = CreateProfileBody {
            first_name: Some("Kari".into()),
            surname: Some("Nordmann".into()),
            email: email.map(Into::into),
            customer_ref: customer_ref.map(Into::into),
            created_by: Some("test".into()),
            created_by_channel: Some("WEB".into()),
            ..Default::default()
        };
        new_profile(body, ORG, NOW).unwrap()
    }

    fn create(db: &TestDb, new: &NewProfile, uuid: &str) -> Result<CustomerNumber, ApiError> {
        db.transaction(async |tx| super::create(tx, &actor(), new, None, uuid, NOW).await)
            .block_on()
            .map(|p| p.customer_number)
    }

    #[test]
    fn a_created_profile_is_found_with_its_ref_defaulting_to_its_number() {
        let db = TestDb::new();
        let n = create(&db, &body(None, None), "u1").unwrap();
        let found = find_permanent(&db, ORG, n, NOW).block_on().unwrap().unwrap();
        assert_eq!(found.customer_ref, n.0.to_string());
        assert_eq!(found.version, 1);
        assert_eq!(found.created_at, "2026-11-28T06:17:43.123Z");
    }

    #[test]
    fn the_default_ref_is_the_number_even_after_the_newest_profile_was_erased() {
        let db = TestDb::new();
        for uuid in ["u1", "u2", "u3"] {
            create(&db, &body(None, None), uuid).unwrap();
        }
        db.execute("DELETE FROM customer WHERE customer_number = 3", &[]).block_on().unwrap();
        create(&db, &body(None, Some("7")), "u4").unwrap(); // number 4, a ref of its own
        let created = db
            .transaction(async |tx| super::create(tx, &actor(), &body(None, None), None, "u5", NOW).await)
            .block_on()
            .unwrap();
        assert_eq!((created.customer_number.0, created.customer_ref.as_str()), (5, "5"));
        let found = find_permanent(&db, ORG, created.customer_number, NOW).block_on().unwrap().unwrap();
        assert_eq!(created, found, "a create returns the profile as a read finds it");
        let refs = db
            .execute(
                "SELECT count(*) AS n FROM customer WHERE customer_ref = CAST(customer_number AS TEXT)",
                &[],
            )
            .block_on()
            .unwrap();
        assert_eq!(refs.first().unwrap().int("n").unwrap(), 3);
    }

    #[test]
    fn another_organisation_finds_nothing() {
        let db = TestDb::new();
        let n = create(&db, &body(None, None), "u1").unwrap();
        assert_eq!(find_permanent(&db, 2002, n, NOW).block_on().unwrap(), None);
    }

    #[test]
    fn emails_are_unique_per_organisation_whatever_their_case() {
        let db = TestDb::new();
        create(&db, &body(Some("kari@example.no"), None), "u1").unwrap();
        let error = create(&db, &body(Some("KARI@example.NO"), None), "u2").unwrap_err();
        assert_eq!(error.error_code(), "DUPLICATE_EMAIL");
    }

    #[test]
    fn customer_refs_are_unique_per_organisation() {
        let db = TestDb::new();
        create(&db, &body(None, Some("R-1")), "u1").unwrap();
        let error = create(&db, &body(None, Some("R-1")), "u2").unwrap_err();
        assert_eq!(error.error_code(), "DUPLICATE_CUSTOMER_REF");
    }

    #[test]
    fn a_failed_create_writes_nothing() {
        let db = TestDb::new();
        create(&db, &body(None, Some("R-1")), "u1").unwrap();
        let _ = create(&db, &body(None, Some("R-1")), "u2");
        let rows = db.execute("SELECT count(*) AS n FROM audit_event", &[]).block_on().unwrap();
        assert_eq!(rows.first().unwrap().int("n").unwrap(), 1);
    }

    #[test]
    fn non_numeric_customer_numbers_are_simply_not_found() {
        for segment in ["abc", "0", "-1", "+5", "99999999999999999999"] {
            assert_eq!(CustomerNumber::from_path(segment).unwrap_err().status(), 404, "{segment}");
        }
        assert_eq!(CustomerNumber::from_path("42").unwrap(), CustomerNumber(42));
    }
}

#[cfg(test)]
mod address_tests {
    use super::*;
    use crate::connection::Transactions;
    use crate::test_db::{BlockOn, TestDb};

    #[test]
    fn a_create_is_one_statement_that_writes_its_audit_entry_and_leaves_no_trace_of_it() {
        let db = TestDb::new();
        let body: CreateProfileBody = serde_json::from_value(serde_json::json!({
            "firstName": "Kari", "surname": "Nordmann", "email": "kari@example.no", "createdBy": "agent-1", "createdByChannel": "WEB"
        }))
        .unwrap();
        let now = Timestamp(1_795_846_663_123);
        let new = new_profile(body, 1, now).unwrap();
        let actor = Actor { organisation_id: 1, client_id: Some("partner-a") };
        // No transaction: the INSERT and what its trigger writes are one atomic statement.
        let created = create(&db, &actor, &new, None, "u", now).block_on().unwrap();
        let n = Value::Integer(created.customer_number.0);
        let audit = db
            .execute(
                "SELECT action, changed_fields, changed_by, channel, client_id, at FROM audit_event
                  WHERE customer_number = ?1",
                std::slice::from_ref(&n),
            )
            .block_on()
            .unwrap();
        assert_eq!(audit.rows.len(), 1);
        let entry = audit.first().unwrap();
        assert_eq!(entry.text("action").unwrap(), "CREATED");
        assert_eq!(entry.text("changed_fields").unwrap(), r#"["firstName","surname","email"]"#);
        assert_eq!(entry.text("changed_by").unwrap(), "agent-1");
        assert_eq!(entry.text("channel").unwrap(), "WEB");
        assert_eq!(entry.text("client_id").unwrap(), "partner-a");
        assert_eq!(entry.text("at").unwrap(), now.rfc3339());
        let left = db
            .execute("SELECT pending_audit FROM customer WHERE customer_number = ?1", &[n])
            .block_on()
            .unwrap();
        assert_eq!(left.first().unwrap().opt_text("pending_audit").unwrap(), None);
    }

    #[test]
    fn addresses_given_at_create_are_attached_to_the_profile() {
        let db = TestDb::new();
        let body: CreateProfileBody = serde_json::from_value(serde_json::json!({
            "firstName": "Kari", "surname": "Nordmann", "createdBy": "t", "createdByChannel": "W",
            "postalAddresses": [{"addressLine1": "Storgata 1", "postCode": "0155"}]
        }))
        .unwrap();
        let now = Timestamp(1_795_846_663_123);
        let new = new_profile(body, 1, now).unwrap();
        assert_eq!(new.postal_addresses.len(), 1);
        let actor = Actor { organisation_id: 1, client_id: None };
        let created =
            db.transaction(async |tx| create(tx, &actor, &new, None, "u", now).await).block_on().unwrap();
        let mut found =
            vec![find_permanent(&db, 1, created.customer_number, now).block_on().unwrap().unwrap()];
        attach_addresses(&db, 1, &mut found).block_on().unwrap();
        assert_eq!(found[0].postal_addresses.len(), 1);
        assert_eq!(created, found[0], "a create returns its addresses as a read finds them");
        let second = crate::address::new_address(
            serde_json::from_value(serde_json::json!({"addressLine1": "Øvre gate 2", "postCode": "0156"}))
                .unwrap(),
        )
        .unwrap();
        db.transaction(async |tx| {
            crate::address::add(tx, &actor, created.customer_number.0, &second, now).await
        })
        .block_on()
        .unwrap();
        let mut both =
            vec![find_permanent(&db, 1, created.customer_number, now).block_on().unwrap().unwrap()];
        attach_addresses(&db, 1, &mut both).block_on().unwrap();
        let in_one = find_with_addresses(&db, 1, created.customer_number, ProfileType::Standard, now)
            .block_on()
            .unwrap();
        assert_eq!(in_one.as_ref(), Some(&both[0]), "one statement finds what two do");
        assert_eq!(both[0].postal_addresses.len(), 2);
        assert_eq!(
            find_with_addresses(&db, 2, created.customer_number, ProfileType::Standard, now)
                .block_on()
                .unwrap(),
            None
        );
    }
}
