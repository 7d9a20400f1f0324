//! Every row belongs to one organisation, and a caller reads and writes only its own
//! (contract §2): every statement is filtered by the caller's organisation, and a body that
//! names an organisation must name the caller's.

use errors::ApiError;

/// `organisationId` in a body is optional; when present it must be the caller's (400
/// `ORGANISATION_MISMATCH` otherwise).
pub fn check_organisation(given: Option<i64>, organisation_id: i64) -> Result<(), ApiError> {
    match given {
        Some(given) if given != organisation_id => Err(ApiError::OrganisationMismatch),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_may_name_only_the_callers_organisation() {
        assert!(check_organisation(None, 1).is_ok());
        assert!(check_organisation(Some(1), 1).is_ok());
        assert_eq!(check_organisation(Some(2), 1).unwrap_err().error_code(), "ORGANISATION_MISMATCH");
    }
}
