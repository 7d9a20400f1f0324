//! The CRM (data warehouse) listing: `/customers/v2/consents/crm` (contract §6).

use crate::{Answer, Call};
use auth::Permission;
use domain::consent::crm;
use domain::consent::query::CrmFilter;
use domain::consent::view::CrmView;
use domain::db::Db;
use web::{Param, Query};

/// The filters, then the page.
const TAKES: &[Param] = &[
    Param::List("consentIds"),
    Param::Flag("includeEmail"),
    Param::Flag("includeTelephoneNumber"),
    Param::One("limit"),
    Param::One("cursor"),
];

/// GET /customers/v2/consents/crm?consentIds=&includeEmail=&includeTelephoneNumber=&limit=&cursor=
/// (contract §6, paging §1): the organisation's given consents with `customerRef`, contact data
/// only when asked, `limit` (default 100, at most 1000) per page and the next page in
/// `Link: <…&cursor=…>; rel="next"`.
pub async fn list<D: Db>(call: &Call<'_, D>) -> Answer {
    web::require(call.caller, Permission::ConsentsRead)?;
    let params = Query::read(call.req, TAKES)?;
    let filter = CrmFilter::parse(params.pairs())?;
    let limit = web::paging::limit(&params, "limit", 100, 1000)?;
    let after = web::paging::after(&params)?;
    let page = crm::page(call.db, call.caller.org(), &filter, after, limit, call.ctx.now).await?;
    let mut response = web::json_response(200, &page.rows.iter().map(CrmView::from).collect::<Vec<_>>())?;
    if let Some(last) = page.next_after {
        web::paging::link_next(call.req, &mut response, last);
    }
    Ok(response)
}
