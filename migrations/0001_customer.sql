-- 0001: customers and their audit trail (contract §3).
-- Applied by crates/domain/src/migrations.rs inside one BEGIN IMMEDIATE transaction.
-- Statements end with a semicolon at the end of a line.

-- One row per profile, permanent ('S') or temporary ('T'), of one organisation.
-- AUTOINCREMENT: a customer number is never reused, even after erasure (contract §3).
CREATE TABLE customer (
    customer_number      INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id      INTEGER NOT NULL,
    uuid                 TEXT    NOT NULL UNIQUE,
    customer_ref         TEXT    NOT NULL,
    status               TEXT    NOT NULL DEFAULT 'A' CHECK (status IN ('A', 'P', 'D')),
    profile_type         TEXT    NOT NULL DEFAULT 'S' CHECK (profile_type IN ('S', 'T')),
    -- status 'P': the profile this one was merged into.
    merged_into          INTEGER REFERENCES customer (customer_number),
    first_name           TEXT,
    surname              TEXT,
    -- *_key columns hold the Unicode-lower-cased form used for uniqueness and search, so
    -- 'ÆRLIG', 'ærlig' and 'Ærlig' are one name and one index serves them (SQLite's own
    -- NOCASE folds ASCII only).
    first_name_key       TEXT,
    surname_key          TEXT,
    email                TEXT,
    email_key            TEXT,
    language_preference  TEXT,
    date_of_birth        TEXT,
    country_code         TEXT,
    telephone_number     TEXT,
    -- Country code and number as digits only ('4791234567'): phone search ignores spaces and dashes.
    telephone_key        TEXT,
    landline_number      TEXT,
    landline_key         TEXT,
    -- Argon2id PHC string; never served, never logged.
    password_hash        TEXT,
    last_sign_in_at      TEXT,
    last_sign_in_from    TEXT,
    -- Temporary profiles: when they vanish. Deactivated profiles: when they are erased.
    expiration_date      TEXT,
    created_at           TEXT    NOT NULL,
    created_by           TEXT    NOT NULL,
    created_by_channel   TEXT    NOT NULL,
    changed_at           TEXT    NOT NULL,
    changed_by           TEXT    NOT NULL,
    changed_by_channel   TEXT    NOT NULL,
    version              INTEGER NOT NULL DEFAULT 1
);

-- customerRef is unique per organisation (contract §3); the index decides concurrent creates.
CREATE UNIQUE INDEX customer_ref_unique ON customer (organisation_id, customer_ref);

-- Email is unique per organisation among active permanent profiles: deactivation releases
-- it, a merged ('P') profile is only a pointer to the one it was merged into, and
-- temporary profiles may share one. Partial, so the index, not a read before the write,
-- picks the winner of two concurrent creates.
CREATE UNIQUE INDEX customer_email_unique ON customer (organisation_id, email_key)
    WHERE email_key IS NOT NULL AND profile_type = 'S' AND status = 'A';

-- Search paths (contract §3): each criterion starts with the organisation.
CREATE INDEX customer_email_search ON customer (organisation_id, email_key);
CREATE INDEX customer_surname_search ON customer (organisation_id, surname_key, first_name_key);
CREATE INDEX customer_first_name_search ON customer (organisation_id, first_name_key);
CREATE INDEX customer_telephone_search ON customer (organisation_id, telephone_key);
CREATE INDEX customer_landline_search ON customer (organisation_id, landline_key);
CREATE INDEX customer_birth_date_search ON customer (organisation_id, date_of_birth);
-- Profiles merged into another: found when that one is merged on or erased.
CREATE INDEX customer_merged_into ON customer (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX customer_expiry ON customer (expiration_date) WHERE expiration_date IS NOT NULL;

-- Who changed what and when (contract §3 history). Field names only, never values; it has
-- no foreign key to customer on purpose: erasure keeps a record without personal data.
CREATE TABLE audit_event (
    id               INTEGER PRIMARY KEY,
    organisation_id  INTEGER NOT NULL,
    customer_number  INTEGER NOT NULL,
    action           TEXT    NOT NULL,
    changed_fields   TEXT    NOT NULL DEFAULT '[]',
    changed_by       TEXT,
    channel          TEXT,
    client_id        TEXT,
    at               TEXT    NOT NULL
);
CREATE INDEX audit_event_customer ON audit_event (organisation_id, customer_number, id);
