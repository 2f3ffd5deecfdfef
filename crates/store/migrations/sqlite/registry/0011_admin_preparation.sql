-- Control interface (admin-core): election preparation kept in the registry store — the
-- uploaded files' digests and reports (R-14), the election structure file, candidate lists
-- and statements until sealed (R-20…R-23), and the chain of seals (R-50, protocol §8).
-- Never voter personal data: voter files go to the electors store, encrypted.
CREATE TABLE election_files (
    id           TEXT PRIMARY KEY NOT NULL,
    -- structure | voters | users
    kind         TEXT NOT NULL,
    chamber_code TEXT,
    name         TEXT NOT NULL,
    -- SHA-256 of the file as uploaded, hex
    digest       TEXT NOT NULL,
    size         INTEGER NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  TEXT NOT NULL,
    accepted     INTEGER NOT NULL,
    -- counts of the validation report (JSON, no personal data)
    summary      TEXT NOT NULL,
    -- the file itself, kept for the structure file only
    content      BLOB
) STRICT;
CREATE INDEX election_files_by_kind ON election_files (kind, chamber_code, uploaded_at);

CREATE TABLE candidate_lists (
    contest_id   TEXT PRIMARY KEY NOT NULL,
    chamber_code TEXT NOT NULL,
    -- scrutin-election's ContestCandidates as JSON, in registration order
    entries      TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL
) STRICT;

CREATE TABLE statements (
    id           TEXT PRIMARY KEY NOT NULL,
    contest_id   TEXT NOT NULL,
    chamber_code TEXT NOT NULL,
    -- 'grouping:<name>' or 'candidate:<option id>'
    subject      TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    digest       TEXT NOT NULL,
    size         INTEGER NOT NULL,
    content      BLOB NOT NULL,
    uploaded_at  TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL,
    UNIQUE (contest_id, subject)
) STRICT;

CREATE TABLE seals (
    seq   INTEGER PRIMARY KEY NOT NULL,
    kind  TEXT NOT NULL,
    scope TEXT NOT NULL,
    -- scrutin-crypto's Seal as JSON
    seal  TEXT NOT NULL
) STRICT;
CREATE INDEX seals_by_scope ON seals (scope, kind);

-- The logo printed on a chamber's letters (JPEG).
CREATE TABLE chamber_logos (
    chamber_code TEXT PRIMARY KEY NOT NULL,
    content      BLOB NOT NULL,
    digest       TEXT NOT NULL,
    uploaded_at  TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL
) STRICT;
