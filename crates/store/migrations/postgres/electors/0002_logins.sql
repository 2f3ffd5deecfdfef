-- Login credentials move out of `rights` into their own narrow table: generating
-- 2,000,000 credentials then inserts short rows instead of rewriting every right with
-- its sealed personal data (docs/performance.md). A right has at most one login.
CREATE TABLE logins (
    right_id   TEXT PRIMARY KEY REFERENCES rights (right_id) ON DELETE CASCADE,
    identifier TEXT UNIQUE NOT NULL,
    login_key  BYTEA NOT NULL
);

INSERT INTO logins (right_id, identifier, login_key)
SELECT right_id, identifier, login_key FROM rights WHERE identifier IS NOT NULL;

ALTER TABLE rights DROP COLUMN identifier, DROP COLUMN login_key;

-- By scrutin then right: a scrutin's rights come out in order without a sort of their
-- sealed rows.
DROP INDEX rights_by_scrutin;
CREATE INDEX rights_by_scrutin ON rights (scrutin_id, right_id);
