-- Electors store (R-48): who may vote and who has voted. Never ballots, never voting keys.
CREATE TABLE data_keys (
    chamber_code TEXT PRIMARY KEY,
    wrapped      BYTEA NOT NULL
);

CREATE TABLE rights (
    right_id     TEXT PRIMARY KEY,
    scrutin_id   TEXT NOT NULL,
    chamber_code TEXT NOT NULL,
    personal     BYTEA NOT NULL,
    birth_check  BYTEA,
    identifier   TEXT UNIQUE,
    login_key    BYTEA,
    material     BIGINT NOT NULL DEFAULT 0,
    failures     BIGINT NOT NULL DEFAULT 0,
    locked_until TIMESTAMPTZ
);
CREATE INDEX rights_by_scrutin ON rights (scrutin_id);

CREATE TABLE replaced_material (
    identifier TEXT PRIMARY KEY,
    login_key  BYTEA NOT NULL,
    right_id   TEXT NOT NULL
);

CREATE TABLE emargements (
    right_id   TEXT PRIMARY KEY,
    scrutin_id TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    token      BYTEA UNIQUE
);
CREATE INDEX emargements_by_scrutin ON emargements (scrutin_id);

CREATE TABLE resend_requests (
    id           TEXT PRIMARY KEY,
    chamber_code TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending',
    right_id     TEXT,
    reason       TEXT,
    decided_at   TIMESTAMPTZ,
    payload      BYTEA NOT NULL
);
