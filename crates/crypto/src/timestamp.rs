//! RFC 3339 times as the signed objects carry them.
//!
//! The crate has no clock: callers pass the time as a string. It must be a UTC time in the
//! strict form `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (RFC 3339 with an upper-case `T` and `Z`,
//! 1 to 9 fraction digits), so that every instant signed by the platform has one spelling
//! per precision and can be compared without a time-zone database. `specs/protocol.md` §10.

use core::cmp::Ordering;

use crate::error::{CryptoError, Result};

/// A parsed, validated UTC time; ordered chronologically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Timestamp {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    nanos: u32,
}

impl Timestamp {
    /// Parses the strict UTC form, refusing anything else with the reason.
    pub fn parse(s: &str) -> Result<Timestamp> {
        let bad = |why: &str| CryptoError::invalid(format!("time {s:?}: {why}"));
        let b = s.as_bytes();
        if b.len() < 20 {
            return Err(bad("expected YYYY-MM-DDTHH:MM:SSZ"));
        }
        let digits = |range: core::ops::Range<usize>| -> Result<u32> {
            b[range.clone()].iter().try_fold(0u32, |acc, &c| {
                if c.is_ascii_digit() {
                    Ok(acc * 10 + u32::from(c - b'0'))
                } else {
                    Err(bad("expected a digit"))
                }
            })
        };
        let sep = |i: usize, c: u8| -> Result<()> {
            if b[i] == c {
                Ok(())
            } else {
                Err(bad(&format!(
                    "expected '{}' at position {}",
                    c as char,
                    i + 1
                )))
            }
        };
        let year = digits(0..4)?;
        sep(4, b'-')?;
        let month = digits(5..7)?;
        sep(7, b'-')?;
        let day = digits(8..10)?;
        sep(10, b'T')?;
        let hour = digits(11..13)?;
        sep(13, b':')?;
        let minute = digits(14..16)?;
        sep(16, b':')?;
        let second = digits(17..19)?;
        let mut nanos = 0u32;
        let mut i = 19;
        if b[i] == b'.' {
            let start = i + 1;
            let mut end = start;
            while end < b.len() && b[end].is_ascii_digit() {
                end += 1;
            }
            let n = end - start;
            if n == 0 || n > 9 {
                return Err(bad("the fraction of a second needs 1 to 9 digits"));
            }
            nanos = digits(start..end)? * 10u32.pow(u32::try_from(9 - n).unwrap_or(0));
            i = end;
        }
        if i + 1 != b.len() || b[i] != b'Z' {
            return Err(bad("expected the UTC designator 'Z' at the end"));
        }
        if !(1..=12).contains(&month) {
            return Err(bad("month out of range"));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(bad("day out of range"));
        }
        // 23:59:60 is refused: the platform's clocks smear leap seconds.
        if hour > 23 || minute > 59 || second > 59 {
            return Err(bad("time of day out of range"));
        }
        let narrow = |v: u32| u8::try_from(v).map_err(|_| bad("field out of range"));
        Ok(Timestamp {
            year: u16::try_from(year).map_err(|_| bad("year out of range"))?,
            month: narrow(month)?,
            day: narrow(day)?,
            hour: narrow(hour)?,
            minute: narrow(minute)?,
            second: narrow(second)?,
            nanos,
        })
    }

    fn key(&self) -> (u16, u8, u8, u8, u8, u8, u32) {
        (
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            self.nanos,
        )
    }
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_strict_utc_forms() {
        assert!(Timestamp::parse("2026-03-12T08:00:00Z").is_ok());
        assert!(Timestamp::parse("2024-02-29T23:59:59.123456789Z").is_ok());
        assert!(Timestamp::parse("2026-03-12T08:00:00.5Z").is_ok());
    }

    #[test]
    fn refuses_other_forms() {
        for s in [
            "2026-03-12 08:00:00Z",
            "2026-03-12T08:00:00+01:00",
            "2026-03-12T08:00:00z",
            "2026-03-12T08:00:00",
            "2026-02-29T08:00:00Z",
            "2026-13-01T08:00:00Z",
            "2026-03-12T24:00:00Z",
            "2026-03-12T08:00:60Z",
            "2026-03-12T08:00:00.Z",
            "2026-03-12T08:00:00.1234567890Z",
            "2026-03-12T08:00:00ZZ",
            "٢٠٢٦-03-12T08:00:00Z",
        ] {
            assert!(Timestamp::parse(s).is_err(), "{s} accepted");
        }
    }

    #[test]
    fn orders_chronologically_across_precisions() {
        let a = Timestamp::parse("2026-03-12T08:00:00.5Z").unwrap();
        let b = Timestamp::parse("2026-03-12T08:00:00.49Z").unwrap();
        let c = Timestamp::parse("2026-03-12T08:00:00.500Z").unwrap();
        assert!(b < a);
        assert_eq!(a.cmp(&c), Ordering::Equal);
    }
}
