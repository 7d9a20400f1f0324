-- 0013: the change feed (`GET /customers/v2/events`, README "The change feed"). An outbox:
-- one row per change to a customer, written in the transaction of the change, read by each
-- organisation oldest first by `id`. Names of changed fields only, never their values.
--
-- The rows are written by triggers on the two trails every write path already appends to
-- (`audit_event` for profiles and their children, `given_consent_history` for consents),
-- in the statement that appends the trail entry: so there is no change without its event
-- and no event without its change, a create without addresses stays one statement (0006),
-- and no write path has a second call to forget. An audit action the feed does not know
-- gives a NULL `type` and fails the write (NOT NULL): a new action must be mapped here first.
--
-- AUTOINCREMENT: ids are never reused, also after retention deleted the newest rows, so a
-- cursor (the last id seen) never skips an event. Writers are serialised by SQLite's write
-- lock, so ids become visible in order.
CREATE TABLE customer_event (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id      INTEGER NOT NULL,
    type                 TEXT    NOT NULL,
    occurred_at          TEXT    NOT NULL,
    customer_number      INTEGER NOT NULL,
    fields               TEXT,
    from_customer_number INTEGER,
    consent_id           INTEGER,
    consent_code         TEXT,
    choice               INTEGER,
    client_id            TEXT,
    changed_by           TEXT,
    channel              TEXT
);

-- A page of an organisation's feed (with or without a types filter) is one range scan.
CREATE INDEX customer_event_feed ON customer_event (organisation_id, id);
-- `customerNumber=`: one customer's events.
CREATE INDEX customer_event_customer ON customer_event (organisation_id, customer_number, id);

-- Profiles and their children. Catalogue entries (customer number 0: preference definitions,
-- loyalty programs) are about no customer. A merge is one event on the profile merged into,
-- from the profile merged (MERGED_INTO, written after the row points at its target); its
-- CONNECTED entry on the target makes none. One statement in the body: migrations are split at
-- a `;` that ends a line.
CREATE TRIGGER audit_event_feed AFTER INSERT ON audit_event
WHEN NEW.customer_number > 0 AND NEW.action <> 'CONNECTED'
BEGIN
    INSERT INTO customer_event (organisation_id, type, occurred_at, customer_number, fields, from_customer_number, client_id, changed_by, channel)
    VALUES (NEW.organisation_id,
            CASE NEW.action
                WHEN 'CREATED' THEN 'profile.created'
                WHEN 'UPDATED' THEN 'profile.updated'
                WHEN 'PASSWORD_CHANGED' THEN 'profile.updated'
                WHEN 'DEACTIVATED' THEN 'profile.deactivated'
                WHEN 'MERGED_INTO' THEN 'profile.merged'
                WHEN 'ERASED' THEN 'profile.erased'
                WHEN 'PURGED' THEN 'profile.expired'
                WHEN 'CONVERTED' THEN 'temporary.converted'
                WHEN 'POSTAL_ADDRESS_ADDED' THEN 'address.created'
                WHEN 'POSTAL_ADDRESS_CHANGED' THEN 'address.updated'
                WHEN 'POSTAL_ADDRESS_REMOVED' THEN 'address.deleted'
                WHEN 'PREFERENCE_ADDED' THEN 'preference.created'
                WHEN 'PREFERENCE_CHANGED' THEN 'preference.updated'
                WHEN 'PREFERENCE_REMOVED' THEN 'preference.deleted'
                WHEN 'ECARD_ADDED' THEN 'ecard.created'
                WHEN 'ECARD_REMOVED' THEN 'ecard.deleted'
                WHEN 'LOYALTY_PROGRAM_JOINED' THEN 'loyalty.created'
                WHEN 'LOYALTY_TRANSACTION_ADDED' THEN 'loyalty.updated'
                WHEN 'LOYALTY_PROGRAM_LEFT' THEN 'loyalty.deleted'
            END,
            NEW.at,
            CASE NEW.action WHEN 'MERGED_INTO' THEN (SELECT merged_into FROM customer WHERE customer_number = NEW.customer_number) ELSE NEW.customer_number END,
            NULLIF(NEW.changed_fields, '[]'),
            CASE NEW.action WHEN 'MERGED_INTO' THEN NEW.customer_number END,
            NEW.client_id, NEW.changed_by, NEW.channel); END;

-- Consents: a choice given (true) or withdrawn (false), and a given consent deleted, which
-- withdraws it too (no `choice`).
CREATE TRIGGER given_consent_history_feed AFTER INSERT ON given_consent_history
BEGIN
    INSERT INTO customer_event (organisation_id, type, occurred_at, customer_number, consent_id, consent_code, choice, client_id, channel)
    VALUES (NEW.organisation_id, CASE WHEN NEW.consent_choice = 1 THEN 'consent.given' ELSE 'consent.withdrawn' END, NEW.at, NEW.customer_number, NEW.consent_id, NEW.consent_code, NEW.consent_choice, NEW.client_id, NEW.distribution_channel); END;
