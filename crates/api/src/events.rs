//! `GET /customers/v2/events`: the change feed (docs/change-feed.md). What happened to
//! the organisation's customers, oldest first, so partners can pass erasures, merges and
//! withdrawn consents on to their own systems.

use crate::{Answer, Call};
use auth::Permission;
use domain::db::Db;
use domain::event::{self, Kind};
use errors::{ApiError, ErrorCode, Invalid};
use web::{Param, Query};

/// `after` (not `cursor`: it is also the poller's position), `limit`, `types`, `customerNumber`.
const TAKES: &[Param] =
    &[Param::One("after"), Param::One("limit"), Param::List("types"), Param::One("customerNumber")];

/// The permission that shows events of a kind.
fn permission(kind: Kind) -> Permission {
    match kind {
        Kind::Profile => Permission::ProfileRead,
        Kind::Consent => Permission::ConsentsRead,
    }
}

/// GET /customers/v2/events?after=&limit=&types=&customerNumber=: a page of the caller's
/// organisation's events after the cursor `after` (an event's `id`; absent: the oldest kept),
/// `limit` (default 100, at most 1000) of them, of the `types` asked for (comma-separated;
/// default every type the token may read: profile events need `customers-profile:les`,
/// consent events `consents:les`), of one customer if `customerNumber` is given. Always
/// `Link: rel="next"`: on the last page it is where to poll from later.
pub async fn list<D: Db>(call: &Call<'_, D>) -> Answer {
    let caller = call.caller;
    if !caller.has(Permission::ProfileRead) && !caller.has(Permission::ConsentsRead) {
        return Err(ApiError::MissingPermission(Permission::ProfileRead.as_str()));
    }
    let params = Query::read(call.req, TAKES)?;
    let types = types(&params, |kind| caller.has(permission(kind)))?;
    let query = event::Query {
        organisation_id: caller.org(),
        after: web::paging::after_in(&params, "after")?,
        limit: web::paging::limit(&params, "limit", 100, 1000)?,
        types,
        customer_number: customer_number(&params)?,
    };
    let (events, _) = event::page(call.db, &query).await?;
    let shown: Vec<serde_json::Value> = events.iter().map(view).collect();
    let mut response = web::json_response(200, &shown)?;
    let last = events.last().map_or(query.after, |e| e.id);
    web::paging::link_next_in(call.req, &mut response, "after", last);
    Ok(response)
}

/// An event as the feed shows it: its `id` is the cursor that continues after it.
fn view(event: &event::Event) -> serde_json::Value {
    let mut shown = serde_json::to_value(event).unwrap_or_default();
    shown["id"] = web::paging::encode_cursor(event.id).into();
    shown
}

/// The types to show: those of `types=` (each one a type, and one the caller may read: else
/// 403 naming the permission), or every type the caller may read.
fn types(params: &Query, may_read: impl Fn(Kind) -> bool) -> Result<Vec<&'static str>, ApiError> {
    let asked = params.list("types");
    if asked.is_empty() {
        return Ok(event::TYPES.iter().filter(|(_, kind)| may_read(*kind)).map(|(name, _)| *name).collect());
    }
    let mut chosen = Vec::new();
    for name in asked {
        let Some(&(known, kind)) = event::TYPES.iter().find(|(known, _)| *known == name) else {
            let all: Vec<&str> = event::TYPES.iter().map(|(name, _)| *name).collect();
            return Err(ApiError::invalid_field(
                "types",
                Invalid::new(
                    ErrorCode::INVALID_EVENT_TYPE,
                    format!("{name:?} is not one of {}", all.join(", ")),
                ),
            ));
        };
        if !may_read(kind) {
            return Err(ApiError::MissingPermission(permission(kind).as_str()));
        }
        chosen.push(known);
    }
    Ok(chosen)
}

/// `customerNumber=`: a positive whole number, else 400.
fn customer_number(params: &Query) -> Result<Option<i64>, ApiError> {
    match params.one("customerNumber") {
        None => Ok(None),
        Some(raw) => match raw.parse::<i64>() {
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => Err(ApiError::invalid_field(
                "customerNumber",
                Invalid::new(ErrorCode::INVALID_CUSTOMER_NUMBER, "must be a positive whole number"),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(types: &str) -> Query {
        Query::parse(&format!("types={types}"), TAKES).unwrap()
    }

    #[test]
    fn without_types_the_caller_gets_every_type_it_may_read() {
        let profiles_only = types(&Query::default(), |kind| kind == Kind::Profile).unwrap();
        assert!(profiles_only.contains(&"profile.erased") && !profiles_only.contains(&"consent.withdrawn"));
        let consents_only = types(&Query::default(), |kind| kind == Kind::Consent).unwrap();
        assert_eq!(consents_only, ["consent.given", "consent.withdrawn"]);
    }

    #[test]
    fn asked_types_must_exist_and_be_readable() {
        assert_eq!(
            types(&query("profile.erased, consent.withdrawn"), |_| true).unwrap(),
            ["profile.erased", "consent.withdrawn"]
        );
        assert_eq!(types(&query("profile.erased,nonsense"), |_| true).unwrap_err().status(), 400);
        let forbidden = types(&query("consent.withdrawn"), |kind| kind == Kind::Profile).unwrap_err();
        assert_eq!((forbidden.status(), forbidden.error_code()), (403, "MISSING_PERMISSION"));
    }

    #[test]
    fn customer_numbers_are_positive() {
        let q = |v: &str| Query::parse(&format!("customerNumber={v}"), TAKES).unwrap();
        assert_eq!(customer_number(&q("42")).unwrap(), Some(42));
        assert_eq!(customer_number(&q("")).unwrap(), None);
        for bad in ["0", "-1", "x"] {
            assert_eq!(customer_number(&q(bad)).unwrap_err().status(), 400, "{bad}");
        }
    }
}
