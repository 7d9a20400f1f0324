//! Query strings, read one way by every endpoint. An endpoint names the parameters it takes
//! ([`Param`]); [`Query::read`] refuses, in one 400 naming each offending parameter:
//! - a parameter the endpoint does not take (`UNKNOWN_PARAMETER`): a typo such as `emial=`
//!   must not silently widen a search to the whole organisation;
//! - a single-valued parameter given twice (`REPEATED_PARAMETER`): neither the first nor the
//!   last is the obvious one;
//! - a boolean that is not `true` or `false`, exactly (`INVALID_BOOLEAN`).
//!
//! Values are trimmed, and a blank one is no value (contract §1). A list parameter takes its
//! items comma-separated, repeated, or both (`consentIds=1,2&consentIds=3`).

use errors::{ApiError, ErrorCode, FieldErrors, Invalid};
use http::Request;

/// A parameter an endpoint takes, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// One value.
    One(&'static str),
    /// `true` or `false`; absent (or blank) is false.
    Flag(&'static str),
    /// Any number of items, comma-separated or repeated.
    List(&'static str),
}

impl Param {
    fn name(self) -> &'static str {
        match self {
            Self::One(name) | Self::Flag(name) | Self::List(name) => name,
        }
    }
}

/// A checked query string: single values at most once, flags `true` or `false`, list items
/// one per pair; all trimmed, no blank ones.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Query(Vec<(String, String)>);

impl Query {
    /// The request's query string, checked against the parameters the endpoint takes.
    pub fn read<B>(req: &Request<B>, takes: &[Param]) -> Result<Self, ApiError> {
        Self::parse(req.uri().query().unwrap_or(""), takes)
    }

    /// [`Query::read`] of a raw query string (without the `?`).
    pub fn parse(raw: &str, takes: &[Param]) -> Result<Self, ApiError> {
        let mut errs = FieldErrors::default();
        let mut seen: Vec<String> = Vec::new();
        let mut pairs = Vec::new();
        for (name, value) in decode(raw) {
            let Some(param) = takes.iter().find(|p| p.name() == name) else {
                push_once(
                    &mut errs,
                    &name,
                    Invalid::new(ErrorCode::UNKNOWN_PARAMETER, "is not a parameter of this operation"),
                );
                continue;
            };
            if let Param::List(_) = param {
                let items = value.split(',').map(str::trim).filter(|item| !item.is_empty());
                pairs.extend(items.map(|item| (name.clone(), item.to_owned())));
                continue;
            }
            if seen.contains(&name) {
                push_once(
                    &mut errs,
                    &name,
                    Invalid::new(ErrorCode::REPEATED_PARAMETER, "is given more than once"),
                );
                continue;
            }
            seen.push(name.clone());
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            if let (Param::Flag(_), false) = (param, value == "true" || value == "false") {
                errs.push(&name, Invalid::new(ErrorCode::INVALID_BOOLEAN, "must be true or false"));
                continue;
            }
            pairs.push((name, value.to_owned()));
        }
        errs.into_result()?;
        Ok(Self(pairs))
    }

    /// The value of a [`Param::One`], if given.
    pub fn one(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// A [`Param::Flag`]: given as `true`.
    pub fn flag(&self, name: &str) -> bool {
        self.one(name) == Some("true")
    }

    /// The items of a [`Param::List`], in order; empty when absent.
    pub fn list(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }

    /// Every value, as checked: what the domain's parsers of a whole query take.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }
}

/// The raw parameters, percent-decoded, in order (`+` is a space).
pub(crate) fn decode(raw: &str) -> impl Iterator<Item = (String, String)> + '_ {
    form_urlencoded::parse(raw.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned()))
}

/// Names a parameter once, however often it is repeated.
fn push_once(errs: &mut FieldErrors, name: &str, invalid: Invalid) {
    if !errs.entries().iter().any(|e| e.field.as_deref() == Some(name)) {
        errs.push(name, invalid);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Param::{Flag, List, One};

    const TAKES: &[Param] = &[One("surname"), Flag("includeTemporary"), List("consentIds"), One("cursor")];

    /// The `(field, errorCode)` of each entry of the 400.
    fn refused(raw: &str) -> Vec<(String, String)> {
        let error = Query::parse(raw, TAKES).expect_err(raw);
        assert_eq!(error.status(), 400, "{raw}");
        error
            .entries()
            .into_iter()
            .map(|e| (e.field.unwrap_or_default(), e.error_code.as_str().to_owned()))
            .collect()
    }

    fn pair(name: &str, code: &str) -> (String, String) {
        (name.to_owned(), code.to_owned())
    }

    #[test]
    fn values_are_percent_decoded_and_trimmed() {
        let query = Query::parse("surname=%20%C3%86rlig+&cursor=a%2Bb", TAKES).unwrap();
        assert_eq!(query.one("surname"), Some("Ærlig"));
        assert_eq!(query.one("cursor"), Some("a+b"));
    }

    #[test]
    fn a_blank_value_is_no_value() {
        let query = Query::parse("surname=%20&includeTemporary=&consentIds=,", TAKES).unwrap();
        assert_eq!(query, Query::default());
        assert!(!query.flag("includeTemporary"));
    }

    #[test]
    fn an_unknown_parameter_is_refused_by_name() {
        assert_eq!(refused("emial=kari%40example.no"), [pair("emial", "UNKNOWN_PARAMETER")]);
        // Names are case-sensitive like every other part of the contract.
        assert_eq!(refused("Surname=Nordmann"), [pair("Surname", "UNKNOWN_PARAMETER")]);
        assert_eq!(refused("shoeSize=1&shoeSize=2"), [pair("shoeSize", "UNKNOWN_PARAMETER")]);
    }

    #[test]
    fn a_single_value_given_twice_is_refused_whichever_comes_first() {
        for raw in
            ["surname=A&surname=B", "surname=A&surname=A", "surname=&surname=B", "cursor=x&cursor=x&cursor=x"]
        {
            let name = raw.split('=').next().unwrap();
            assert_eq!(refused(raw), [pair(name, "REPEATED_PARAMETER")], "{raw}");
        }
        assert_eq!(
            refused("includeTemporary=true&includeTemporary=true"),
            [pair("includeTemporary", "REPEATED_PARAMETER")]
        );
    }

    #[test]
    fn booleans_are_true_or_false_exactly() {
        assert!(Query::parse("includeTemporary=true", TAKES).unwrap().flag("includeTemporary"));
        assert!(!Query::parse("includeTemporary=false", TAKES).unwrap().flag("includeTemporary"));
        assert!(!Query::parse("", TAKES).unwrap().flag("includeTemporary"));
        for bad in ["TRUE", "True", "FALSE", "1", "0", "yes", "t"] {
            let raw = format!("includeTemporary={bad}");
            assert_eq!(refused(&raw), [pair("includeTemporary", "INVALID_BOOLEAN")], "{bad}");
        }
    }

    #[test]
    fn lists_may_be_comma_separated_repeated_or_both() {
        let query = Query::parse("consentIds=1,%202&consentIds=3&consentIds=", TAKES).unwrap();
        assert_eq!(query.list("consentIds"), ["1", "2", "3"]);
        assert_eq!(query.list("absent"), Vec::<&str>::new());
    }

    #[test]
    fn one_answer_names_every_offending_parameter() {
        let entries = refused("emial=x&surname=A&includeTemporary=yes&surname=B&cursor=c");
        assert_eq!(
            entries,
            [
                pair("emial", "UNKNOWN_PARAMETER"),
                pair("includeTemporary", "INVALID_BOOLEAN"),
                pair("surname", "REPEATED_PARAMETER")
            ]
        );
    }

    #[test]
    fn an_endpoint_without_parameters_refuses_any() {
        assert!(Query::parse("", &[]).is_ok());
        assert_eq!(Query::parse("x=1", &[]).unwrap_err().entries()[0].error_code, "UNKNOWN_PARAMETER");
    }
}
