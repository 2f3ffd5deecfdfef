-- Key ceremony and tally (admin-tally): the trustees' public ceremony messages relayed by the
-- server (protocol §7), the published election key of each COE, and the close of tallying
-- of each scrutin (R-64). Public data only: no trustee secret ever reaches the server.
CREATE TABLE ceremonies (
    chamber_code      TEXT PRIMARY KEY,
    key_id            TEXT NOT NULL,
    attempt           BIGINT NOT NULL,
    parameters        TEXT NOT NULL,
    status            TEXT NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    created_by        TEXT NOT NULL,
    public_key        BYTEA,
    outcome           TEXT,
    transcript_digest BYTEA,
    completed_at      TIMESTAMPTZ
);

CREATE TABLE ceremony_trustees (
    chamber_code TEXT NOT NULL,
    trustee      BIGINT NOT NULL,
    user_id      TEXT NOT NULL,
    PRIMARY KEY (chamber_code, trustee),
    UNIQUE (chamber_code, user_id)
);

CREATE TABLE ceremony_messages (
    chamber_code TEXT NOT NULL,
    step         TEXT NOT NULL,
    trustee      BIGINT NOT NULL,
    message      TEXT NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (chamber_code, step, trustee)
);

CREATE TABLE tally_closures (
    scrutin_id TEXT PRIMARY KEY,
    closed_at  TIMESTAMPTZ NOT NULL,
    closed_by  TEXT NOT NULL
);
