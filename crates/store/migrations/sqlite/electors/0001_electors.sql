-- Electors store (R-48): who may vote and who has voted. Never ballots, never voting keys.
CREATE TABLE data_keys (
    chamber_code TEXT PRIMARY KEY NOT NULL,
    wrapped      BLOB NOT NULL
) STRICT;

CREATE TABLE rights (
    right_id     TEXT PRIMARY KEY NOT NULL,
    scrutin_id   TEXT NOT NULL,
    chamber_code TEXT NOT NULL,
    -- personal data (the voter-file row), AEAD under the chamber's data key (R-83)
    personal     BLOB NOT NULL,
    -- keyed digest of the birth date; NULL when the file says 01011901 (no check)
    birth_check  BLOB,
    identifier   TEXT UNIQUE,
    login_key    BLOB,
    material     INTEGER NOT NULL DEFAULT 0,
    failures     INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT
) STRICT;
CREATE INDEX rights_by_scrutin ON rights (scrutin_id);

-- Identifiers of replaced material (R-32), to tell the voter to use the new letter.
CREATE TABLE replaced_material (
    identifier TEXT PRIMARY KEY NOT NULL,
    login_key  BLOB NOT NULL,
    right_id   TEXT NOT NULL
) STRICT;

-- One émargement per right (R-45). `token` is set only while a cast is in flight
-- (see docs/operations.md, recovery rule).
CREATE TABLE emargements (
    right_id   TEXT PRIMARY KEY NOT NULL,
    scrutin_id TEXT NOT NULL,
    at         TEXT NOT NULL,
    token      BLOB UNIQUE
) STRICT;
CREATE INDEX emargements_by_scrutin ON emargements (scrutin_id);

CREATE TABLE resend_requests (
    id           TEXT PRIMARY KEY NOT NULL,
    chamber_code TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending',
    right_id     TEXT,
    reason       TEXT,
    decided_at   TEXT,
    -- the request and its identity document, AEAD under the chamber's data key
    payload      BLOB NOT NULL
) STRICT;
