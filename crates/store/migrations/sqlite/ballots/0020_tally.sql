-- Tally (admin-tally, protocol §9): per contest, the aggregates of the ballot box, the
-- trustees' decryption shares with their proofs, and the results once t shares combined.
-- Counts only: nothing here says who voted.
CREATE TABLE tallies (
    contest_id   TEXT PRIMARY KEY NOT NULL,
    chamber_code TEXT NOT NULL,
    -- the contest fingerprint (protocol §3), bound into every decryption-share proof
    fingerprint  BLOB NOT NULL,
    -- JSON array of ciphertexts {alpha, beta}: blank flag first, then the options in ballot order
    aggregates   TEXT NOT NULL,
    ballots      INTEGER NOT NULL,
    emargements  INTEGER NOT NULL,
    registered   INTEGER NOT NULL,
    started_at   TEXT NOT NULL,
    -- JSON once decrypted: counts, results and seats
    results      TEXT,
    decrypted_at TEXT
) STRICT;

CREATE TABLE decryption_shares (
    contest_id  TEXT NOT NULL,
    trustee     INTEGER NOT NULL,
    -- scrutin-crypto's DecryptionShare as JSON, verified before it was stored
    share       TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (contest_id, trustee)
) STRICT;
