-- Login credentials move out of `rights` into their own narrow table: generating
-- 2,000,000 credentials then inserts 80-byte rows instead of rewriting every right with
-- its sealed personal data (docs/performance.md). A right has at most one login.
--
-- SQLite cannot drop a UNIQUE column: `rights` is rebuilt. It is renamed first so that
-- `logins` is created against the new table and nothing refers to the old one.
ALTER TABLE rights RENAME TO rights_before_logins;

CREATE TABLE rights (
    right_id     TEXT PRIMARY KEY NOT NULL,
    scrutin_id   TEXT NOT NULL,
    chamber_code TEXT NOT NULL,
    -- personal data (the voter-file row), AEAD under the chamber's data key (R-83)
    personal     BLOB NOT NULL,
    -- keyed digest of the birth date; NULL when the file says 01011901 (no check)
    birth_check  BLOB,
    material     INTEGER NOT NULL DEFAULT 0,
    failures     INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT
) STRICT;

INSERT INTO rights (right_id, scrutin_id, chamber_code, personal, birth_check, material, failures, locked_until)
SELECT right_id, scrutin_id, chamber_code, personal, birth_check, material, failures, locked_until
FROM rights_before_logins;

CREATE TABLE logins (
    right_id   TEXT PRIMARY KEY NOT NULL REFERENCES rights (right_id) ON DELETE CASCADE,
    identifier TEXT UNIQUE NOT NULL,
    login_key  BLOB NOT NULL
) STRICT;

INSERT INTO logins (right_id, identifier, login_key)
SELECT right_id, identifier, login_key FROM rights_before_logins WHERE identifier IS NOT NULL;

DROP TABLE rights_before_logins;
-- By scrutin then right: a scrutin's rights come out in order without a sort of their
-- sealed rows.
CREATE INDEX rights_by_scrutin ON rights (scrutin_id, right_id);
