-- Control interface (admin-core): authorised users, their sessions, and the notifications
-- shown to commissions (R-12, R-54, R-70, R-71). Registry store: no voter data here.
CREATE TABLE admin_users (
    id                 TEXT PRIMARY KEY,
    email              TEXT NOT NULL UNIQUE,
    last_name          TEXT NOT NULL,
    first_name         TEXT NOT NULL,
    role               TEXT NOT NULL,
    perimeter          TEXT NOT NULL,
    password_hash      TEXT,
    totp_secret        BYTEA,
    totp_confirmed     BOOLEAN NOT NULL DEFAULT FALSE,
    totp_last_step     BIGINT NOT NULL DEFAULT 0,
    failures           BIGINT NOT NULL DEFAULT 0,
    locked_until       TIMESTAMPTZ,
    activation_hash    BYTEA UNIQUE,
    activation_expires TIMESTAMPTZ,
    disabled           BOOLEAN NOT NULL DEFAULT FALSE,
    origin             TEXT NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL
);

CREATE TABLE admin_sessions (
    token_hash BYTEA PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES admin_users (id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    last_seen  TIMESTAMPTZ NOT NULL
);
CREATE INDEX admin_sessions_by_user ON admin_sessions (user_id);

CREATE TABLE admin_notifications (
    id           TEXT PRIMARY KEY,
    chamber_code TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    kind         TEXT NOT NULL,
    message      TEXT NOT NULL,
    actor        TEXT NOT NULL
);
CREATE INDEX admin_notifications_by_chamber ON admin_notifications (chamber_code, created_at);

CREATE TABLE admin_notification_reads (
    notification_id TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    PRIMARY KEY (notification_id, user_id)
);
