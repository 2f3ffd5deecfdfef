-- Tally (admin-tally, protocol §9): per contest, the aggregates of the ballot box, the
-- trustees' decryption shares with their proofs, and the results once t shares combined.
-- Counts only: nothing here says who voted.
CREATE TABLE tallies (
    contest_id   TEXT PRIMARY KEY,
    chamber_code TEXT NOT NULL,
    fingerprint  BYTEA NOT NULL,
    aggregates   TEXT NOT NULL,
    ballots      BIGINT NOT NULL,
    emargements  BIGINT NOT NULL,
    registered   BIGINT NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL,
    results      TEXT,
    decrypted_at TIMESTAMPTZ
);

CREATE TABLE decryption_shares (
    contest_id  TEXT NOT NULL,
    trustee     BIGINT NOT NULL,
    share       TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (contest_id, trustee)
);
