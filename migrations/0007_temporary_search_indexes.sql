-- 0007: temporary profiles get search indexes of their own, so that purging them does not
-- rewrite pages all over the permanent ones (measured with scripts/bench and a page count
-- of the write-ahead log per batch, README "Benchmarks").
--
-- The purge deletes expired temporary profiles in batches of a few hundred. Every index
-- entry of a deleted row is removed from its index, and each index leaf a batch touches is
-- written to the log at commit and back into the database at the next checkpoint. In the
-- indexes on names, email and phone numbers the entries of temporary profiles were spread
-- among a million permanent ones, so a batch of 500 touched about 500 leaves of each:
-- 2,600 pages written per batch. Permanent and temporary profiles are never searched
-- through one index now: the permanent indexes hold permanent profiles only (`WHERE
-- profile_type = 'S'`), and the temporary_* indexes, one per criterion, hold only temporary
-- profiles, a small set whose leaves a purge batch shares. A search with includeTemporary
-- reads both, merged in customer-number order (domain::profile::search).
--
-- Every search index also leaves out the rows without the key (`IS NOT NULL`): a search
-- compares with `=`, which never matches NULL, and most temporary profiles have no landline
-- or date of birth, and most permanent ones no landline.
--
-- The indexes are built from the table when this runs on an existing database (a few seconds
-- per index at a million profiles, once, under the migration's write lock).
DROP INDEX customer_email_search;
DROP INDEX customer_surname_search;
DROP INDEX customer_first_name_search;
DROP INDEX customer_telephone_search;
DROP INDEX customer_landline_search;
DROP INDEX customer_birth_date_search;
DROP INDEX customer_surname_order;

-- Permanent profiles (including deactivated and merged ones, which searches filter out).
CREATE INDEX customer_email_search ON customer (organisation_id, email_key)
    WHERE profile_type = 'S' AND email_key IS NOT NULL;
CREATE INDEX customer_surname_search ON customer (organisation_id, surname_key, first_name_key)
    WHERE profile_type = 'S' AND surname_key IS NOT NULL;
-- A surname's profiles in customer-number order (0005).
CREATE INDEX customer_surname_order ON customer (organisation_id, surname_key)
    WHERE profile_type = 'S' AND surname_key IS NOT NULL;
CREATE INDEX customer_first_name_search ON customer (organisation_id, first_name_key)
    WHERE profile_type = 'S' AND first_name_key IS NOT NULL;
CREATE INDEX customer_telephone_search ON customer (organisation_id, telephone_key)
    WHERE profile_type = 'S' AND telephone_key IS NOT NULL;
CREATE INDEX customer_landline_search ON customer (organisation_id, landline_key)
    WHERE profile_type = 'S' AND landline_key IS NOT NULL;
CREATE INDEX customer_birth_date_search ON customer (organisation_id, date_of_birth)
    WHERE profile_type = 'S' AND date_of_birth IS NOT NULL;

-- Temporary profiles: one index per criterion (each ends with the customer number, so a
-- criterion's profiles come in customer-number order). For a surname with a first name the
-- planner reads one of the two and checks the other: there are few temporary profiles.
CREATE INDEX temporary_email_search ON customer (organisation_id, email_key)
    WHERE profile_type = 'T' AND email_key IS NOT NULL;
CREATE INDEX temporary_surname_search ON customer (organisation_id, surname_key)
    WHERE profile_type = 'T' AND surname_key IS NOT NULL;
CREATE INDEX temporary_first_name_search ON customer (organisation_id, first_name_key)
    WHERE profile_type = 'T' AND first_name_key IS NOT NULL;
CREATE INDEX temporary_telephone_search ON customer (organisation_id, telephone_key)
    WHERE profile_type = 'T' AND telephone_key IS NOT NULL;
CREATE INDEX temporary_landline_search ON customer (organisation_id, landline_key)
    WHERE profile_type = 'T' AND landline_key IS NOT NULL;
CREATE INDEX temporary_birth_date_search ON customer (organisation_id, date_of_birth)
    WHERE profile_type = 'T' AND date_of_birth IS NOT NULL;
