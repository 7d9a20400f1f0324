//! The customer as a whole (contract §3): a profile with everything that hangs off it —
//! postal addresses, preference values, ecards, loyalty memberships, given consents — and
//! the rules about all of it at once:
//! - only an active profile takes writes, to itself or to its children ([`writable`],
//!   [`writable_parent`]);
//! - `connect` merges one customer into another, children and all ([`connect`]);
//! - the GDPR export shows all of it ([`export`]);
//! - erasure deletes all of it and remembers that it did ([`erase`]).
//!
//! Each kind of child decides its own conflicts on a merge (its `move_to`) and its own part of
//! the export (its `export`); a new kind of child plugs in here, in [`move_children`] and
//! [`export_document`].

use crate::audit::{self, Actor, AuditEntry};
use crate::db::{Db, DbError};
use crate::profile::{self, Changed, CustomerNumber, Profile, ProfileType, ProfileView};
use crate::time::Timestamp;
#[cfg(feature = "openapi")]
use crate::wire_schema;
use errors::{ApiError, ErrorCode, Invalid};
use serde_json::Value as Json;

/// The profile a write to it goes to (read inside the write transaction): 404 when there is
/// none of this kind in the organisation, when it expired, and when it was merged into
/// another (a merged profile lives on only as a pointer for reads).
pub async fn writable(
    db: &impl Db,
    organisation_id: i64,
    number: CustomerNumber,
    kind: ProfileType,
    now: Timestamp,
) -> Result<Profile, ApiError> {
    profile::find(db, organisation_id, number, kind, now)
        .await?
        .filter(|p| !p.is_merged())
        .ok_or(ApiError::NotFound)
}

/// The customer number of the profile a write to one of its children (an address, a
/// preference value, an ecard, a membership) goes to: 404 as a read, and 409
/// `PROFILE_NOT_ACTIVE` unless the profile is active (a deactivated profile awaits its
/// erasure; a merged one lives on in the profile it was merged into). Call inside the write
/// transaction, so the parent cannot vanish before the write.
pub async fn writable_parent(
    db: &impl Db,
    organisation_id: i64,
    number: CustomerNumber,
    kind: ProfileType,
    now: Timestamp,
) -> Result<i64, ApiError> {
    let parent = profile::find(db, organisation_id, number, kind, now).await?.ok_or(ApiError::NotFound)?;
    require_active(&parent, "the profile is not active (deactivated or merged): it takes no changes")?;
    Ok(parent.customer_number.0)
}

fn require_active(profile: &Profile, message: &'static str) -> Result<(), ApiError> {
    if profile.is_active() {
        Ok(())
    } else {
        Err(ApiError::conflict(ErrorCode::PROFILE_NOT_ACTIVE, "customerNumber", message))
    }
}

/// Merges customer `source` (permanent or temporary, same organisation) into `target`
/// (contract §3 connect): every child of `source` moves to `target`, and `source` becomes
/// `P`, a pointer to `target` without personal data. `target` was read in this transaction
/// with [`writable`] and its `If-Match` checked; it must be active (409
/// `PROFILE_NOT_ACTIVE`), and `source` another profile (400 `CANNOT_CONNECT_TO_ITSELF`) that
/// exists and was not merged already (404).
pub async fn connect(
    db: &impl Db,
    target: &Profile,
    source: CustomerNumber,
    changed: &Changed<'_>,
) -> Result<(), ApiError> {
    require_active(target, "only an active profile can take over another")?;
    if source == target.customer_number {
        return Err(ApiError::invalid_field(
            "customerNumberToConnect",
            Invalid::new(ErrorCode::CANNOT_CONNECT_TO_ITSELF, "must be another profile"),
        ));
    }
    let organisation_id = changed.actor.organisation_id;
    let source = profile::find_any(db, organisation_id, source, changed.now)
        .await?
        .filter(|p| !p.is_merged())
        .ok_or(ApiError::NotFound)?;
    move_children(db, organisation_id, source.customer_number.0, target.customer_number.0).await?;
    profile::mark_merged(db, &source, target, changed).await
}

/// Moves every child of profile `from` to profile `to` (connect), each kind deciding its own
/// conflicts (see their `move_to`). Call inside the merge's transaction.
pub async fn move_children(db: &impl Db, organisation_id: i64, from: i64, to: i64) -> Result<(), DbError> {
    crate::address::move_to(db, organisation_id, from, to).await?;
    crate::preference::move_to(db, organisation_id, from, to).await?;
    crate::ecard::move_to(db, organisation_id, from, to).await?;
    crate::loyalty::move_to(db, organisation_id, from, to).await?;
    crate::consent::move_to(db, organisation_id, from, to).await?;
    Ok(())
}

/// The GDPR export (contract §3 `GET /profiles/{customerNumber}/export`) of the customer
/// `number` of this kind: a merged profile exports the profile it was merged into, as reads
/// answer with it; 404 as a read.
pub async fn export(
    db: &impl Db,
    organisation_id: i64,
    number: CustomerNumber,
    kind: ProfileType,
    now: Timestamp,
) -> Result<serde_json::Value, ApiError> {
    let found = profile::find(db, organisation_id, number, kind, now).await?.ok_or(ApiError::NotFound)?;
    let shown = profile::resolve_merged(db, organisation_id, found, now).await?.ok_or(ApiError::NotFound)?;
    Ok(export_document(db, organisation_id, &shown, now).await?)
}

/// One document with everything the service holds on `profile`'s customer, each part from
/// the module that owns it.
pub async fn export_document(
    db: &impl Db,
    organisation_id: i64,
    profile: &Profile,
    now: Timestamp,
) -> Result<serde_json::Value, DbError> {
    let n = profile.customer_number.0;
    let (history, _) = audit::list(db, organisation_id, n, 0, i64::MAX - 1).await?;
    let mut profile = profile.clone();
    profile::attach_addresses(db, organisation_id, std::slice::from_mut(&mut profile)).await?;
    let document = ProfileExport {
        exported_at: now.rfc3339(),
        profile: ProfileView::from(&profile),
        postal_addresses: crate::address::export(db, organisation_id, n).await?,
        preferences: crate::preference::export(db, organisation_id, n).await?,
        ecards: crate::ecard::export(db, organisation_id, n).await?,
        loyalty_programs: crate::loyalty::export(db, organisation_id, n).await?,
        consents: crate::consent::export(db, organisation_id, n).await?,
        history: history.iter().map(audit::Event::view).collect(),
    };
    Ok(serde_json::to_value(document).expect("an export serialises"))
}

/// The export document: each part as the module that owns it exports it. Served as a JSON
/// value, so its members come out sorted by name.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "openapi",
    derive(schemars::JsonSchema),
    schemars(
        rename = "ProfileExport",
        description = "Everything the service holds on the customer (GDPR access).",
        extend("additionalProperties" = false)
    )
)]
pub(crate) struct ProfileExport<'a> {
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("Timestamp")))]
    exported_at: String,
    profile: ProfileView<'a>,
    #[cfg_attr(feature = "openapi", schemars(with = "Vec<Json>", transform = wire_schema::list_of("PostalAddress")))]
    postal_addresses: Json,
    #[cfg_attr(feature = "openapi", schemars(with = "Vec<Json>", transform = wire_schema::list_of("CustomerPreference")))]
    preferences: Json,
    #[cfg_attr(feature = "openapi", schemars(with = "Vec<Json>", transform = wire_schema::list_of("ECard")))]
    ecards: Json,
    #[cfg_attr(feature = "openapi", schemars(with = "Vec<Json>", transform = wire_schema::list_of("LoyaltyMembershipExport")))]
    loyalty_programs: Json,
    #[cfg_attr(feature = "openapi", schemars(transform = wire_schema::reference("ConsentExport")))]
    consents: Json,
    /// The whole audit trail, oldest first.
    #[cfg_attr(feature = "openapi", schemars(with = "Vec<Json>", transform = wire_schema::list_of("AuditEvent")))]
    history: Vec<Json>,
}

/// Erases a customer for good (contract §3 DELETE, §5): the profile, the profiles merged
/// into it, everything hanging off them (foreign keys cascade), and stored idempotent
/// responses holding their data. On a local file `secure_delete` overwrites the freed bytes
/// (docs/data.md, "Erasure and backups", for libSQL). Leaves one `ERASED` audit entry naming the
/// client, and an entry per erased profile in the erasure ledger ([`crate::erasure`]),
/// without personal data. The profile `number` was read in this transaction ([`writable`])
/// and its `If-Match` checked.
pub async fn erase(
    db: &impl Db,
    actor: &Actor<'_>,
    number: CustomerNumber,
    now: Timestamp,
) -> Result<(), DbError> {
    let (organisation_id, number) = (actor.organisation_id, number.0);
    crate::erasure::record(db, organisation_id, number, now).await?;
    profile::erase_rows(db, organisation_id, number).await?;
    let entry = AuditEntry {
        organisation_id,
        customer_number: number,
        action: "ERASED",
        changed_fields: &[],
        changed_by: None,
        channel: None,
        client_id: actor.client_id,
        at: now,
    };
    audit::record(db, &entry).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::subresource::testing::{customer, ORG};
    use crate::test_db::{BlockOn, TestDb};

    #[test]
    fn the_export_has_every_part_in_name_order() {
        let db = TestDb::new();
        let now = Timestamp(1_795_846_663_123);
        let n = CustomerNumber(customer(&db, ORG));
        let found = profile::find(&db, ORG, n, ProfileType::Standard, now).block_on().unwrap().unwrap();
        let document = export_document(&db, ORG, &found, now).block_on().unwrap();
        let names: Vec<&str> = document.as_object().unwrap().keys().map(String::as_str).collect();
        let parts = ["consents", "ecards", "exportedAt", "history", "loyaltyPrograms", "postalAddresses"];
        assert_eq!(names, [&parts[..], &["preferences", "profile"]].concat());
        assert_eq!(document["exportedAt"], "2026-11-28T06:17:43.123Z");
    }
}
