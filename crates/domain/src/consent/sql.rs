//! Every statement of the consent aggregates. `?1` is always the caller's organisation
//! (for consent bases: the organisation that may see them). The text is fixed: lists of
//! codes or ids arrive as one JSON array parameter read with `json_each`, never spliced in.
//!
//! `+g.organisation_id` (unary plus) in the per-customer statements keeps SQLite's planner on
//! the per-customer index: the tenant filter still applies, but the organisation's index
//! (for the CRM listing) would otherwise look as good and read every row of the tenant.

/// The columns SQLite names when an organisation's consent code is taken.
pub const CODE_TAKEN: &str = "consent_base.owner_org_id, consent_base.consent_code";

// ------------------------------------------------------------------ consent bases
//
// A base is found by its code among the bases the organisation sees: its own (owner_org_id
// = ?1) and the shared ones (owner_org_id NULL). A code is unique among those (migration 0008),
// so at most one row answers; its `id` names it in every further statement.

pub const BASE_INSERT: &str = "
    INSERT INTO consent_base (owner_org_id, consent_code, internal_description, latest_version,
                              created_at, changed_at)
    VALUES (?1, ?2, ?3, 1, ?4, ?4)
    RETURNING id";

pub const VERSION_INSERT: &str = "
    INSERT INTO consent_base_version (base_id, version, created_at) VALUES (?1, ?2, ?3)";

pub const TERM_INSERT: &str = "
    INSERT INTO consent_term (base_id, version, language, text, added_at)
    VALUES (?1, ?2, ?3, ?4, ?5)";

/// A base the organisation may see: its own or a shared one.
pub const BASE_FIND: &str = "
    SELECT id, consent_code, owner_org_id, internal_description, latest_version, created_at,
           changed_at, revision
      FROM consent_base
     WHERE consent_code = ?2 AND (owner_org_id = ?1 OR owner_org_id IS NULL)
     ORDER BY owner_org_id IS NULL
     LIMIT 1";

/// Every base the organisation may see.
pub const BASE_LIST: &str = "
    SELECT id, consent_code, owner_org_id, internal_description, latest_version, created_at,
           changed_at, revision
      FROM consent_base
     WHERE owner_org_id = ?1 OR owner_org_id IS NULL
     ORDER BY consent_code";

/// The base of a version the organisation may see (`?2` code, `?3` version).
pub const VERSION_FIND: &str = "
    SELECT b.id
      FROM consent_base b JOIN consent_base_version v ON v.base_id = b.id AND v.version = ?3
     WHERE b.consent_code = ?2 AND (b.owner_org_id = ?1 OR b.owner_org_id IS NULL)
     ORDER BY b.owner_org_id IS NULL
     LIMIT 1";

/// The texts of one version (its base already known to be visible).
pub const TERMS_OF_VERSION: &str = "
    SELECT language, text FROM consent_term WHERE base_id = ?1 AND version = ?2
     ORDER BY language";

/// The texts of the latest version of every visible base, in one query.
pub const LATEST_TERMS: &str = "
    SELECT t.base_id, t.language, t.text
      FROM consent_base b
      JOIN consent_term t ON t.base_id = b.id AND t.version = b.latest_version
     WHERE b.owner_org_id = ?1 OR b.owner_org_id IS NULL
     ORDER BY t.base_id, t.language";

/// Only the owner changes a base.
pub const BASE_UPDATE: &str = "
    UPDATE consent_base
       SET internal_description = ?3, latest_version = ?4, changed_at = ?5, revision = revision + 1
     WHERE id = ?2 AND owner_org_id = ?1
    RETURNING revision";

// ------------------------------------------------------------------ consents

/// The columns every read of a consent selects (`Consent::from_row` reads them by name).
macro_rules! consent_select {
    () => {
        "SELECT id, organisation_id, consent_code, base_id, consent_base_version, is_sms_supported,
                is_email_supported, valid_from, valid_to, created_at, changed_at, version
           FROM consent"
    };
}

pub const CONSENT_INSERT: &str = "
    INSERT INTO consent (organisation_id, consent_code, consent_base_version, is_sms_supported,
                         is_email_supported, valid_from, valid_to, created_at, changed_at, base_id)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)
    RETURNING id";

pub const CONSENT_FIND: &str = concat!(consent_select!(), " WHERE organisation_id = ?1 AND id = ?2");

pub const CONSENT_UPDATE: &str = "
    UPDATE consent
       SET consent_code = ?3, consent_base_version = ?4, is_sms_supported = ?5,
           is_email_supported = ?6, valid_from = ?7, valid_to = ?8, changed_at = ?9,
           base_id = ?10, version = version + 1
     WHERE organisation_id = ?1 AND id = ?2
    RETURNING version";

/// Another consent of the code (`?2`) whose period meets `[?4, ?5)` (`?5` NULL: no end);
/// `?3` is the consent being written (0 for a new one). Drafts without `valid_from` occupy
/// no time; the literal stands for "no end".
pub const CONSENT_OVERLAP: &str = "
    SELECT id FROM consent
     WHERE organisation_id = ?1 AND consent_code = ?2 AND id <> ?3
       AND valid_from IS NOT NULL
       AND valid_from < coalesce(?5, '9999-12-31T23:59:59.999Z')
       AND (valid_to IS NULL OR valid_to > ?4)
     LIMIT 1";

/// The organisation's consents, filtered: `?2` JSON array of codes or NULL, `?3` JSON array
/// of base versions or NULL, `?4` 1 = only the latest version of each base, `?5` 1 = drafts
/// too, `?6` 1 = inactive ones too, `?7` now.
pub const CONSENT_LIST: &str = concat!(
    consent_select!(),
    " WHERE organisation_id = ?1
        AND (?2 IS NULL OR consent_code IN (SELECT value FROM json_each(?2)))
        AND (?3 IS NULL OR consent_base_version IN (SELECT value FROM json_each(?3)))
        AND (?4 = 0 OR consent_base_version =
               (SELECT b.latest_version FROM consent_base b WHERE b.id = consent.base_id))
        AND (?5 = 1 OR (valid_from IS NOT NULL AND valid_from <= ?7))
        AND (?6 = 1 OR valid_to IS NULL OR valid_to > ?7)
      ORDER BY consent_code, consent_base_version, id"
);

/// The organisation's consent of code `?2` that is active at `?3` (at most one: periods of
/// one code never overlap).
pub const CONSENT_ACTIVE_BY_CODE: &str = concat!(
    consent_select!(),
    " WHERE organisation_id = ?1 AND consent_code = ?2
        AND valid_from <= ?3 AND (valid_to IS NULL OR valid_to > ?3)
      ORDER BY valid_from DESC LIMIT 1"
);

// ------------------------------------------------------------------ given consents

/// The columns every read of a given consent selects (`GivenConsent::from_row`).
macro_rules! given_select {
    () => {
        "SELECT g.id, g.organisation_id, g.customer_number, g.consent_id, g.consent_choice,
                g.distribution_channel, g.expiration_date, g.created_by_org_id, g.created_at,
                g.changed_at, g.version
           FROM given_consent g"
    };
}

/// Create or replace the customer's choice for a consent. A first choice has version 1.
pub const GIVEN_UPSERT: &str = "
    INSERT INTO given_consent (organisation_id, customer_number, consent_id, consent_choice,
                               distribution_channel, expiration_date, created_by_org_id,
                               created_at, changed_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?1, ?7, ?7)
    ON CONFLICT (customer_number, consent_id) DO UPDATE SET
        consent_choice = excluded.consent_choice,
        distribution_channel = excluded.distribution_channel,
        expiration_date = excluded.expiration_date,
        changed_at = excluded.changed_at,
        version = given_consent.version + 1
    RETURNING id, version";

/// One given consent whose customer is still visible (not past its expiration date).
pub const GIVEN_FIND: &str = concat!(
    given_select!(),
    " JOIN customer c ON c.customer_number = g.customer_number
      WHERE g.organisation_id = ?1 AND g.id = ?2
        AND (c.expiration_date IS NULL OR c.expiration_date > ?3)"
);

/// A customer's given consents by consent (the customer already found visible). Ordered by
/// consent so the per-customer index serves the order too.
pub const GIVEN_BY_CUSTOMER: &str = concat!(
    given_select!(),
    " WHERE +g.organisation_id = ?1 AND g.customer_number = ?2 ORDER BY g.consent_id"
);

/// A customer's given consent for one consent.
pub const GIVEN_BY_CUSTOMER_AND_CONSENT: &str = concat!(
    given_select!(),
    " WHERE +g.organisation_id = ?1 AND g.customer_number = ?2 AND g.consent_id = ?3"
);

pub const GIVEN_DELETE: &str = "
    DELETE FROM given_consent WHERE organisation_id = ?1 AND id = ?2 RETURNING id";

// ------------------------------------------------------------------ history

pub const HISTORY_INSERT: &str = "
    INSERT INTO given_consent_history (organisation_id, customer_number, given_consent_id,
        consent_id, consent_code, consent_base_version, action, consent_choice,
        distribution_channel, expiration_date, changed_by_org_id, client_id, api, at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?1, ?11, ?12, ?13)";

pub const HISTORY_BY_CUSTOMER: &str = "
    SELECT id, given_consent_id, customer_number, consent_id, consent_code, consent_base_version,
           action, consent_choice, distribution_channel, expiration_date, changed_by_org_id,
           client_id, api, at
      FROM given_consent_history
     WHERE organisation_id = ?1 AND customer_number = ?2
     ORDER BY id";

// ------------------------------------------------------------------ CRM listing

/// One page of the organisation's given consents after id `?2`, with the customer's ref and
/// contact data (the view drops what was not asked for). `?3` JSON array of consent ids or
/// NULL, `?4` now (expired customers are invisible), `?5` page size.
pub const CRM_PAGE: &str = "
    SELECT g.id, g.consent_id, k.consent_code, k.consent_base_version,
           k.organisation_id AS consent_organisation_id, g.created_by_org_id, g.customer_number,
           c.customer_ref, g.consent_choice, g.created_at, g.changed_at,
           c.email, c.country_code, c.telephone_number
      FROM given_consent g
      JOIN consent k ON k.id = g.consent_id
      JOIN customer c ON c.customer_number = g.customer_number
     WHERE g.organisation_id = ?1 AND g.id > ?2
       AND (?3 IS NULL OR g.consent_id IN (SELECT value FROM json_each(?3)))
       AND (c.expiration_date IS NULL OR c.expiration_date > ?4)
     ORDER BY g.id
     LIMIT ?5";

// ------------------------------------------------------------------ merging profiles

/// `?2` = from, `?3` = to. Drops from's choices that `to` has too, unless from's is newer.
pub const MERGE_DROP_OLDER_FROM: &str = "
    DELETE FROM given_consent
     WHERE +organisation_id = ?1 AND customer_number = ?2
       AND EXISTS (SELECT 1 FROM given_consent t
                    WHERE t.customer_number = ?3 AND t.consent_id = given_consent.consent_id
                      AND t.changed_at >= given_consent.changed_at)";

/// Then drops to's choices that from has a newer one of (all of from's left are newer).
pub const MERGE_DROP_OLDER_TO: &str = "
    DELETE FROM given_consent
     WHERE +organisation_id = ?1 AND customer_number = ?3
       AND consent_id IN (SELECT f.consent_id FROM given_consent f WHERE f.customer_number = ?2)";

/// Then moves from's remaining choices over.
pub const MERGE_MOVE_GIVEN: &str = "
    UPDATE given_consent SET customer_number = ?3, version = version + 1
     WHERE +organisation_id = ?1 AND customer_number = ?2";

/// And from's history with them (the one change a history row ever sees).
pub const MERGE_MOVE_HISTORY: &str = "
    UPDATE given_consent_history SET customer_number = ?3
     WHERE organisation_id = ?1 AND customer_number = ?2";
