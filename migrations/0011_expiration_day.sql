-- 0011: an `expirationDate` is answered the way it was given (contract §4): a temporary
-- profile created with "2026-12-16" answers "2026-12-16", not "2026-12-17T00:00:00.000Z", which
-- partners read as an off-by-one. `expiration_date` stays the instant it passes (the start of
-- the next day for a date: valid through that day), which every read and the purge compare
-- with; this keeps the date as given, and is NULL when a date-time was given (then that
-- instant is what is answered).
ALTER TABLE customer ADD COLUMN expiration_day TEXT;
