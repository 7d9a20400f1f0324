-- 0009: brute-force protection of POST /profiles/verify-credentials (contract §3): after 5
-- consecutive failures for one email in an organisation, attempts for it are refused (429)
-- without checking the password, for 1 minute, doubling with each further failure, at most
-- 1 hour (`domain::lockout`). In the database, not key-value, so that the count holds across
-- replicas and components. Unknown emails are counted exactly like known ones.
CREATE TABLE sign_in_failure (
    organisation_id  INTEGER NOT NULL,
    -- SHA-256 (hex) of the organisation and the folded (trimmed, lower-case) email. The
    -- address itself is not stored: attempted addresses include unknown ones, typos of
    -- somebody's address among them, and a dump of this table shows none of them. (A key
    -- would not help more: this database holds every customer's address in clear anyway.)
    email_digest     TEXT    NOT NULL,
    -- Failures since the last success, or since the failures were forgotten (a day after the
    -- last one).
    failures         INTEGER NOT NULL,
    -- Milliseconds since the Unix epoch, like locked_until (0: not locked).
    last_failure_at  INTEGER NOT NULL,
    locked_until     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (organisation_id, email_digest)
) WITHOUT ROWID;
-- Forgotten failures are deleted a few at a time by later failures.
CREATE INDEX sign_in_failure_age ON sign_in_failure (last_failure_at);
