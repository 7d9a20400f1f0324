-- 0010: who may fetch the issuer's JWKS now (contract §2: an unknown `kid` refetches it at most
-- once a minute). The JWKS is cached in each replica's key-value store, which has no
-- compare-and-swap: requests that read the cache before one of them stamped its attempt would
-- all fetch. A request that finds a fetch due therefore claims it here first, with one
-- statement that only one of them can win per minute (`domain::jwks_fetch::claim`); the
-- others use the cached keys. Only requests that found a fetch due get here, never the
-- ordinary token.
CREATE TABLE jwks_fetch (
    -- jwt_jwks_url.
    url           TEXT    NOT NULL,
    -- The key-value store (replica) whose cache the fetch fills: a random id kept in it.
    replica       TEXT    NOT NULL,
    -- Milliseconds since the Unix epoch of the last claimed fetch.
    attempted_at  INTEGER NOT NULL,
    PRIMARY KEY (url, replica)
) WITHOUT ROWID;
