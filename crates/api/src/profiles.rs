//! Permanent profiles: `/customers/v2/profiles` (contract §3).

use crate::{parent, Answer, Call};
use auth::Permission;
use domain::db::Db;
use domain::profile::{self, Actor, CreateProfileBody, ProfileView};
use errors::ApiError;

/// POST /customers/v2/profiles (contract §3): 201, `Location`, body `Customer`.
pub fn create<D: Db>(call: &Call<'_, D>) -> Answer {
    let Call { ctx, caller, db, req, .. } = call;
    web::require(caller, Permission::ProfileCreate)?;
    let new = profile::new_profile(web::json::<CreateProfileBody>(req)?, caller.org(), ctx.now)?;
    let uuid = fresh_customer_uuid(call);
    let actor = Actor { organisation_id: caller.org(), client_id: caller.client_id() };
    web::idempotency::create(*db, caller.org(), ctx, req, |tx| {
        let number = profile::insert(tx, &actor, &new, &uuid, ctx.now)?;
        let created =
            profile::find_permanent(tx, caller.org(), number, ctx.now)?.ok_or(ApiError::NotFound)?;
        let location = format!("/customers/v2/profiles/{}", number.0);
        let response = web::created(&location, &created.etag(), &ProfileView::from(&created))?;
        Ok((response, Some(number.0)))
    })
}

/// GET /customers/v2/profiles/{customerNumber} (contract §3). Another organisation's
/// profile is answered exactly like a missing one.
pub fn get<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ProfileRead)?;
    let found = parent::find(call)?;
    let mut response = web::json_response(200, &ProfileView::from(&found))?;
    web::set_etag(&mut response, &found.etag())?;
    Ok(response)
}

pub fn search<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn verify_credentials<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn get_by_ref<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn replace<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn patch<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn erase<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn deactivate<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn connect<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn export<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn history<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

pub fn change_password<D: Db>(_call: &Call<'_, D>) -> Answer {
    Err(ApiError::NotImplemented)
}

/// A customer's `uuid` from the host's random source.
fn fresh_customer_uuid<D>(call: &Call<'_, D>) -> String {
    loop {
        if let Some(uuid) = domain::ids::customer_uuid(&(call.ctx.random_bytes)(64)) {
            return uuid;
        }
    }
}
