-- Key ceremony and tally (admin-tally): the trustees' public ceremony messages relayed by the
-- server (protocol §7), the published election key of each COE, and the close of tallying
-- of each scrutin (R-64). Public data only: no trustee secret ever reaches the server.
CREATE TABLE ceremonies (
    chamber_code      TEXT PRIMARY KEY NOT NULL,
    -- changes at each new attempt, so a trustee's saved state of an abandoned attempt
    -- cannot be used in the next one
    key_id            TEXT NOT NULL,
    attempt           INTEGER NOT NULL,
    -- scrutin-crypto's DkgParameters as JSON
    parameters        TEXT NOT NULL,
    -- open | complete
    status            TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    -- the joint key Y (32 bytes) once the transcript is complete and verified
    public_key        BLOB,
    -- DkgOutcome as JSON
    outcome           TEXT,
    transcript_digest BLOB,
    completed_at      TEXT
) STRICT;

-- Trustee i of a chamber's ceremony is this user of the control interface.
CREATE TABLE ceremony_trustees (
    chamber_code TEXT NOT NULL,
    trustee      INTEGER NOT NULL,
    user_id      TEXT NOT NULL,
    PRIMARY KEY (chamber_code, trustee),
    UNIQUE (chamber_code, user_id)
) STRICT;

-- announcement | dealing | check | confirmation, one per trustee and step.
CREATE TABLE ceremony_messages (
    chamber_code TEXT NOT NULL,
    step         TEXT NOT NULL,
    trustee      INTEGER NOT NULL,
    message      TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    PRIMARY KEY (chamber_code, step, trustee)
) STRICT;

CREATE TABLE tally_closures (
    scrutin_id TEXT PRIMARY KEY NOT NULL,
    closed_at  TEXT NOT NULL,
    closed_by  TEXT NOT NULL
) STRICT;
