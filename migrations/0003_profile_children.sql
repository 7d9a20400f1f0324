-- 0003: what hangs off a profile (postal addresses, preference values, ecards, loyalty
-- memberships and their transactions) and the organisation catalogues they refer to
-- (preference definitions, loyalty programs). Contract §3, §4.
--
-- Every child row carries organisation_id (every statement filters on the caller's
-- organisation first) and references its customer ON DELETE CASCADE: GDPR erasure and the
-- purge of expired profiles (§5) delete the customer row and the children go with it (the
-- connection sets foreign_keys = ON). Child lookups start with customer_number, which is
-- unique across organisations, so the same index serves the API's lists and the cascade.
-- Every lookup path is checked with EXPLAIN QUERY PLAN in the domain crate's unit tests.
-- Ids are AUTOINCREMENT: an id of an erased row is never handed out again.

-- A postal address of a profile, permanent or temporary.
CREATE TABLE postal_address (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id   INTEGER NOT NULL,
    customer_number   INTEGER NOT NULL REFERENCES customer (customer_number) ON DELETE CASCADE,
    address_line1     TEXT    NOT NULL,
    address_line2     TEXT,
    post_code         TEXT    NOT NULL,
    city              TEXT,
    -- ISO 3166-1 alpha-2, upper case.
    country_code      TEXT    NOT NULL DEFAULT 'NO',
    -- address_line1 Unicode-lower-cased, for profile search by postalAddress (like the
    -- *_key columns of customer: SQLite's NOCASE folds ASCII only).
    address_line1_key TEXT    NOT NULL,
    created_at        TEXT    NOT NULL,
    changed_at        TEXT    NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1
);
-- A profile's addresses, in the order they were added (and the cascade from customer).
-- organisation_id second, so that statements filtering on both prefer this index to the
-- search indexes below, which lead with the organisation.
CREATE INDEX postal_address_customer ON postal_address (customer_number, organisation_id, id);
-- Profile search by postCode and by postalAddress (contract §3 search).
CREATE INDEX postal_address_post_code_search ON postal_address (organisation_id, post_code);
CREATE INDEX postal_address_line_search ON postal_address (organisation_id, address_line1_key);

-- The organisation's preference definitions (catalogue).
CREATE TABLE preference_definition (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id         INTEGER NOT NULL,
    -- Names the preference in customers' paths (/preferences/{preferenceCode}).
    preference_code         TEXT    NOT NULL,
    -- How a customer's value is checked and served: JSON true/false, a string, a number.
    preference_type         TEXT    NOT NULL CHECK (preference_type IN ('BOOLEAN', 'STRING', 'NUMBER')),
    preference_description  TEXT,
    -- An inactive definition takes no new values; existing values stay readable.
    is_active               INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at              TEXT    NOT NULL,
    changed_at              TEXT    NOT NULL,
    version                 INTEGER NOT NULL DEFAULT 1
);
-- preferenceCode is unique per organisation; the index decides concurrent creates (409).
-- It also serves lookups by code and the catalogue list (by organisation).
CREATE UNIQUE INDEX preference_definition_code_unique
    ON preference_definition (organisation_id, preference_code);

-- A customer's value for one preference definition: at most one per definition.
CREATE TABLE customer_preference (
    organisation_id   INTEGER NOT NULL,
    customer_number   INTEGER NOT NULL REFERENCES customer (customer_number) ON DELETE CASCADE,
    -- No cascade: a definition with values cannot be deleted (409 PREFERENCE_IN_USE).
    preference_id     INTEGER NOT NULL REFERENCES preference_definition (id),
    -- The value in canonical text form for its type: 'true'/'false', the JSON number
    -- as written ('42', '1.5'), or the string itself.
    value             TEXT    NOT NULL,
    created_at        TEXT    NOT NULL,
    changed_at        TEXT    NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (customer_number, preference_id)
);
-- Whether a definition is in use (delete, type change) and the foreign key's check.
CREATE INDEX customer_preference_definition ON customer_preference (preference_id);

-- An ecard (travel card) owned by a permanent profile.
CREATE TABLE ecard (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id     INTEGER NOT NULL,
    customer_number     INTEGER NOT NULL REFERENCES customer (customer_number) ON DELETE CASCADE,
    -- The card's identity is operator and number (ecardNumber16digits = 4 + 12 digits).
    ecard_operator      INTEGER NOT NULL CHECK (ecard_operator BETWEEN 0 AND 9999),
    ecard_number        INTEGER NOT NULL CHECK (ecard_number BETWEEN 0 AND 999999999999),
    ecard_name          TEXT,
    -- A date (YYYY-MM-DD).
    booking_date        TEXT,
    -- An instant (RFC 3339); defaults to when the card was registered.
    start_of_ownership  TEXT    NOT NULL,
    created_at          TEXT    NOT NULL,
    changed_at          TEXT    NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1
);
-- One owner per card per organisation: the index, never a read before the write, decides
-- which of two concurrent claims wins (409 ECARD_ALREADY_OWNED).
CREATE UNIQUE INDEX ecard_owned_once ON ecard (organisation_id, ecard_operator, ecard_number);
-- A profile's ecards (organisation_id second: preferred to ecard_owned_once when both filter).
CREATE INDEX ecard_customer ON ecard (customer_number, organisation_id, id);

-- The organisation's loyalty programs (catalogue).
CREATE TABLE loyalty_program (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id  INTEGER NOT NULL,
    name             TEXT    NOT NULL,
    -- TIMED: membership only; COUPONS and POINTS: memberships keep a balance.
    program_type     TEXT    NOT NULL CHECK (program_type IN ('TIMED', 'COUPONS', 'POINTS')),
    -- Dates (YYYY-MM-DD), both inclusive; valid_to NULL = open-ended.
    valid_from       TEXT    NOT NULL,
    valid_to         TEXT,
    created_at       TEXT    NOT NULL,
    changed_at       TEXT    NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX loyalty_program_organisation ON loyalty_program (organisation_id, id);

-- A permanent profile's membership of a program.
CREATE TABLE loyalty_membership (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id  INTEGER NOT NULL,
    customer_number  INTEGER NOT NULL REFERENCES customer (customer_number) ON DELETE CASCADE,
    program_id       INTEGER NOT NULL REFERENCES loyalty_program (id),
    -- COUPONS and POINTS: the current balance, changed only by one conditional UPDATE per
    -- transaction (never below zero, also under concurrency). NULL for TIMED programs.
    balance          INTEGER CHECK (balance IS NULL OR balance >= 0),
    created_at       TEXT    NOT NULL,
    changed_at       TEXT    NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1
);
-- A customer joins a program once (409 LOYALTY_PROGRAM_ALREADY_JOINED); also the
-- customer's list of memberships and the cascade.
CREATE UNIQUE INDEX loyalty_membership_once ON loyalty_membership (customer_number, program_id);
-- Whether a program has members (type change) and the foreign key's check.
CREATE INDEX loyalty_membership_program ON loyalty_membership (program_id);

-- The transactions of a COUPONS or POINTS membership, append-only.
CREATE TABLE loyalty_transaction (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id  INTEGER NOT NULL,
    customer_number  INTEGER NOT NULL REFERENCES customer (customer_number) ON DELETE CASCADE,
    membership_id    INTEGER NOT NULL REFERENCES loyalty_membership (id) ON DELETE CASCADE,
    -- Positive earns, negative spends.
    amount           INTEGER NOT NULL,
    -- The membership's balance right after this transaction.
    balance_after    INTEGER NOT NULL,
    reference        TEXT,
    created_at       TEXT    NOT NULL
);
-- A membership's transactions in order (keyset paging by id) and the cascade from it.
CREATE INDEX loyalty_transaction_membership ON loyalty_transaction (membership_id, id);
CREATE INDEX loyalty_transaction_customer ON loyalty_transaction (customer_number);
