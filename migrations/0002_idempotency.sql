-- 0002: idempotency keys of creating POSTs (contract §1).
-- Kept in SQLite, not key-value: the record is written in the same transaction as the
-- resource it created (a retry can never create twice), and erasure/expiry of a customer
-- deletes the records holding their data (customer_number, contract §5).
CREATE TABLE idempotency_record (
    organisation_id  INTEGER NOT NULL,
    idempotency_key  TEXT    NOT NULL,
    -- SHA-256 of method, path and body: the same key with another request is a 422.
    fingerprint      TEXT    NOT NULL,
    status           INTEGER NOT NULL,
    location         TEXT,
    etag             TEXT,
    body             BLOB    NOT NULL,
    -- The customer the stored response is about, so their erasure takes it along.
    customer_number  INTEGER,
    expires_at       TEXT    NOT NULL,
    PRIMARY KEY (organisation_id, idempotency_key)
);
CREATE INDEX idempotency_record_expiry ON idempotency_record (expires_at);
CREATE INDEX idempotency_record_customer ON idempotency_record (customer_number)
    WHERE customer_number IS NOT NULL;
