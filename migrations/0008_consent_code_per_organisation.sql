-- 0008: a consent code is unique within its organisation, no longer in the whole system
-- (contract §6): two organisations may each own NEWSLETTER, and nothing about one
-- organisation's codes shows through another's (before, creating a base whose code another
-- organisation held answered 409, so codes could be discovered and squatted).
--
-- A base is now identified by a number (`consent_base.id`); its code is unique among the
-- bases one organisation sees: its own, and the shared ones (owner_org_id NULL, seeded by the
-- platform operator), which every organisation sees. Versions, texts and consents refer to the
-- base by that number. `consent.consent_code` stays, the code as the organisation knows it
-- (unique among the bases it sees), for the per-code lookups of consents and the v1 view.
--
-- Consent codes no longer name a base by themselves, so the version and text tables lose
-- their `consent_code` column: a component built before this migration then fails on them
-- (500) instead of reading texts of another organisation's base of the same code.
--
-- The four tables are rebuilt (SQLite cannot change a primary key in place): each is copied
-- aside, dropped and created anew, and the rows are copied back with the ids they had, so
-- given consents and their history keep referring to the same consents. Foreign keys are on
-- while migrating; `defer_foreign_keys` lets the dropped consents' references stand until
-- their rows are back, and the commit fails if any would not come back.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE old_consent_base AS SELECT rowid AS id, * FROM consent_base;
CREATE TABLE old_consent_base_version AS SELECT * FROM consent_base_version;
CREATE TABLE old_consent_term AS SELECT * FROM consent_term;
CREATE TABLE old_consent AS SELECT * FROM consent;
DROP TABLE consent_term;
DROP TABLE consent;
DROP TABLE consent_base_version;
DROP TABLE consent_base;

-- The identity of a set of legal terms.
CREATE TABLE consent_base (
    id                    INTEGER PRIMARY KEY,
    consent_code          TEXT    NOT NULL,
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
-- An organisation's codes are unique (the unique index decides two concurrent creates), and so
-- are the shared ones. That an organisation's code differs from every shared one is checked
-- in the create's transaction (`domain::consent::base::insert`).
CREATE UNIQUE INDEX consent_base_code ON consent_base (owner_org_id, consent_code);
CREATE UNIQUE INDEX consent_base_shared_code ON consent_base (consent_code) WHERE owner_org_id IS NULL;

-- One version of a base's terms. A version's texts never change once written: new terms make a
-- new version; a translation into another language may be added to a version later.
CREATE TABLE consent_base_version (
    base_id     INTEGER NOT NULL REFERENCES consent_base (id),
    version     INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (base_id, version)
) WITHOUT ROWID;

-- The text of one version in one language (may contain Markdown).
CREATE TABLE consent_term (
    base_id   INTEGER NOT NULL,
    version   INTEGER NOT NULL,
    -- As languagePreference: NO, EN, ... or ISO 639-3 (nob, nno, sme, ...).
    language  TEXT    NOT NULL,
    text      TEXT    NOT NULL,
    added_at  TEXT    NOT NULL,
    PRIMARY KEY (base_id, version, language),
    FOREIGN KEY (base_id, version) REFERENCES consent_base_version (base_id, version)
) WITHOUT ROWID;

-- An organisation offering one version of a base. Its state follows from the clock:
-- draft (valid_from NULL or in the future), active, inactive (valid_to passed). Consents of
-- one code in one organisation never overlap in time; the check runs inside the write
-- transaction (BEGIN IMMEDIATE), so two concurrent writes cannot both pass it.
CREATE TABLE consent (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id       INTEGER NOT NULL,
    -- The base's code (as the organisation sees it), and the base itself.
    consent_code          TEXT    NOT NULL,
    base_id               INTEGER NOT NULL,
    consent_base_version  INTEGER NOT NULL,
    is_sms_supported      INTEGER NOT NULL DEFAULT 0 CHECK (is_sms_supported IN (0, 1)),
    is_email_supported    INTEGER NOT NULL DEFAULT 0 CHECK (is_email_supported IN (0, 1)),
    -- RFC 3339 UTC with milliseconds, so text order is time order.
    valid_from            TEXT,
    valid_to              TEXT,
    created_at            TEXT    NOT NULL,
    changed_at            TEXT    NOT NULL,
    version               INTEGER NOT NULL DEFAULT 1,
    FOREIGN KEY (base_id, consent_base_version) REFERENCES consent_base_version (base_id, version),
    CHECK (valid_to IS NULL OR (valid_from IS NOT NULL AND valid_to > valid_from))
);
-- The overlap check, the active consent of a code (v1), and the organisation's lists.
CREATE INDEX consent_code_period ON consent (organisation_id, consent_code, valid_from);

INSERT INTO consent_base (id, consent_code, owner_org_id, internal_description, latest_version, created_at, changed_at, revision)
    SELECT id, consent_code, owner_org_id, internal_description, latest_version, created_at, changed_at, revision
      FROM old_consent_base;
INSERT INTO consent_base_version (base_id, version, created_at)
    SELECT b.id, v.version, v.created_at
      FROM old_consent_base_version v JOIN old_consent_base b ON b.consent_code = v.consent_code;
INSERT INTO consent_term (base_id, version, language, text, added_at)
    SELECT b.id, t.version, t.language, t.text, t.added_at
      FROM old_consent_term t JOIN old_consent_base b ON b.consent_code = t.consent_code;
-- Inserting the consents with their ids sets AUTOINCREMENT's counter to the highest of them;
-- consents are never deleted, so no id is ever handed out twice.
INSERT INTO consent (id, organisation_id, consent_code, base_id, consent_base_version, is_sms_supported,
                     is_email_supported, valid_from, valid_to, created_at, changed_at, version)
    SELECT c.id, c.organisation_id, c.consent_code, b.id, c.consent_base_version, c.is_sms_supported,
           c.is_email_supported, c.valid_from, c.valid_to, c.created_at, c.changed_at, c.version
      FROM old_consent c JOIN old_consent_base b ON b.consent_code = c.consent_code;

DROP TABLE old_consent;
DROP TABLE old_consent_term;
DROP TABLE old_consent_base_version;
DROP TABLE old_consent_base;
