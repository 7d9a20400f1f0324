-- 0005: profile search in customer-number order (contract §3 search), measured against a
-- million profiles with scripts/bench.
--
-- A search by surname alone pages in customer-number order. customer_surname_search
-- (organisation_id, surname_key, first_name_key) orders a surname's rows by first name, so a
-- common surname (Hansen: about 1 % of customers) had all its rows read and sorted for every
-- page (p99 78 ms). This index ends with the rowid, the customer number: a page is read in
-- order and stops after maxResultSet rows (p99 under 1 ms).
CREATE INDEX customer_surname_order ON customer (organisation_id, surname_key);
