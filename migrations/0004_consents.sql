-- 0004: consents (contract §6). Four layers:
--   consent_base (+ _version, consent_term)  the legal terms, versioned;
--   consent                                  an organisation offering one version for a period;
--   given_consent                            a customer's current choice for one consent;
--   given_consent_history                    every change of a choice, append-only: the proof of
--                                            consent GDPR Art. 7(1) asks for.
-- Rows about a customer carry organisation_id (every statement filters on the caller's
-- organisation first) and reference the customer ON DELETE CASCADE, so erasure and the purge
-- of expired profiles (§5) take them along. Nothing else ever deletes history rows.

-- The identity of a set of legal terms. consent_code is unique in the whole system, as at
-- Entur (prefix it with your codespace): consents and the v1 API name a base by its code.
CREATE TABLE consent_base (
    consent_code          TEXT    PRIMARY KEY,
    -- The organisation that owns the base and alone may use and change it. NULL: a shared
    -- base (seeded by the platform operator), usable by every organisation, changeable by none
    -- through the API.
    owner_org_id          INTEGER,
    -- For the owner's staff; never shown to customers, so changing it makes no new version.
    internal_description  TEXT,
    -- The newest version (consent_base_version.version).
    latest_version        INTEGER NOT NULL DEFAULT 1,
    created_at            TEXT    NOT NULL,
    changed_at            TEXT    NOT NULL,
    -- Bumped by every change (new version, added translation, description): the ETag.
    revision              INTEGER NOT NULL DEFAULT 1
);
-- The bases an organisation sees: its own (and the shared ones, owner_org_id IS NULL).
CREATE INDEX consent_base_owner ON consent_base (owner_org_id);

-- One version of a base's terms. A version's texts never change once written: new terms make a
-- new version; a translation into another language may be added to a version later.
CREATE TABLE consent_base_version (
    consent_code  TEXT    NOT NULL REFERENCES consent_base (consent_code),
    version       INTEGER NOT NULL,
    created_at    TEXT    NOT NULL,
    PRIMARY KEY (consent_code, version)
) WITHOUT ROWID;

-- The text of one version in one language (may contain Markdown).
CREATE TABLE consent_term (
    consent_code  TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    -- As languagePreference: NO, EN, ... or ISO 639-3 (nob, nno, sme, ...).
    language      TEXT    NOT NULL,
    text          TEXT    NOT NULL,
    added_at      TEXT    NOT NULL,
    PRIMARY KEY (consent_code, version, language),
    FOREIGN KEY (consent_code, version) REFERENCES consent_base_version (consent_code, version)
) WITHOUT ROWID;

-- An organisation offering one version of a base. Its state follows from the clock:
-- draft (valid_from NULL or in the future), active, inactive (valid_to passed). Consents of
-- one code in one organisation never overlap in time; the check runs inside the write
-- transaction (BEGIN IMMEDIATE), so two concurrent writes cannot both pass it.
CREATE TABLE consent (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id       INTEGER NOT NULL,
    consent_code          TEXT    NOT NULL,
    consent_base_version  INTEGER NOT NULL,
    is_sms_supported      INTEGER NOT NULL DEFAULT 0 CHECK (is_sms_supported IN (0, 1)),
    is_email_supported    INTEGER NOT NULL DEFAULT 0 CHECK (is_email_supported IN (0, 1)),
    -- RFC 3339 UTC with milliseconds, so text order is time order.
    valid_from            TEXT,
    valid_to              TEXT,
    created_at            TEXT    NOT NULL,
    changed_at            TEXT    NOT NULL,
    version               INTEGER NOT NULL DEFAULT 1,
    FOREIGN KEY (consent_code, consent_base_version)
        REFERENCES consent_base_version (consent_code, version),
    CHECK (valid_to IS NULL OR (valid_from IS NOT NULL AND valid_to > valid_from))
);
-- The overlap check, the active consent of a code (v1), and the organisation's lists.
CREATE INDEX consent_code_period ON consent (organisation_id, consent_code, valid_from);

-- A customer's current choice for one consent of the organisation.
CREATE TABLE given_consent (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id       INTEGER NOT NULL,
    customer_number       INTEGER NOT NULL REFERENCES customer (customer_number) ON DELETE CASCADE,
    -- Consents are never deleted, so no cascade is needed here.
    consent_id            INTEGER NOT NULL REFERENCES consent (id),
    consent_choice        INTEGER NOT NULL CHECK (consent_choice IN (0, 1)),
    distribution_channel  TEXT,
    -- RFC 3339 UTC with milliseconds.
    expiration_date       TEXT,
    -- The organisation through which the choice was first recorded.
    created_by_org_id     INTEGER NOT NULL,
    created_at            TEXT    NOT NULL,
    changed_at            TEXT    NOT NULL,
    version               INTEGER NOT NULL DEFAULT 1
);
-- One choice per customer and consent: the target of create-or-replace, the customer's list,
-- and the cascade from customer.
CREATE UNIQUE INDEX given_consent_per_customer ON given_consent (customer_number, consent_id);
-- The CRM listing: the organisation's given consents in id order (keyset paging; the rowid
-- is part of every index).
CREATE INDEX given_consent_organisation ON given_consent (organisation_id);

-- Every change of a given consent, appended in the transaction of the change and never
-- updated or deleted by any API; only the erasure or expiry of the customer removes it.
-- Self-contained on purpose: it names the terms version the customer saw, and outlives
-- the given consent it describes (no foreign key to given_consent).
CREATE TABLE given_consent_history (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id       INTEGER NOT NULL,
    customer_number       INTEGER NOT NULL REFERENCES customer (customer_number) ON DELETE CASCADE,
    given_consent_id      INTEGER NOT NULL,
    consent_id            INTEGER NOT NULL REFERENCES consent (id),
    consent_code          TEXT    NOT NULL,
    consent_base_version  INTEGER NOT NULL,
    -- GIVEN: first choice for this consent; CHANGED: a new choice replaced it; DELETED.
    action                TEXT    NOT NULL CHECK (action IN ('GIVEN', 'CHANGED', 'DELETED')),
    -- NULL for DELETED.
    consent_choice        INTEGER CHECK (consent_choice IN (0, 1)),
    distribution_channel  TEXT,
    expiration_date       TEXT,
    -- Who: the organisation and the token's client id.
    changed_by_org_id     INTEGER NOT NULL,
    client_id             TEXT,
    -- Which interface recorded it: 'v2' or the legacy 'v1'.
    api                   TEXT    NOT NULL CHECK (api IN ('v2', 'v1')),
    at                    TEXT    NOT NULL
);
-- A customer's history in order (and the cascade from customer).
CREATE INDEX given_consent_history_customer ON given_consent_history (customer_number, id);
