-- Registry store (R-48): structure, ballot sheets, the journal. Never voter data, never ballots.
CREATE TABLE scrutins (
    id            TEXT PRIMARY KEY,
    chamber_code  TEXT NOT NULL,
    chamber_label TEXT NOT NULL,
    category      TEXT NOT NULL,
    sub_category  TEXT,
    label         TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'draft',
    message       TEXT,
    opens_at      TIMESTAMPTZ NOT NULL,
    closes_at     TIMESTAMPTZ NOT NULL,
    sheet         TEXT NOT NULL,
    ballot_style  TEXT NOT NULL
);

CREATE TABLE journal (
    seq     BIGINT PRIMARY KEY,
    entry   TEXT NOT NULL,
    digest  BYTEA NOT NULL
);

CREATE TABLE journal_checkpoints (
    seq        BIGINT PRIMARY KEY,
    checkpoint TEXT NOT NULL
);

-- Entries that must be journaled exactly once (an epoch head), by a key naming them.
CREATE TABLE journal_keys (
    key TEXT PRIMARY KEY,
    seq BIGINT NOT NULL
);

-- Platform-wide settings (the election identifier used in key derivation, …).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
