//! The profile a sub-resource hangs off: `{customerNumber}` of the route, permanent or
//! temporary by the route's template, in the caller's organisation and not expired —
//! otherwise 404, whatever the reason.

use domain::db::Db;
use domain::profile::{self, CustomerNumber, Profile, ProfileType};
use errors::ApiError;
use web::Call;

/// Which kind of profile the route is about: routes under `/profiles/temporary/` serve
/// temporary profiles, all others permanent ones.
pub fn kind<D>(call: &Call<'_, D>) -> ProfileType {
    if call.ctx.route.get().starts_with("/customers/v2/profiles/temporary/") {
        ProfileType::Temporary
    } else {
        ProfileType::Standard
    }
}

/// The `{customerNumber}` of the route.
pub fn number<D>(call: &Call<'_, D>) -> Result<CustomerNumber, ApiError> {
    CustomerNumber::from_path(call.params.get("customerNumber")?)
}

/// The parent profile, or 404.
pub async fn find<D: Db>(call: &Call<'_, D>) -> Result<Profile, ApiError> {
    let number = number(call)?;
    profile::find(call.db, call.caller.org(), number, kind(call), call.ctx.now)
        .await?
        .ok_or(ApiError::NotFound)
}
