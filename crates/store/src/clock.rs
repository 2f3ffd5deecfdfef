//! Time source of the stores and servers: UTC in storage, injected so tests can move time
//! (epochs close after 5 minutes; scrutins open and close at given instants).

use std::sync::Arc;
use std::sync::Mutex;

use chrono::{DateTime, Duration, SubsecRound, Utc};

/// A source of the current instant.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant, in UTC, truncated to the microsecond (what both databases keep).
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(6)
    }
}

/// A clock that only moves when told to: for tests and benches.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    /// A clock stopped at `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        ManualClock(Arc::new(Mutex::new(at.trunc_subsecs(6))))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t += by;
    }

    /// Sets the clock.
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at.trunc_subsecs(6);
    }

    /// The clock's instant (same as [`Clock::now`], without importing the trait).
    pub fn now_for_tests(&self) -> DateTime<Utc> {
        self.now()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Shared clock handle.
pub type SharedClock = Arc<dyn Clock>;

/// Paris time, for display and for the opening and closing instants.
pub fn to_paris(t: DateTime<Utc>) -> DateTime<chrono_tz::Tz> {
    t.with_timezone(&chrono_tz::Europe::Paris)
}

/// RFC 3339 in Paris time, second precision: `2026-12-03T00:00:00+01:00`.
pub fn paris_rfc3339(t: DateTime<Utc>) -> String {
    to_paris(t).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// A French sentence for voters: `le 3 décembre 2026 à 00:00 (heure de Paris)`.
pub fn paris_text(t: DateTime<Utc>, with_seconds: bool) -> String {
    use chrono::{Datelike, Timelike};
    const MONTHS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let p = to_paris(t);
    let day = if p.day() == 1 {
        "1er".to_string()
    } else {
        p.day().to_string()
    };
    let month = MONTHS[p.month0() as usize];
    if with_seconds {
        format!(
            "le {day} {month} {} à {:02}:{:02}:{:02} (heure de Paris)",
            p.year(),
            p.hour(),
            p.minute(),
            p.second()
        )
    } else {
        format!(
            "le {day} {month} {} à {:02}:{:02} (heure de Paris)",
            p.year(),
            p.hour(),
            p.minute()
        )
    }
}

/// Midnight Paris time at the end of the given Paris date (R-82: closing at midnight).
pub fn paris_midnight_after(date: chrono::NaiveDate) -> Option<DateTime<Utc>> {
    use chrono::TimeZone;
    let next = date.succ_opt()?.and_hms_opt(0, 0, 0)?;
    chrono_tz::Europe::Paris
        .from_local_datetime(&next)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// Truncates a duration-based instant computation to what storage keeps.
pub(crate) fn plus(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    (t + d).trunc_subsecs(6)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn paris_display_follows_daylight_saving() {
        let winter = Utc.with_ymd_and_hms(2026, 12, 2, 23, 0, 0).unwrap();
        assert_eq!(paris_rfc3339(winter), "2026-12-03T00:00:00+01:00");
        assert_eq!(
            paris_text(winter, false),
            "le 3 décembre 2026 à 00:00 (heure de Paris)"
        );
        let summer = Utc.with_ymd_and_hms(2026, 7, 1, 8, 30, 5).unwrap();
        assert_eq!(paris_rfc3339(summer), "2026-07-01T10:30:05+02:00");
        assert_eq!(
            paris_text(summer, true),
            "le 1er juillet 2026 à 10:30:05 (heure de Paris)"
        );
    }

    #[test]
    fn closing_is_midnight_paris() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(
            paris_midnight_after(d).unwrap(),
            Utc.with_ymd_and_hms(2026, 12, 2, 23, 0, 0).unwrap()
        );
    }
}
