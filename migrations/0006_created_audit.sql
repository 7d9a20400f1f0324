-- 0006: a profile's CREATED audit entry is written by its INSERT (a trigger), measured with
-- scripts/bench.
--
-- A create was BEGIN IMMEDIATE, the INSERT, the audit INSERT and COMMIT: four host calls
-- holding the write lock, and at 16 connections on 2 cores the holder often waited for a
-- CPU between them (create p99 224 ms). With the entry written by a trigger, a create
-- without addresses is one statement, atomic by itself, holding the lock only while it
-- runs (p99 54 ms, and 0.39 → 0.63 of the INSERT floor's throughput).
--
-- The INSERT carries what the entry needs beyond the row itself in `pending_audit`
-- (`{"fields": [...], "clientId": ...}`: field names and the token's client, never values);
-- the trigger writes the entry and clears the column, so nothing stays behind in the row.
ALTER TABLE customer ADD COLUMN pending_audit TEXT;

-- One line per statement inside the trigger body: migrations are split at a `;` that ends a
-- line (crates/domain/src/migrations.rs).
CREATE TRIGGER customer_created_audit AFTER INSERT ON customer WHEN NEW.pending_audit IS NOT NULL
BEGIN
    INSERT INTO audit_event (organisation_id, customer_number, action, changed_fields, changed_by, channel, client_id, at) VALUES (NEW.organisation_id, NEW.customer_number, 'CREATED', json_extract(NEW.pending_audit, '$.fields'), NEW.created_by, NEW.created_by_channel, json_extract(NEW.pending_audit, '$.clientId'), NEW.created_at); UPDATE customer SET pending_audit = NULL WHERE customer_number = NEW.customer_number; END;
