//! Profile search (contract §3): the AND of the given criteria, each served by an index
//! that starts with the organisation, ordered by customer number with a keyset cursor.
//! The statement is assembled from fixed fragments; what the caller sent only ever
//! becomes a parameter.

use super::values;
use super::{sql::profile_select, Profile};
use crate::db::{Db, DbError, Value};
use crate::text::fold;
use crate::time::Timestamp;
use errors::{ErrorCode, FieldErrors, Invalid};

/// The largest page a search returns.
pub const MAX_RESULT_SET: i64 = 1000;

/// What to look for. Each value is already in its comparable (folded / normalised) form.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Criteria {
    pub first_name: Option<String>,
    pub surname: Option<String>,
    pub email: Option<String>,
    pub customer_ref: Option<String>,
    pub telephone: Option<String>,
    pub landline: Option<String>,
    pub date_of_birth: Option<String>,
    pub post_code: Option<String>,
    pub postal_address: Option<String>,
    pub include_temporary: bool,
}

impl Criteria {
    /// Reads the criteria from query parameters as `web::Query` checked them (known, given
    /// once, trimmed, not blank; `includeTemporary` `true` or `false`); 400 names every bad
    /// value, or the lack of any criterion.
    pub fn parse(query: &[(String, String)], errs: &mut FieldErrors) -> Criteria {
        let get = |name: &str| {
            query.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned()).filter(|v| !v.is_empty())
        };
        let mut c = Criteria {
            first_name: get("firstName").map(|v| fold(&v)),
            surname: get("surname").map(|v| fold(&v)),
            email: get("email").map(|v| fold(&v)),
            customer_ref: get("customerRef"),
            date_of_birth: errs.optional("dateOfBirth", get("dateOfBirth"), |d| {
                crate::time::parse_date(d).map(|d| d.to_string())
            }),
            post_code: get("postCode"),
            postal_address: get("postalAddress").map(|v| fold(&v)),
            include_temporary: get("includeTemporary").as_deref() == Some("true"),
            ..Default::default()
        };
        c.telephone = match (get("telephoneNumber"), get("countryCode"), get("telephoneNumberNoCountryCode"))
        {
            (Some(full), code, number) => {
                // The full number wins, but the other two are still checked when given.
                if let Some(code) = code {
                    errs.check("countryCode", values::country_code(&code));
                }
                if let Some(number) = number {
                    errs.check("telephoneNumberNoCountryCode", values::phone_digits(&number));
                }
                errs.check("telephoneNumber", values::full_telephone_key(&full))
            }
            (None, code, Some(number)) => {
                let code = code.unwrap_or_else(|| "+47".into());
                let code = errs.check("countryCode", values::country_code(&code));
                let number = errs.check("telephoneNumberNoCountryCode", values::phone_digits(&number));
                code.zip(number).map(|(code, number)| format!("{}{number}", code.trim_start_matches('+')))
            }
            (None, Some(_), None) => {
                errs.push(
                    "countryCode",
                    Invalid::new(ErrorCode::INVALID_TELEPHONE, "needs telephoneNumberNoCountryCode"),
                );
                None
            }
            (None, None, None) => None,
        };
        c.landline = errs.optional("landlineNumber", get("landlineNumber"), values::phone_digits);
        if errs.is_empty() && !c.has_criterion() {
            errs.push(
                "query",
                Invalid::new(ErrorCode::MISSING_SEARCH_CRITERIA, "needs at least one search criterion"),
            );
        }
        c
    }

    fn has_criterion(&self) -> bool {
        self.first_name.is_some()
            || self.surname.is_some()
            || self.email.is_some()
            || self.customer_ref.is_some()
            || self.telephone.is_some()
            || self.landline.is_some()
            || self.date_of_birth.is_some()
            || self.post_code.is_some()
            || self.postal_address.is_some()
    }

    /// The statement and its parameters: `?1` organisation, `?2` now, `?3` the cursor (the
    /// last customer number already seen), `?4` the page size, then one per criterion.
    pub fn statement(
        &self,
        organisation_id: i64,
        now: Timestamp,
        after: i64,
        limit: i64,
    ) -> (String, Vec<Value>) {
        // With an address criterion the customers are looked up by the numbers the
        // postal_address index yields (in order, so no sort); the unary `+` keeps the planner
        // from instead walking every customer of the organisation through an index that starts
        // with it and testing each against the addresses (p50 120 ms at a million profiles).
        let by_address = self.post_code.is_some() || self.postal_address.is_some();
        let mut params = vec![
            Value::Integer(organisation_id),
            Value::from(now.rfc3339()),
            Value::Integer(after),
            Value::Integer(limit),
        ];
        // Each fragment's `{}` becomes the number of its parameter.
        let criteria: [(&str, &Option<String>); 9] = [
            ("email_key = {}", &self.email),
            ("customer_ref = {}", &self.customer_ref),
            ("telephone_key = {}", &self.telephone),
            ("landline_key = {}", &self.landline),
            ("surname_key = {}", &self.surname),
            ("first_name_key = {}", &self.first_name),
            ("date_of_birth = {}", &self.date_of_birth),
            (
                "customer_number IN (SELECT customer_number FROM postal_address
                                      WHERE organisation_id = ?1 AND post_code = {})",
                &self.post_code,
            ),
            (
                "customer_number IN (SELECT customer_number FROM postal_address
                                      WHERE organisation_id = ?1 AND address_line1_key = {})",
                &self.postal_address,
            ),
        ];
        let mut filter = String::from(if by_address {
            " WHERE +organisation_id = ?1"
        } else {
            " WHERE organisation_id = ?1"
        });
        filter.push_str(
            " AND status <> 'P'
                AND (expiration_date IS NULL OR expiration_date > ?2)
                AND customer_number > ?3",
        );
        for (fragment, value) in criteria {
            if let Some(value) = value {
                params.push(Value::from(value.as_str()));
                filter.push_str(" AND ");
                filter.push_str(&fragment.replace("{}", &format!("?{}", params.len())));
            }
        }
        // Permanent and temporary profiles are in search indexes of their own (migration
        // 0007), so with includeTemporary each kind is read through its own and the two are
        // merged in customer-number order (SQLite merges the two ordered halves, no sort).
        // customerRef and the address criteria are looked up through indexes holding both.
        let kinds: &[&str] = match (self.include_temporary, by_address || self.customer_ref.is_some()) {
            (false, _) => &[" AND profile_type = 'S'"],
            (true, false) => &[" AND profile_type = 'S'", " AND profile_type = 'T'"],
            (true, true) => &[""],
        };
        let arms: Vec<String> =
            kinds.iter().map(|kind| format!("{}{filter}{kind}", profile_select!())).collect();
        let mut sql = arms.join(" UNION ALL ");
        sql.push_str(" ORDER BY customer_number LIMIT ?4");
        (sql, params)
    }
}

/// One page of results: at most `limit` profiles after the cursor, plus whether more follow.
pub async fn search(
    db: &impl Db,
    organisation_id: i64,
    criteria: &Criteria,
    now: Timestamp,
    after: i64,
    limit: i64,
) -> Result<(Vec<Profile>, bool), DbError> {
    let (sql, params) = criteria.statement(organisation_id, now, after, limit + 1);
    let rows = db.execute(&sql, &params).await?;
    let mut found: Vec<Profile> = rows.iter().map(Profile::from_row).collect::<Result<_, _>>()?;
    let more = found.len() as i64 > limit;
    found.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok((found, more))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_db::{BlockOn, TestDb};

    fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn criteria(pairs: &[(&str, &str)]) -> Criteria {
        let mut errs = FieldErrors::default();
        let c = Criteria::parse(&query(pairs), &mut errs);
        assert!(errs.is_empty(), "{errs:?}");
        c
    }

    /// The query plan's detail lines.
    fn plan(db: &TestDb, c: &Criteria) -> Vec<String> {
        let (sql, params) = c.statement(1, Timestamp(0), 0, 101);
        let rows = db.execute(&format!("EXPLAIN QUERY PLAN {sql}"), &params).block_on().unwrap();
        rows.iter().map(|r| r.text("detail").unwrap()).collect()
    }

    /// Every criterion alone and some together, without and with includeTemporary.
    const PATHS: &[&[(&str, &str)]] = &[
        &[("firstName", "Kari")],
        &[("surname", "Nordmann")],
        &[("email", "kari@example.no")],
        &[("customerRef", "CRM-1")],
        &[("countryCode", "+47"), ("telephoneNumberNoCountryCode", "91234567")],
        &[("telephoneNumber", "+4791234567")],
        &[("landlineNumber", "22 33 44 55")],
        &[("dateOfBirth", "1990-01-01")],
        &[("postCode", "0150")],
        &[("postalAddress", "Storgata 1")],
        &[("surname", "Nordmann"), ("firstName", "Kari")],
        &[("surname", "Nordmann"), ("postCode", "0150")],
    ];

    #[test]
    fn every_search_path_is_served_by_an_index() {
        let db = TestDb::new();
        for base in PATHS {
            for temporary in [false, true] {
                let mut pairs = base.to_vec();
                if temporary {
                    pairs.push(("includeTemporary", "true"));
                }
                let plan = plan(&db, &criteria(&pairs));
                let full_scan = plan.iter().any(|d| d.starts_with("SCAN ") && !d.contains("USING"));
                assert!(!full_scan, "{pairs:?} scans a whole table: {plan:?}");
                // Every read of customer goes through an index (or its primary key), in each
                // half of a merged search too.
                for read in plan.iter().filter(|d| d.contains(" customer ")) {
                    assert!(read.contains("USING"), "{pairs:?}: {read} in {plan:?}");
                }
                assert!(!plan.iter().any(|d| d.contains("TEMP B-TREE")), "{pairs:?} sorts: {plan:?}");
            }
        }
    }

    #[test]
    fn permanent_and_temporary_profiles_are_searched_through_indexes_of_their_own() {
        let db = TestDb::new();
        let surname = plan(&db, &criteria(&[("surname", "Nordmann")]));
        assert!(surname.iter().any(|d| d.contains("customer_surname_order")), "{surname:?}");
        assert!(!surname.iter().any(|d| d.contains("temporary_")), "{surname:?}");
        let email = plan(&db, &criteria(&[("email", "kari@example.no"), ("includeTemporary", "true")]));
        assert!(email.iter().any(|d| d.contains("MERGE")), "{email:?}");
        assert!(email.iter().any(|d| d.contains("customer_email_search")), "{email:?}");
        assert!(email.iter().any(|d| d.contains("temporary_email_search")), "{email:?}");
        let both = plan(&db, &criteria(&[("surname", "Nordmann"), ("firstName", "Kari")]));
        assert!(both.iter().any(|d| d.contains("customer_surname_search")), "{both:?}");
    }

    /// A profile of `kind` ('S' or 'T', expiring in 2099) with one first name and one phone.
    fn insert(db: &TestDb, kind: &str, surname: &str) -> i64 {
        let expires = if kind == "T" { Some("2099-01-01T00:00:00.000Z") } else { None };
        let rows = db
            .execute(
                "INSERT INTO customer (organisation_id, uuid, customer_ref, profile_type, expiration_date,
                     surname_key, first_name_key, telephone_key, created_at, created_by, created_by_channel,
                     changed_at, changed_by, changed_by_channel)
                 VALUES (1, hex(randomblob(16)), hex(randomblob(8)), ?1, ?2, ?3, 'kari', '4791234567',
                         't', 'x', 'x', 't', 'x', 'x')
                 RETURNING customer_number",
                &[Value::from(kind), Value::from(expires), Value::from(surname)],
            )
            .block_on()
            .unwrap();
        rows.first().unwrap().int("customer_number").unwrap()
    }

    #[test]
    fn with_temporary_profiles_pages_hold_both_kinds_in_customer_number_order() {
        let db = TestDb::new();
        let kinds = ["S", "T", "T", "S", "T", "S", "S", "T"];
        let numbers: Vec<(i64, &str)> = kinds.iter().map(|k| (insert(&db, k, "nordmann"), *k)).collect();
        let hansen = insert(&db, "T", "hansen");
        let permanent: Vec<i64> = numbers.iter().filter(|(_, k)| *k == "S").map(|(n, _)| *n).collect();
        let all: Vec<i64> = numbers.iter().map(|(n, _)| *n).collect();
        let everyone: Vec<i64> = all.iter().copied().chain([hansen]).collect();
        for (pairs, expected) in [
            (&[("surname", "Nordmann")][..], &permanent),
            (&[("surname", "Nordmann"), ("includeTemporary", "true")][..], &all),
            (&[("surname", "Nordmann"), ("firstName", "Kari"), ("includeTemporary", "true")][..], &all),
            (&[("telephoneNumber", "+4791234567"), ("includeTemporary", "true")][..], &everyone),
            (&[("firstName", "Kari"), ("includeTemporary", "true")][..], &everyone),
        ] {
            let c = criteria(pairs);
            let (mut seen, mut after) = (Vec::new(), 0);
            loop {
                let (page, more) = search(&db, 1, &c, Timestamp(0), after, 3).block_on().unwrap();
                seen.extend(page.iter().map(|p| p.customer_number.0));
                after = *seen.last().unwrap_or(&0);
                if !more {
                    break;
                }
            }
            assert_eq!(&seen, expected, "{pairs:?}");
        }
    }

    #[test]
    fn names_and_emails_are_compared_folded() {
        let c = criteria(&[("surname", "ÆRLIG"), ("email", "Kari@Example.NO")]);
        assert_eq!(c.surname.as_deref(), Some("ærlig"));
        assert_eq!(c.email.as_deref(), Some("kari@example.no"));
    }

    #[test]
    fn phone_numbers_are_compared_as_digits_with_the_country_code() {
        let c = criteria(&[("countryCode", "+47"), ("telephoneNumberNoCountryCode", "912 34-567")]);
        assert_eq!(c.telephone.as_deref(), Some("4791234567"));
        assert_eq!(criteria(&[("telephoneNumber", "+47 912 34 567")]).telephone, c.telephone);
    }

    #[test]
    fn a_malformed_number_beside_the_full_one_is_still_refused() {
        let mut errs = FieldErrors::default();
        let pairs = [("telephoneNumber", "+4791234567"), ("telephoneNumberNoCountryCode", "x@")];
        Criteria::parse(&query(&pairs), &mut errs);
        assert_eq!(errs.entries().len(), 1, "{errs:?}");
    }

    #[test]
    fn a_search_needs_a_criterion() {
        for pairs in [&[][..], &[("includeTemporary", "true")][..], &[("maxResultSet", "5")][..]] {
            let mut errs = FieldErrors::default();
            Criteria::parse(&query(pairs), &mut errs);
            assert!(!errs.is_empty(), "{pairs:?} was accepted");
        }
    }

    #[test]
    fn a_page_reports_whether_more_follow() {
        let db = TestDb::new();
        for i in 0..3 {
            db.execute(
                "INSERT INTO customer (organisation_id, uuid, customer_ref, surname_key, created_at, created_by,
                     created_by_channel, changed_at, changed_by, changed_by_channel)
                 VALUES (1, ?1, ?1, 'nordmann', 't', 'x', 'x', 't', 'x', 'x')",
                &[Value::from(format!("u{i}"))],
            ).block_on()
            .unwrap();
        }
        let c = criteria(&[("surname", "NORDMANN")]);
        let (first, more) = search(&db, 1, &c, Timestamp(0), 0, 2).block_on().unwrap();
        assert_eq!((first.len(), more), (2, true));
        let (rest, more) =
            search(&db, 1, &c, Timestamp(0), first[1].customer_number.0, 2).block_on().unwrap();
        assert_eq!((rest.len(), more), (1, false));
        assert_eq!(
            search(&db, 2, &c, Timestamp(0), 0, 2).block_on().unwrap().0.len(),
            0,
            "another organisation"
        );
    }
}
