//! The CRM (data warehouse) listing: the organisation's given consents with the customer's
//! `customerRef`, and contact data only when asked (contract §6). Keyset-paginated by the
//! given consent's id, so a page is stable under concurrent inserts.

use super::query::CrmFilter;
use super::sql;
use crate::db::{Db, DbError, Row, Value};
use crate::time::Timestamp;

/// One line of the listing. Contact data is `None` unless the query asked for it.
#[derive(Debug, Clone, PartialEq)]
pub struct CrmRow {
    pub given_consent_id: i64,
    pub consent_id: i64,
    pub consent_code: String,
    pub consent_base_version: i64,
    pub consent_organisation_id: i64,
    pub created_by_org_id: i64,
    pub customer_number: i64,
    pub customer_ref: String,
    pub consent_choice: bool,
    pub created_at: String,
    pub changed_at: String,
    pub email: Option<String>,
    pub country_code: Option<String>,
    pub telephone_number: Option<String>,
}

impl CrmRow {
    fn from_row(row: Row<'_>, query: &CrmFilter) -> Result<Self, DbError> {
        let phone =
            |column: &str| if query.include_telephone_number { row.opt_text(column) } else { Ok(None) };
        Ok(Self {
            given_consent_id: row.int("id")?,
            consent_id: row.int("consent_id")?,
            consent_code: row.text("consent_code")?,
            consent_base_version: row.int("consent_base_version")?,
            consent_organisation_id: row.int("consent_organisation_id")?,
            created_by_org_id: row.int("created_by_org_id")?,
            customer_number: row.int("customer_number")?,
            customer_ref: row.text("customer_ref")?,
            consent_choice: row.int("consent_choice")? == 1,
            created_at: row.text("created_at")?,
            changed_at: row.text("changed_at")?,
            email: if query.include_email { row.opt_text("email")? } else { None },
            country_code: phone("country_code")?,
            telephone_number: phone("telephone_number")?,
        })
    }
}

/// One page and, when there is more, the key the next page starts after.
#[derive(Debug, Clone, PartialEq)]
pub struct CrmPage {
    pub rows: Vec<CrmRow>,
    pub next_after: Option<i64>,
}

/// The page of at most `limit` rows after given consent id `after` (0: the first page).
/// Customers past their expiration date are left out (invisible from that instant, purged or
/// not).
pub async fn page(
    db: &impl Db,
    organisation_id: i64,
    filter: &CrmFilter,
    after: i64,
    limit: i64,
    now: Timestamp,
) -> Result<CrmPage, DbError> {
    let ids = filter.consent_ids.as_ref().map(|ids| serde_json::to_string(ids).expect("numbers serialise"));
    let params = [
        Value::Integer(organisation_id),
        Value::Integer(after),
        Value::from(ids),
        Value::from(now.rfc3339()),
        Value::Integer(limit + 1), // one more tells whether a next page exists
    ];
    let found = db.execute(sql::CRM_PAGE, &params).await?;
    let mut rows: Vec<CrmRow> =
        found.iter().map(|r| CrmRow::from_row(r, filter)).collect::<Result<_, _>>()?;
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next_after = rows.last().filter(|_| more).map(|last| last.given_consent_id);
    Ok(CrmPage { rows, next_after })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::given::tests::{active_consent_and_customer, customer, give};
    use crate::consent::offer::tests::{at, NOW, ORG};
    use crate::test_db::{BlockOn, TestDb};

    fn query(list: &[(&str, &str)]) -> CrmFilter {
        let pairs: Vec<(String, String)> = list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        CrmFilter::parse(&pairs).unwrap()
    }

    fn first(db: &TestDb, organisation_id: i64, filter: &CrmFilter, now: Timestamp) -> CrmPage {
        page(db, organisation_id, filter, 0, 100, now).block_on().unwrap()
    }

    #[test]
    fn pages_follow_each_other_without_gaps_or_repeats() {
        let db = TestDb::new();
        let (consent, _) = active_consent_and_customer(&db);
        let mut given = Vec::new();
        for _ in 0..5 {
            let c = customer(&db, ORG, None);
            given.push(give(&db, c, consent, true, NOW).unwrap().id);
        }
        let mut seen = Vec::new();
        let mut after = 0;
        loop {
            let page = page(&db, ORG, &CrmFilter::default(), after, 2, NOW).block_on().unwrap();
            seen.extend(page.rows.iter().map(|r| r.given_consent_id));
            let Some(next) = page.next_after else { break };
            assert_eq!(page.rows.len(), 2);
            after = next;
        }
        assert_eq!(seen, given);
    }

    #[test]
    fn contact_data_appears_only_when_asked_for() {
        let db = TestDb::new();
        let (consent, customer) = active_consent_and_customer(&db);
        db.execute(
            "UPDATE customer SET customer_ref = 'CRM-1', email = 'kari@example.no', country_code = '+47',
                                 telephone_number = '91234567'",
            &[],
        )
        .block_on()
        .unwrap();
        give(&db, customer, consent, true, NOW).unwrap();
        let plain = &first(&db, ORG, &query(&[]), NOW).rows[0];
        assert_eq!((plain.email.as_deref(), plain.telephone_number.as_deref()), (None, None));
        assert_eq!(plain.customer_ref, "CRM-1");
        let asked =
            &first(&db, ORG, &query(&[("includeEmail", "true"), ("includeTelephoneNumber", "true")]), NOW)
                .rows[0];
        assert_eq!(asked.email.as_deref(), Some("kari@example.no"));
        assert_eq!(
            (asked.country_code.as_deref(), asked.telephone_number.as_deref()),
            (Some("+47"), Some("91234567"))
        );
    }

    #[test]
    fn the_listing_filters_by_consent_and_leaves_out_other_organisations_and_expired_customers() {
        let db = TestDb::new();
        let (consent, kari) = active_consent_and_customer(&db);
        give(&db, kari, consent, true, NOW).unwrap();
        let temporary = customer(&db, ORG, Some(&at(1)));
        give(&db, temporary, consent, true, NOW).unwrap();
        assert_eq!(first(&db, ORG, &query(&[]), NOW).rows.len(), 2);
        let later = Timestamp(NOW.0 + 2 * 24 * 60 * 60 * 1000);
        assert_eq!(first(&db, ORG, &query(&[]), later).rows.len(), 1);
        assert_eq!(first(&db, ORG, &query(&[("consentIds", "999")]), NOW).rows, []);
        assert_eq!(first(&db, 2002, &query(&[]), NOW).rows, []);
    }
}
