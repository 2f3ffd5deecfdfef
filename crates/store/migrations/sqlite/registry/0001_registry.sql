-- Registry store (R-48): structure, ballot sheets, the journal. Never voter data, never ballots.
CREATE TABLE scrutins (
    id            TEXT PRIMARY KEY NOT NULL,
    chamber_code  TEXT NOT NULL,
    chamber_label TEXT NOT NULL,
    category      TEXT NOT NULL,
    sub_category  TEXT,
    label         TEXT NOT NULL,
    -- draft | open | suspended | closed; the state voters see also depends on the instants.
    state         TEXT NOT NULL DEFAULT 'draft',
    message       TEXT,
    opens_at      TEXT NOT NULL,
    closes_at     TEXT NOT NULL,
    sheet         TEXT NOT NULL,
    ballot_style  TEXT NOT NULL
) STRICT;

CREATE TABLE journal (
    seq     INTEGER PRIMARY KEY NOT NULL,
    entry   TEXT NOT NULL,
    digest  BLOB NOT NULL
) STRICT;

CREATE TABLE journal_checkpoints (
    seq        INTEGER PRIMARY KEY NOT NULL,
    checkpoint TEXT NOT NULL
) STRICT;

-- Entries that must be journaled exactly once (an epoch head), by a key naming them.
CREATE TABLE journal_keys (
    key TEXT PRIMARY KEY NOT NULL,
    seq INTEGER NOT NULL
) STRICT;

-- Platform-wide settings (the election identifier used in key derivation, …).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
