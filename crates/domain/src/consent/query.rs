//! Query parameters of the consent listings, checked once (one 400 naming every bad one).
//! The pairs come from `web::Query`, which has already refused unknown and repeated parameters
//! and booleans other than `true`/`false`, trimmed the values, dropped blank ones and split
//! lists into one pair per item.

use super::offer::{ConsentFilter, Versions};
use super::values::ConsentCode;
use errors::{ApiError, ErrorCode, FieldErrors, Invalid};

type Pairs = [(String, String)];

/// Every item of the list `name`.
fn values<'a>(pairs: &'a Pairs, name: &str) -> Vec<&'a str> {
    pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
}

/// The value of `name`, if given.
fn single<'a>(pairs: &'a Pairs, name: &str) -> Option<&'a str> {
    values(pairs, name).first().copied()
}

/// A flag: given as `true` (absent is false).
fn flag(pairs: &Pairs, name: &str) -> bool {
    single(pairs, name) == Some("true")
}

/// A list of positive ids, or `None` when the parameter is absent.
fn ids(errs: &mut FieldErrors, pairs: &Pairs, name: &str) -> Option<Vec<i64>> {
    let raw = values(pairs, name);
    if raw.is_empty() {
        return None;
    }
    let parsed: Option<Vec<i64>> = raw.iter().map(|v| v.parse::<i64>().ok().filter(|n| *n > 0)).collect();
    if parsed.is_none() {
        errs.push(
            name,
            Invalid::new(ErrorCode::INVALID_ID_LIST, "must be a comma-separated list of positive ids"),
        );
    }
    parsed
}

/// `GET …/client/consents` and `…/admin/consents`: `consentCodes`, `versions` (`ALL`, the
/// default, `CURRENT` or a list), `includeInactive` (default false). Only the admin listing
/// shows drafts.
pub fn consent_filter(pairs: &Pairs, include_drafts: bool) -> Result<ConsentFilter, ApiError> {
    let mut errs = FieldErrors::default();
    let raw_codes = values(pairs, "consentCodes");
    let codes = (!raw_codes.is_empty()).then(|| {
        raw_codes
            .iter()
            .filter_map(|c| errs.check("consentCodes", ConsentCode::parse(c)))
            .map(|c| c.as_str().to_owned())
            .collect()
    });
    let versions = match single(pairs, "versions") {
        None => Versions::All,
        Some(raw) => errs.check("versions", Versions::parse(raw)).unwrap_or_default(),
    };
    let include_inactive = flag(pairs, "includeInactive");
    errs.into_result()?;
    Ok(ConsentFilter { codes, versions, include_drafts, include_inactive })
}

/// The required `customerNumber` parameter of the given-consent list and the history.
pub fn customer_number(pairs: &Pairs) -> Result<i64, ApiError> {
    let invalid = |invalid| ApiError::invalid_field("customerNumber", invalid);
    match single(pairs, "customerNumber") {
        None => Err(invalid(Invalid::new(ErrorCode::REQUIRED, "is required"))),
        Some(raw) => raw.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
            invalid(Invalid::new(ErrorCode::INVALID_CUSTOMER_NUMBER, "must be a positive number"))
        }),
    }
}

/// The filters of `GET …/crm`: `consentIds`, `includeEmail`, `includeTelephoneNumber` (both
/// default false). Its `limit` and `cursor` are the shared paging parameters (`web::paging`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrmFilter {
    pub consent_ids: Option<Vec<i64>>,
    pub include_email: bool,
    pub include_telephone_number: bool,
}

impl CrmFilter {
    pub fn parse(pairs: &Pairs) -> Result<Self, ApiError> {
        let mut errs = FieldErrors::default();
        let consent_ids = ids(&mut errs, pairs, "consentIds");
        let include_email = flag(pairs, "includeEmail");
        let include_telephone_number = flag(pairs, "includeTelephoneNumber");
        errs.into_result()?;
        Ok(Self { consent_ids, include_email, include_telephone_number })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn every_item_of_a_list_is_taken() {
        let q = CrmFilter::parse(&pairs(&[("consentIds", "1"), ("consentIds", "2")])).unwrap();
        assert_eq!(q.consent_ids, Some(vec![1, 2]));
        let f = consent_filter(&pairs(&[("consentCodes", "A"), ("consentCodes", "B")]), false).unwrap();
        assert_eq!(f.codes, Some(vec!["A".to_owned(), "B".to_owned()]));
    }

    #[test]
    fn contact_data_is_left_out_unless_asked_for() {
        assert_eq!(CrmFilter::parse(&[]).unwrap(), CrmFilter::default());
        let asked = CrmFilter::parse(&pairs(&[("includeEmail", "true"), ("includeTelephoneNumber", "true")]))
            .unwrap();
        assert!(asked.include_email && asked.include_telephone_number);
    }

    #[test]
    fn every_bad_parameter_is_named_in_one_error() {
        let error = CrmFilter::parse(&pairs(&[("consentIds", "1"), ("consentIds", "x")])).unwrap_err();
        let fields: Vec<String> = error.entries().into_iter().filter_map(|e| e.field).collect();
        assert_eq!(fields, ["consentIds"]);
        let error =
            consent_filter(&pairs(&[("versions", "NEWEST"), ("consentCodes", "a b")]), false).unwrap_err();
        assert_eq!(error.entries().len(), 2);
    }

    #[test]
    fn a_customer_number_is_required_and_positive() {
        assert_eq!(customer_number(&pairs(&[("customerNumber", "7")])).unwrap(), 7);
        assert_eq!(customer_number(&[]).unwrap_err().entries()[0].error_code, "REQUIRED");
        let error = customer_number(&pairs(&[("customerNumber", "-7")])).unwrap_err();
        assert_eq!(error.entries()[0].error_code, "INVALID_CUSTOMER_NUMBER");
    }
}
