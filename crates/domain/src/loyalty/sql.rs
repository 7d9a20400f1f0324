//! Every statement of loyalty. `?1` is always the caller's organisation.

macro_rules! program_select {
    () => {
        "SELECT id, organisation_id, name, program_type, valid_from, valid_to, created_at, changed_at, version
           FROM loyalty_program"
    };
}

pub const PROGRAMS: &str = concat!(program_select!(), " WHERE organisation_id = ?1 ORDER BY id");
pub const PROGRAM: &str = concat!(program_select!(), " WHERE organisation_id = ?1 AND id = ?2");

pub const INSERT_PROGRAM: &str = "
    INSERT INTO loyalty_program (organisation_id, name, program_type, valid_from, valid_to, created_at, changed_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
    RETURNING id, organisation_id, name, program_type, valid_from, valid_to, created_at, changed_at, version";

/// Full replacement; `?8` is the version read in the same transaction.
pub const REPLACE_PROGRAM: &str = "
    UPDATE loyalty_program
       SET name = ?3, program_type = ?4, valid_from = ?5, valid_to = ?6, changed_at = ?7, version = version + 1
     WHERE organisation_id = ?1 AND id = ?2 AND version = ?8
    RETURNING id, organisation_id, name, program_type, valid_from, valid_to, created_at, changed_at, version";

pub const PROGRAM_HAS_MEMBERS: &str = "
    SELECT EXISTS (SELECT 1 FROM loyalty_membership WHERE organisation_id = ?1 AND program_id = ?2) AS has_members";

/// The columns SQLite names when a customer joins a program twice.
pub const ALREADY_JOINED: &str = "loyalty_membership.customer_number, loyalty_membership.program_id";

macro_rules! membership_select {
    () => {
        "SELECT m.id, m.program_id, p.name AS program_name, p.program_type, p.valid_from, p.valid_to,
                m.balance, m.created_at, m.changed_at, m.version
           FROM loyalty_membership m JOIN loyalty_program p ON p.id = m.program_id"
    };
}

/// A customer's (`?2`) memberships, oldest first.
pub const MEMBERSHIPS: &str =
    concat!(membership_select!(), " WHERE m.organisation_id = ?1 AND m.customer_number = ?2 ORDER BY m.id");
pub const MEMBERSHIP: &str =
    concat!(membership_select!(), " WHERE m.organisation_id = ?1 AND m.customer_number = ?2 AND m.id = ?3");

/// `?4`: 0 for COUPONS and POINTS, NULL for TIMED.
pub const INSERT_MEMBERSHIP: &str = "
    INSERT INTO loyalty_membership (organisation_id, customer_number, program_id, balance, created_at, changed_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?5) RETURNING id";

/// `?4` is the version read in the same transaction; the transactions go with it (CASCADE).
pub const DELETE_MEMBERSHIP: &str = "
    DELETE FROM loyalty_membership
     WHERE organisation_id = ?1 AND customer_number = ?2 AND id = ?3 AND version = ?4 RETURNING id";

/// The one statement that changes a balance: adds `?4` unless the result would be negative
/// (or the membership has no balance). No row back = refused. Being one statement, two
/// concurrent transactions can never both pass the check against the same old balance.
pub const TRANSACT: &str = "
    UPDATE loyalty_membership SET balance = balance + ?4, changed_at = ?5, version = version + 1
     WHERE organisation_id = ?1 AND customer_number = ?2 AND id = ?3
       AND balance IS NOT NULL AND balance + ?4 >= 0
    RETURNING balance";

pub const INSERT_TRANSACTION: &str = "
    INSERT INTO loyalty_transaction (organisation_id, customer_number, membership_id, amount, balance_after,
                                     reference, created_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
    RETURNING id, membership_id, amount, balance_after, reference, created_at";

/// One page of a membership's (`?2`) transactions after id `?3`, oldest first (keyset).
pub const TRANSACTIONS: &str = "
    SELECT id, membership_id, amount, balance_after, reference, created_at FROM loyalty_transaction
     WHERE organisation_id = ?1 AND membership_id = ?2 AND id > ?3 ORDER BY id LIMIT ?4";

/// Merge, step 1: where both are members, the target's balance grows by the source's.
pub const MERGE_BALANCES: &str = "
    UPDATE loyalty_membership
       SET balance = balance + (SELECT s.balance FROM loyalty_membership s
                                 WHERE s.organisation_id = ?1 AND s.customer_number = ?2
                                   AND s.program_id = loyalty_membership.program_id),
           version = version + 1
     WHERE organisation_id = ?1 AND customer_number = ?3 AND balance IS NOT NULL
       AND program_id IN (SELECT program_id FROM loyalty_membership WHERE organisation_id = ?1 AND customer_number = ?2)";
/// Merge, step 2: the source's transactions of those shared programs join the target's membership.
pub const MERGE_TRANSACTIONS: &str = "
    UPDATE loyalty_transaction
       SET membership_id = (SELECT t.id FROM loyalty_membership s
                              JOIN loyalty_membership t ON t.program_id = s.program_id AND t.customer_number = ?3
                             WHERE s.id = loyalty_transaction.membership_id)
     WHERE organisation_id = ?1 AND customer_number = ?2
       AND membership_id IN (SELECT s.id FROM loyalty_membership s
                               JOIN loyalty_membership t ON t.program_id = s.program_id AND t.customer_number = ?3
                              WHERE s.organisation_id = ?1 AND s.customer_number = ?2)";
/// Merge, step 3: the source's memberships of shared programs are now empty shells.
pub const DROP_SHARED_MEMBERSHIPS: &str = "
    DELETE FROM loyalty_membership
     WHERE organisation_id = ?1 AND customer_number = ?2
       AND program_id IN (SELECT program_id FROM loyalty_membership WHERE organisation_id = ?1 AND customer_number = ?3)";
/// Merge, step 4: the rest of the source's memberships move over.
pub const MOVE_MEMBERSHIPS: &str =
    "UPDATE loyalty_membership SET customer_number = ?3 WHERE organisation_id = ?1 AND customer_number = ?2";
/// Merge, step 5: and all of its transactions.
pub const MOVE_TRANSACTIONS: &str =
    "UPDATE loyalty_transaction SET customer_number = ?3 WHERE organisation_id = ?1 AND customer_number = ?2";
