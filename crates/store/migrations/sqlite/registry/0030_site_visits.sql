-- Anonymous usage indicator for CCI France (R-73): how many voter logins reached a full
-- session, per day (Paris time), nationally. Nothing else: no right, no chamber, no time of
-- day, so nothing here can be matched with a ballot or an émargement.
CREATE TABLE site_visits (
    day    TEXT PRIMARY KEY NOT NULL,
    logins INTEGER NOT NULL
);
