-- `logins` keyed by the right itself (WITHOUT ROWID): one B-tree fewer per login than a
-- rowid table with an index on its text key. The credential generation writes two
-- million logins in one statement; each row cost a rowid insert and a key-index insert.
CREATE TABLE logins_keyed (
    right_id   TEXT PRIMARY KEY NOT NULL REFERENCES rights (right_id) ON DELETE CASCADE,
    identifier TEXT UNIQUE NOT NULL,
    login_key  BLOB NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO logins_keyed (right_id, identifier, login_key)
SELECT right_id, identifier, login_key FROM logins;

DROP TABLE logins;
ALTER TABLE logins_keyed RENAME TO logins;
