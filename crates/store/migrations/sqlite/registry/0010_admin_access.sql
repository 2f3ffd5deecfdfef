-- Control interface (admin-core): authorised users, their sessions, and the notifications
-- shown to commissions (R-12, R-54, R-70, R-71). Registry store: no voter data here.
CREATE TABLE admin_users (
    id                 TEXT PRIMARY KEY NOT NULL,
    -- lowercase; one account per address
    email              TEXT NOT NULL UNIQUE,
    last_name          TEXT NOT NULL,
    first_name         TEXT NOT NULL,
    role               TEXT NOT NULL,
    -- 'NATIONAL' or chamber codes separated by commas
    perimeter          TEXT NOT NULL,
    -- Argon2id PHC string; NULL until the user chose a password
    password_hash      TEXT,
    -- RFC 6238 secret; confirmed once a first code was accepted
    totp_secret        BLOB,
    totp_confirmed     INTEGER NOT NULL DEFAULT 0,
    -- last accepted time step: a code is accepted once
    totp_last_step     INTEGER NOT NULL DEFAULT 0,
    failures           INTEGER NOT NULL DEFAULT 0,
    locked_until       TEXT,
    -- SHA-256 of the one-time activation token
    activation_hash    BLOB UNIQUE,
    activation_expires TEXT,
    disabled           INTEGER NOT NULL DEFAULT 0,
    -- 'file' (authorised-users file) or 'interface'
    origin             TEXT NOT NULL,
    created_at         TEXT NOT NULL
) STRICT;

CREATE TABLE admin_sessions (
    -- SHA-256 of the cookie's token: a stolen database gives no usable session
    token_hash BLOB PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES admin_users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    last_seen  TEXT NOT NULL
) STRICT;
CREATE INDEX admin_sessions_by_user ON admin_sessions (user_id);

CREATE TABLE admin_notifications (
    id           TEXT PRIMARY KEY NOT NULL,
    chamber_code TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    kind         TEXT NOT NULL,
    message      TEXT NOT NULL,
    actor        TEXT NOT NULL
) STRICT;
CREATE INDEX admin_notifications_by_chamber ON admin_notifications (chamber_code, created_at);

CREATE TABLE admin_notification_reads (
    notification_id TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    PRIMARY KEY (notification_id, user_id)
) STRICT;
