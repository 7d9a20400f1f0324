//! Every statement of the profile aggregate. `?1` is always the caller's organisation.
//! The text is fixed: nothing a request sends is ever spliced into it.

/// The columns SQLite names when the email index refuses a duplicate.
pub const EMAIL_TAKEN: &str = "customer.organisation_id, customer.email_key";
/// The columns SQLite names when the customerRef index refuses a duplicate.
pub const REF_TAKEN: &str = "customer.organisation_id, customer.customer_ref";

pub const INSERT: &str = "
    INSERT INTO customer (
        organisation_id, uuid, customer_ref, profile_type,
        first_name, first_name_key, surname, surname_key, email, email_key,
        language_preference, date_of_birth, country_code, telephone_number, telephone_key,
        landline_number, landline_key, expiration_date,
        created_at, created_by, created_by_channel, changed_at, changed_by, changed_by_channel)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
            ?19, ?20, ?21, ?19, ?20, ?21)
    RETURNING customer_number";

/// customerRef defaults to the customer number, known only after the INSERT.
pub const DEFAULT_REF_TO_NUMBER: &str = "
    UPDATE customer SET customer_ref = CAST(customer_number AS TEXT) WHERE customer_number = ?1";

/// The columns every read of a profile selects (`Profile::from_row` reads them by name).
macro_rules! profile_select {
    () => {
        "SELECT customer_number, uuid, organisation_id, customer_ref, status, profile_type,
                first_name, surname, email, language_preference, date_of_birth, country_code,
                telephone_number, landline_number, expiration_date, created_at, created_by,
                created_by_channel, changed_at, changed_by, changed_by_channel, version
           FROM customer"
    };
}
#[allow(unused_imports)] // for the search module
pub(crate) use profile_select;

/// One profile of a kind (`?4`: 'S' or 'T') that has not passed its expiration date
/// (temporary profiles and deactivated ones have one).
pub const FIND: &str = concat!(
    profile_select!(),
    " WHERE organisation_id = ?1 AND customer_number = ?2 AND profile_type = ?4
        AND (expiration_date IS NULL OR expiration_date > ?3)"
);

/// One profile of either kind that has not passed its expiration date.
pub const FIND_ANY: &str = concat!(
    profile_select!(),
    " WHERE organisation_id = ?1 AND customer_number = ?2
        AND (expiration_date IS NULL OR expiration_date > ?3)"
);
