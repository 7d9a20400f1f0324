//! What hangs off a profile, in one place: the merge of connect moves it all (contract §3),
//! and the export shows it all. A new kind of child plugs in here once.

use domain::db::{Db, DbError};

/// Moves every child of profile `from` to profile `to` (connect). Each module decides its
/// own conflicts (see their `move_to`).
pub async fn move_all(db: &impl Db, organisation_id: i64, from: i64, to: i64) -> Result<(), DbError> {
    domain::address::move_to(db, organisation_id, from, to).await?;
    domain::preference::move_to(db, organisation_id, from, to).await?;
    domain::ecard::move_to(db, organisation_id, from, to).await?;
    domain::loyalty::move_to(db, organisation_id, from, to).await?;
    domain::consent::move_to(db, organisation_id, from, to).await?;
    Ok(())
}
