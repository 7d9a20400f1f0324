-- 0012: the erasure ledger (README, "Erasure and backups"). One row per profile erased at a
-- customer's request: DELETE of a profile or of a temporary profile, and each profile merged
-- into it, written in the erasure's own transaction (`domain::erasure::record`). The
-- organisation and the customer number only: no personal data. An operator who restores a
-- backup re-applies every erasure recorded since (`erasures reapply`, ops/), so that a
-- restore brings no erased customer back. Purges of expired profiles are not recorded here:
-- a restored row is as expired as it was, and the tool purges it again
-- (crates/domain/src/erasure.rs says why).
CREATE TABLE erasure_ledger (
    id               INTEGER PRIMARY KEY,
    organisation_id  INTEGER NOT NULL,
    customer_number  INTEGER NOT NULL,
    erased_at        TEXT    NOT NULL
);

-- Re-applying looks an entry up before copying it into the restored ledger.
CREATE INDEX erasure_ledger_customer ON erasure_ledger (organisation_id, customer_number);
