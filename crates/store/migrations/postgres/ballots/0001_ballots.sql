-- Ballots store (R-48): voting keys and the ballot box. Nothing about who voted; ballot rows
-- carry no timestamp and no arrival sequence (R-47). PostgreSQL heap order still follows
-- insertion: see docs/operations.md for what that reveals and how epochs mitigate it.
CREATE TABLE voting_keys (
    scrutin_id TEXT NOT NULL,
    voting_key BYTEA NOT NULL,
    used       BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (scrutin_id, voting_key)
);

CREATE TABLE ballots (
    tracking_code BYTEA PRIMARY KEY,
    scrutin_id    TEXT NOT NULL,
    voting_key    BYTEA NOT NULL,
    ballot        TEXT NOT NULL,
    pending_token BYTEA UNIQUE,
    epoch         BIGINT,
    UNIQUE (scrutin_id, voting_key)
);
CREATE INDEX ballots_by_epoch ON ballots (scrutin_id, epoch, tracking_code);

CREATE TABLE epochs (
    scrutin_id TEXT NOT NULL,
    epoch      BIGINT NOT NULL,
    tree_size  BIGINT NOT NULL,
    root       BYTEA NOT NULL,
    closed_at  TIMESTAMPTZ NOT NULL,
    signature  BYTEA NOT NULL,
    PRIMARY KEY (scrutin_id, epoch)
);

-- Tokens of casts that were undone (pending ballot deleted): lets the recovery rule tell a
-- confirmed ballot from a deleted one when it finds an émargement still holding a token.
CREATE TABLE aborted_tokens (
    token BYTEA PRIMARY KEY
);
