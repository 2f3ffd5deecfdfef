-- Writing 2,000,000 logins (the credential generation) must not touch the rights.
--
-- The foreign key from `logins` to `rights` made PostgreSQL check every inserted login
-- with a `SELECT … FOR KEY SHARE` of its right: a row lock written into the right's
-- tuple, so every page of `rights` (the sealed personal data, ≈ 1.4 GB at 2,000,000) was
-- dirtied, WAL-logged as a full page and written back. Measured with 1,000,000 rights:
-- 20.3 s and 998 MB of WAL with the key, 8.9 s and 265 MB without (docs/performance.md).
-- The rule it enforced stays, held by the store's code instead (`electors.rs`): a login
-- is only written for a right that exists (checked in the same statement), a right's
-- removal deletes its login, and removals wait for a credential generation in progress
-- (an advisory lock), so no login outlives its right. SQLite keeps its foreign key: it
-- checks without writing.
ALTER TABLE logins DROP CONSTRAINT logins_right_id_fkey;

-- Byte order ("C") for the keys, as SQLite compares them: the database's default
-- collation (C.UTF-8 here, a locale elsewhere) made every B-tree comparison a `strcoll`
-- call and kept PostgreSQL from abbreviated keys; 18 % of the cost of a login insert.
-- Every column compared with another takes the same collation, or the join could not use
-- the other's index. Identifiers, right and scrutin codes are ASCII: the order is the
-- same as before.
ALTER TABLE data_keys ALTER COLUMN chamber_code TYPE TEXT COLLATE "C";
ALTER TABLE rights
    ALTER COLUMN right_id TYPE TEXT COLLATE "C",
    ALTER COLUMN scrutin_id TYPE TEXT COLLATE "C",
    ALTER COLUMN chamber_code TYPE TEXT COLLATE "C";
ALTER TABLE logins
    ALTER COLUMN right_id TYPE TEXT COLLATE "C",
    ALTER COLUMN identifier TYPE TEXT COLLATE "C";
ALTER TABLE replaced_material
    ALTER COLUMN identifier TYPE TEXT COLLATE "C",
    ALTER COLUMN right_id TYPE TEXT COLLATE "C";
ALTER TABLE emargements
    ALTER COLUMN right_id TYPE TEXT COLLATE "C",
    ALTER COLUMN scrutin_id TYPE TEXT COLLATE "C";
ALTER TABLE resend_requests
    ALTER COLUMN id TYPE TEXT COLLATE "C",
    ALTER COLUMN chamber_code TYPE TEXT COLLATE "C",
    ALTER COLUMN right_id TYPE TEXT COLLATE "C";
