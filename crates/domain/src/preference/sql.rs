//! Every statement of preferences. `?1` is always the caller's organisation.

/// The columns SQLite names when a preferenceCode is taken.
pub const CODE_TAKEN: &str = "preference_definition.organisation_id, preference_definition.preference_code";

macro_rules! definition_select {
    () => {
        "SELECT id, organisation_id, preference_code, preference_type, preference_description, is_active,
                created_at, changed_at, version
           FROM preference_definition"
    };
}

/// The catalogue, by code.
pub const DEFINITIONS: &str =
    concat!(definition_select!(), " WHERE organisation_id = ?1 ORDER BY preference_code");
pub const DEFINITION: &str = concat!(definition_select!(), " WHERE organisation_id = ?1 AND id = ?2");
pub const DEFINITION_BY_CODE: &str =
    concat!(definition_select!(), " WHERE organisation_id = ?1 AND preference_code = ?2");

pub const INSERT_DEFINITION: &str = "
    INSERT INTO preference_definition (organisation_id, preference_code, preference_type,
                                       preference_description, is_active, created_at, changed_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
    RETURNING id, organisation_id, preference_code, preference_type, preference_description, is_active,
              created_at, changed_at, version";

/// Full replacement; `?8` is the version read in the same transaction.
pub const REPLACE_DEFINITION: &str = "
    UPDATE preference_definition
       SET preference_code = ?3, preference_type = ?4, preference_description = ?5, is_active = ?6,
           changed_at = ?7, version = version + 1
     WHERE organisation_id = ?1 AND id = ?2 AND version = ?8
    RETURNING id, organisation_id, preference_code, preference_type, preference_description, is_active,
              created_at, changed_at, version";

/// Whether any customer holds a value for the definition.
pub const DEFINITION_IN_USE: &str = "
    SELECT EXISTS (SELECT 1 FROM customer_preference WHERE organisation_id = ?1 AND preference_id = ?2)
           AS in_use";

/// `?3` is the version read in the same transaction.
pub const DELETE_DEFINITION: &str = "
    DELETE FROM preference_definition WHERE organisation_id = ?1 AND id = ?2 AND version = ?3 RETURNING id";

macro_rules! value_select {
    () => {
        "SELECT d.id AS preference_id, d.preference_code, d.preference_type, d.preference_description,
                d.is_active, v.value, v.created_at, v.changed_at, v.version
           FROM customer_preference v JOIN preference_definition d ON d.id = v.preference_id"
    };
}

/// A customer's values (`?2`), by code.
pub const VALUES: &str = concat!(
    value_select!(),
    " WHERE v.organisation_id = ?1 AND v.customer_number = ?2 ORDER BY d.preference_code"
);
/// A customer's value for one code (`?3`).
pub const VALUE: &str = concat!(
    value_select!(),
    " WHERE v.organisation_id = ?1 AND v.customer_number = ?2 AND d.preference_code = ?3"
);

/// Creates or replaces the customer's value (`?2` customer, `?3` definition id).
pub const UPSERT_VALUE: &str = "
    INSERT INTO customer_preference (organisation_id, customer_number, preference_id, value, created_at, changed_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?5)
    ON CONFLICT (customer_number, preference_id) DO UPDATE
       SET value = excluded.value, changed_at = excluded.changed_at, version = version + 1";

/// `?4` is the version read in the same transaction.
pub const DELETE_VALUE: &str = "
    DELETE FROM customer_preference
     WHERE organisation_id = ?1 AND customer_number = ?2 AND preference_id = ?3 AND version = ?4
    RETURNING preference_id";

/// Merge, step 1: the values of `?2` for definitions `?3` has no value for move over
/// (`OR IGNORE` leaves the conflicting ones behind: the target's value wins).
pub const MOVE_VALUES: &str = "
    UPDATE OR IGNORE customer_preference SET customer_number = ?3 WHERE organisation_id = ?1 AND customer_number = ?2";
/// Merge, step 2: what stayed behind lost to the target's value.
pub const DROP_VALUES: &str =
    "DELETE FROM customer_preference WHERE organisation_id = ?1 AND customer_number = ?2";
