//! The GDPR export (contract §3): one document with everything the service holds on a
//! customer. Each part comes from the module that owns it.

use domain::audit;
use domain::db::{Db, DbError};
use domain::profile::{Profile, ProfileView};
use domain::time::Timestamp;
use serde_json::{json, Value};

/// The whole export of `profile`.
pub async fn document(
    db: &impl Db,
    organisation_id: i64,
    profile: &Profile,
    now: Timestamp,
) -> Result<Value, DbError> {
    let n = profile.customer_number.0;
    let (history, _) = audit::list(db, organisation_id, n, 0, i64::MAX - 1).await?;
    let mut profile = profile.clone();
    domain::profile::attach_addresses(db, organisation_id, std::slice::from_mut(&mut profile)).await?;
    Ok(json!({
        "exportedAt": now.rfc3339(),
        "profile": ProfileView::from(&profile),
        "postalAddresses": domain::address::export(db, organisation_id, n).await?,
        "preferences": domain::preference::export(db, organisation_id, n).await?,
        "ecards": domain::ecard::export(db, organisation_id, n).await?,
        "loyaltyPrograms": domain::loyalty::export(db, organisation_id, n).await?,
        "consents": domain::consent::export(db, organisation_id, n).await?,
        "history": history.iter().map(audit::Event::view).collect::<Vec<_>>(),
    }))
}
