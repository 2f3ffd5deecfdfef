-- Ballots store (R-48): voting keys and the ballot box. Nothing about who voted; ballot rows
-- carry no timestamp and no arrival sequence (R-47): tables are keyed by content.
CREATE TABLE voting_keys (
    scrutin_id TEXT NOT NULL,
    voting_key BLOB NOT NULL,
    used       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scrutin_id, voting_key)
) STRICT, WITHOUT ROWID;

CREATE TABLE ballots (
    tracking_code BLOB PRIMARY KEY NOT NULL,
    scrutin_id    TEXT NOT NULL,
    voting_key    BLOB NOT NULL,
    ballot        TEXT NOT NULL,
    -- set only while a cast is in flight (recovery rule, docs/operations.md)
    pending_token BLOB UNIQUE,
    -- the board epoch that published this ballot; NULL until its epoch closes
    epoch         INTEGER,
    UNIQUE (scrutin_id, voting_key)
) STRICT, WITHOUT ROWID;
CREATE INDEX ballots_by_epoch ON ballots (scrutin_id, epoch, tracking_code);

CREATE TABLE epochs (
    scrutin_id TEXT NOT NULL,
    epoch      INTEGER NOT NULL,
    tree_size  INTEGER NOT NULL,
    root       BLOB NOT NULL,
    closed_at  TEXT NOT NULL,
    signature  BLOB NOT NULL,
    PRIMARY KEY (scrutin_id, epoch)
) STRICT, WITHOUT ROWID;

-- Tokens of casts that were undone (pending ballot deleted): lets the recovery rule tell a
-- confirmed ballot from a deleted one when it finds an émargement still holding a token.
-- Random values, nothing else.
CREATE TABLE aborted_tokens (
    token BLOB PRIMARY KEY NOT NULL
) STRICT, WITHOUT ROWID;
