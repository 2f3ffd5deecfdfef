//! Scrutins (ballot boxes) as the registry keeps them, and the state voters see.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The state an administrator set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoredState {
    /// Being prepared; not opened by the commission yet.
    Draft,
    /// Opened: voters may vote between the opening and closing instants.
    Open,
    /// Suspended by the commission, with a message for voters.
    Suspended,
    /// Closed for good.
    Closed,
}

impl StoredState {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            StoredState::Draft => "draft",
            StoredState::Open => "open",
            StoredState::Suspended => "suspended",
            StoredState::Closed => "closed",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<StoredState> {
        Some(match s {
            "draft" => StoredState::Draft,
            "open" => StoredState::Open,
            "suspended" => StoredState::Suspended,
            "closed" => StoredState::Closed,
            _ => return None,
        })
    }
}

/// What voters see: computed from the stored state and the instants, so a scrutin closes by
/// itself at its closing instant (midnight Paris time, R-82).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScrutinState {
    /// Before opening (or not opened by the commission).
    NotOpenYet,
    /// Voting is possible.
    Open,
    /// Suspended.
    Suspended,
    /// After closing.
    Closed,
}

/// One scrutin as stored in the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scrutin {
    /// Stable identifier, e.g. `181-C` or `181-S-2`.
    pub id: String,
    /// Chamber code (3 digits).
    pub chamber_code: String,
    /// Chamber label.
    pub chamber_label: String,
    /// Category code (C, I, S).
    pub category: String,
    /// Sub-category code, if any.
    pub sub_category: Option<String>,
    /// Label shown to voters.
    pub label: String,
    /// State set by the commission.
    pub state: StoredState,
    /// Message for voters while suspended.
    pub message: Option<String>,
    /// Opening instant (UTC).
    pub opens_at: DateTime<Utc>,
    /// Closing instant (UTC).
    pub closes_at: DateTime<Utc>,
    /// The ballot sheet shown to voters (JSON text, see `specs/api.md` §4).
    pub sheet: String,
    /// The `scrutin-crypto` ballot style (JSON text, protocol §3).
    pub ballot_style: String,
}

impl Scrutin {
    /// The state voters see at `now`.
    pub fn state_at(&self, now: DateTime<Utc>) -> ScrutinState {
        match self.state {
            StoredState::Closed => ScrutinState::Closed,
            _ if now >= self.closes_at => ScrutinState::Closed,
            StoredState::Suspended => ScrutinState::Suspended,
            StoredState::Draft => ScrutinState::NotOpenYet,
            StoredState::Open if now < self.opens_at => ScrutinState::NotOpenYet,
            StoredState::Open => ScrutinState::Open,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn state_follows_instants_and_commission() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 26, 8, 0, 0).unwrap();
        let mut s = Scrutin {
            id: "181-C".into(),
            chamber_code: "181".into(),
            chamber_label: "CCI".into(),
            category: "C".into(),
            sub_category: None,
            label: "Commerce".into(),
            state: StoredState::Draft,
            message: None,
            opens_at: t0,
            closes_at: t0 + Duration::days(7),
            sheet: "{}".into(),
            ballot_style: "{}".into(),
        };
        assert_eq!(s.state_at(t0), ScrutinState::NotOpenYet);
        s.state = StoredState::Open;
        assert_eq!(
            s.state_at(t0 - Duration::seconds(1)),
            ScrutinState::NotOpenYet
        );
        assert_eq!(s.state_at(t0), ScrutinState::Open);
        assert_eq!(s.state_at(t0 + Duration::days(7)), ScrutinState::Closed);
        s.state = StoredState::Suspended;
        assert_eq!(s.state_at(t0 + Duration::days(1)), ScrutinState::Suspended);
        s.state = StoredState::Closed;
        assert_eq!(s.state_at(t0 + Duration::days(1)), ScrutinState::Closed);
    }
}
