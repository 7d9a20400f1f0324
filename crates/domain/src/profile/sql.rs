//! Every statement of the profile aggregate. `?1` is always the caller's organisation.
//! The text is fixed: nothing a request sends is ever spliced into it.

/// The columns SQLite names when the email index refuses a duplicate.
pub const EMAIL_TAKEN: &str = "customer.organisation_id, customer.email_key";
/// The columns SQLite names when the customerRef index refuses a duplicate.
pub const REF_TAKEN: &str = "customer.organisation_id, customer.customer_ref";

/// The columns every read of a profile selects (`Profile::from_row` reads them by name).
macro_rules! profile_columns {
    () => {
        "customer_number, uuid, organisation_id, customer_ref, status, profile_type,
                merged_into, first_name, surname, email, language_preference, date_of_birth,
                country_code, telephone_number, landline_number, expiration_date, expiration_day,
                created_at, created_by, created_by_channel, changed_at, changed_by, changed_by_channel,
                version"
    };
}

/// `SELECT` of [`profile_columns`] from `customer`.
macro_rules! profile_select {
    () => {
        concat!("SELECT ", $crate::profile::sql::profile_columns!(), " FROM customer")
    };
}
pub(crate) use {profile_columns, profile_select};

/// The editable columns, in the order of `field_params` (each value with its search key).
macro_rules! editable_columns {
    () => {
        "first_name, first_name_key, surname, surname_key, email, email_key,
         language_preference, date_of_birth, country_code, telephone_number, telephone_key,
         landline_number, landline_key"
    };
}

/// Stores a profile and returns it as every read does (`profile_columns!`), so a create needs
/// no second statement to read it back. A NULL `?3` (no customerRef given) stores the default,
/// the customer number: under the write lock of the transaction the number AUTOINCREMENT
/// assigns is known in advance, one more than the larger of the table's largest number and
/// the largest ever handed out (`sqlite_sequence`). The caller checks the returned row and
/// falls back to [`DEFAULT_REF_TO_NUMBER`] should they ever differ.
pub const INSERT: &str = concat!(
    "INSERT INTO customer (
        organisation_id, uuid, customer_ref, profile_type, expiration_date, expiration_day,
        created_at, created_by, created_by_channel, changed_at, changed_by, changed_by_channel,
        password_hash, pending_audit, ",
    editable_columns!(),
    ")
    VALUES (?1, ?2,
            COALESCE(?3, CAST(max(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'customer'), 0),
                                  COALESCE((SELECT max(customer_number) FROM customer), 0)) + 1 AS TEXT)),
            ?4, ?5, ?24, ?6, ?7, ?8, ?6, ?7, ?8, ?9, ?10,
            ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)
    RETURNING ",
    profile_columns!()
);

/// customerRef defaults to the customer number (the fallback of [`INSERT`]).
pub const DEFAULT_REF_TO_NUMBER: &str = "
    UPDATE customer SET customer_ref = CAST(customer_number AS TEXT) WHERE customer_number = ?1";

/// Replaces the editable fields if the version is still `?3`. A NULL ref (`?4`) is the
/// default, the number; a NULL expiration (`?8`) keeps the current one, else `?22` is the date
/// it was given as (NULL: given as a date-time).
pub const UPDATE: &str = "
    UPDATE customer SET
        customer_ref = COALESCE(?4, CAST(customer_number AS TEXT)),
        changed_at = ?5, changed_by = ?6, changed_by_channel = ?7,
        expiration_date = COALESCE(?8, expiration_date),
        expiration_day = CASE WHEN ?8 IS NULL THEN expiration_day ELSE ?22 END,
        first_name = ?9, first_name_key = ?10, surname = ?11, surname_key = ?12,
        email = ?13, email_key = ?14, language_preference = ?15, date_of_birth = ?16,
        country_code = ?17, telephone_number = ?18, telephone_key = ?19,
        landline_number = ?20, landline_key = ?21,
        version = version + 1
     WHERE organisation_id = ?1 AND customer_number = ?2 AND version = ?3
    RETURNING version";

pub const DEACTIVATE: &str = "
    UPDATE customer SET status = 'D', expiration_date = ?4, expiration_day = ?8,
        changed_at = ?5, changed_by = ?6, changed_by_channel = ?7, version = version + 1
     WHERE organisation_id = ?1 AND customer_number = ?2 AND version = ?3
    RETURNING version";

pub const SET_PASSWORD: &str = "
    UPDATE customer SET password_hash = ?4,
        changed_at = ?5, changed_by = ?6, changed_by_channel = ?7, version = version + 1
     WHERE organisation_id = ?1 AND customer_number = ?2 AND version = ?3
    RETURNING version";

/// Profiles merged into `?2` earlier now point at `?3`: one hop always reaches the active one.
pub const REPOINT_MERGED: &str = "
    UPDATE customer SET merged_into = ?3 WHERE organisation_id = ?1 AND merged_into = ?2";

/// The merged profile keeps its number, uuid and ref (they still lead to the target), becomes
/// a permanent pointer (so GET on its number answers with the target, also when it was
/// temporary) and loses its personal data.
pub const MARK_MERGED: &str = "
    UPDATE customer SET status = 'P', merged_into = ?3, profile_type = 'S',
        first_name = NULL, first_name_key = NULL, surname = NULL, surname_key = NULL,
        email = NULL, email_key = NULL, language_preference = NULL, date_of_birth = NULL,
        country_code = NULL, telephone_number = NULL, telephone_key = NULL,
        landline_number = NULL, landline_key = NULL, password_hash = NULL,
        last_sign_in_at = NULL, last_sign_in_from = NULL, expiration_date = NULL, expiration_day = NULL,
        changed_at = ?4, changed_by = ?5, changed_by_channel = ?6, version = version + 1
     WHERE organisation_id = ?1 AND customer_number = ?2";

/// A temporary profile becomes permanent: same number, no expiration.
pub const CONVERT: &str = "
    UPDATE customer SET profile_type = 'S', status = 'A', expiration_date = NULL, expiration_day = NULL,
        first_name = ?4, first_name_key = ?5, surname = ?6, surname_key = ?7,
        email = COALESCE(?8, email), email_key = COALESCE(?9, email_key),
        password_hash = COALESCE(?10, password_hash),
        changed_at = ?11, changed_by = ?12, changed_by_channel = ?13, version = version + 1
     WHERE organisation_id = ?1 AND customer_number = ?2 AND version = ?3 AND profile_type = 'T'
    RETURNING version";

pub const ERASE_IDEMPOTENCY_RECORDS: &str = "
    DELETE FROM idempotency_record
     WHERE organisation_id = ?1
       AND (customer_number = ?2
            OR customer_number IN (SELECT customer_number FROM customer
                                    WHERE organisation_id = ?1 AND merged_into = ?2))";

pub const ERASE_MERGED_INTO: &str = "DELETE FROM customer WHERE organisation_id = ?1 AND merged_into = ?2";

pub const ERASE: &str = "DELETE FROM customer WHERE organisation_id = ?1 AND customer_number = ?2";

pub const RECORD_SIGN_IN: &str = "
    UPDATE customer SET last_sign_in_at = ?3, last_sign_in_from = ?4
     WHERE organisation_id = ?1 AND customer_number = ?2";

/// One profile of a kind (`?4`: 'S' or 'T') that has not passed its expiration date
/// (temporary profiles and deactivated ones have one).
pub const FIND: &str = concat!(
    profile_select!(),
    " WHERE organisation_id = ?1 AND customer_number = ?2 AND profile_type = ?4
        AND (expiration_date IS NULL OR expiration_date > ?3)"
);

/// [`FIND`] with the profile's postal addresses as a JSON array (`postal_addresses`, in the
/// fields of `domain::address::Address`): a GET needs both, and one statement fewer per
/// request counts (`scripts/bench`). Oldest first: the aggregate reads an ordered subquery
/// (SQLite never flattens a subquery with `ORDER BY` into an aggregate, so the order holds;
/// `ORDER BY` inside the aggregate itself needs SQLite 3.44, newer than older Spin releases
/// bundle).
pub const FIND_WITH_ADDRESSES: &str = concat!(
    "SELECT ",
    profile_columns!(),
    ",
        (SELECT json_group_array(json(address))
           FROM (SELECT json_object(
                            'id', a.id, 'addressLine1', a.address_line1, 'addressLine2', a.address_line2,
                            'postCode', a.post_code, 'city', a.city, 'countryCode', a.country_code,
                            'createdAt', a.created_at, 'changedAt', a.changed_at, 'version', a.version) AS address
                   FROM postal_address a
                  WHERE a.customer_number = customer.customer_number AND a.organisation_id = ?1
                  ORDER BY a.id)) AS postal_addresses
       FROM customer
      WHERE organisation_id = ?1 AND customer_number = ?2 AND profile_type = ?4
        AND (expiration_date IS NULL OR expiration_date > ?3)"
);

/// One profile of either kind that has not passed its expiration date.
pub const FIND_ANY: &str = concat!(
    profile_select!(),
    " WHERE organisation_id = ?1 AND customer_number = ?2
        AND (expiration_date IS NULL OR expiration_date > ?3)"
);

/// A permanent profile by its customerRef (unique per organisation).
pub const FIND_BY_REF: &str = concat!(
    profile_select!(),
    " WHERE organisation_id = ?1 AND customer_ref = ?2 AND profile_type = 'S'
        AND (expiration_date IS NULL OR expiration_date > ?3)"
);

/// The active permanent profile holding an email (at most one: the unique index).
pub const FIND_FOR_SIGN_IN: &str = concat!(
    "SELECT ",
    profile_columns!(),
    ", password_hash FROM customer
     WHERE organisation_id = ?1 AND email_key = ?2 AND profile_type = 'S' AND status = 'A'
       AND (expiration_date IS NULL OR expiration_date > ?3)"
);
