-- Control interface (admin-core): election preparation kept in the registry store — the
-- uploaded files' digests and reports (R-14), the election structure file, candidate lists
-- and statements until sealed (R-20…R-23), and the chain of seals (R-50, protocol §8).
-- Never voter personal data: voter files go to the electors store, encrypted.
CREATE TABLE election_files (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    chamber_code TEXT,
    name         TEXT NOT NULL,
    digest       TEXT NOT NULL,
    size         BIGINT NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  TIMESTAMPTZ NOT NULL,
    accepted     BOOLEAN NOT NULL,
    summary      TEXT NOT NULL,
    content      BYTEA
);
CREATE INDEX election_files_by_kind ON election_files (kind, chamber_code, uploaded_at);

CREATE TABLE candidate_lists (
    contest_id   TEXT PRIMARY KEY,
    chamber_code TEXT NOT NULL,
    entries      TEXT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    updated_by   TEXT NOT NULL
);

CREATE TABLE statements (
    id           TEXT PRIMARY KEY,
    contest_id   TEXT NOT NULL,
    chamber_code TEXT NOT NULL,
    subject      TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    digest       TEXT NOT NULL,
    size         BIGINT NOT NULL,
    content      BYTEA NOT NULL,
    uploaded_at  TIMESTAMPTZ NOT NULL,
    uploaded_by  TEXT NOT NULL,
    UNIQUE (contest_id, subject)
);

CREATE TABLE seals (
    seq   BIGINT PRIMARY KEY,
    kind  TEXT NOT NULL,
    scope TEXT NOT NULL,
    seal  TEXT NOT NULL
);
CREATE INDEX seals_by_scope ON seals (scope, kind);

-- The logo printed on a chamber's letters (JPEG).
CREATE TABLE chamber_logos (
    chamber_code TEXT PRIMARY KEY,
    content      BYTEA NOT NULL,
    digest       TEXT NOT NULL,
    uploaded_at  TIMESTAMPTZ NOT NULL,
    uploaded_by  TEXT NOT NULL
);
