//! Permanent profiles: `/customers/v2/profiles` (contract §3).

use auth::{Caller, Permission};
use domain::db::Db;
use domain::profile::{self, Actor, CreateProfileBody, CustomerNumber, ProfileView};
use errors::ApiError;
use http::{Request, Response};
use web::RequestCtx;

type Answer = Result<Response<Vec<u8>>, ApiError>;

/// POST /customers/v2/profiles (contract §3): 201, `Location`, body `Customer`.
pub fn create(ctx: &RequestCtx, caller: &Caller, db: &impl Db, req: &Request<Vec<u8>>) -> Answer {
    ctx.route.set("/customers/v2/profiles");
    web::require(caller, Permission::ProfileCreate)?;
    let new = profile::new_profile(web::json::<CreateProfileBody>(req)?, caller.org(), ctx.now)?;
    let uuid = fresh_customer_uuid();
    let actor = Actor { organisation_id: caller.org(), client_id: caller.client_id() };
    let created = db.transaction(|tx| {
        let number = profile::insert(tx, &actor, &new, &uuid, ctx.now)?;
        profile::find_permanent(tx, caller.org(), number, ctx.now)?.ok_or(ApiError::NotFound)
    })?;
    let location = format!("/customers/v2/profiles/{}", created.customer_number.0);
    web::created(&location, &created.etag(), &ProfileView::from(&created))
}

/// GET /customers/v2/profiles/{customerNumber} (contract §3). Another organisation's
/// profile is answered exactly like a missing one.
pub fn get(ctx: &RequestCtx, caller: &Caller, db: &impl Db, number: &str) -> Answer {
    ctx.route.set("/customers/v2/profiles/{customerNumber}");
    web::require(caller, Permission::ProfileRead)?;
    let number = CustomerNumber::from_path(number)?;
    let found = profile::find_permanent(db, caller.org(), number, ctx.now)?.ok_or(ApiError::NotFound)?;
    let mut response = web::json_response(200, &ProfileView::from(&found))?;
    web::set_etag(&mut response, &found.etag())?;
    Ok(response)
}

fn fresh_customer_uuid() -> String {
    loop {
        if let Some(uuid) = domain::ids::customer_uuid(&spin_glue::random_bytes::<64>()) {
            return uuid;
        }
    }
}
