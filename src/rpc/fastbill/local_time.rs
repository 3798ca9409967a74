//! Naive datetimes in the tenant's time zone, as FastBill wrote them
//! (API.md section 8), to and from recur's UTC wire form.
//!
//! A local time that a DST change skips moves forward by the gap (02:30 on the
//! spring-forward night in Berlin is 03:30 CEST); one that occurs twice is
//! the first occurrence (CEST). Date-only values are local midnight.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// FastBill's time zone, and the default of every tenant.
pub const DEFAULT_ZONE: Tz = chrono_tz::Europe::Berlin;

/// The wire form of datetimes on both endpoints.
const FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// FastBill's "no date".
pub const UNSET: &str = "0000-00-00 00:00:00";

/// The tenant's zone by IANA name; an unknown or empty name is FastBill's zone.
pub fn zone(name: &str) -> Tz {
    name.trim().parse::<Tz>().unwrap_or(DEFAULT_ZONE)
}

/// A naive local datetime (`YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DDTHH:MM:SS` or
/// `YYYY-MM-DD`) as a UTC wire datetime; `None` when `text` is none of these
/// (an RFC 3339 value with an offset, or garbage, is left to the decoder).
pub fn to_utc(text: &str, zone: Tz) -> Option<String> {
    let text = text.trim();
    let naive = NaiveDateTime::parse_from_str(text, FORMAT)
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .ok()
        .or_else(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)))?;
    Some(resolve(naive, zone)?.format(FORMAT).to_string())
}

/// The instant a naive local time names in `zone` (see the module docs).
pub fn resolve(naive: NaiveDateTime, zone: Tz) -> Option<DateTime<Utc>> {
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(at) => Some(at.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
        LocalResult::None => {
            // In a gap: read it with the offset in force before the gap, which
            // lands the same distance after the change.
            let before = zone.from_local_datetime(&(naive - Duration::hours(3))).earliest()?;
            let offset = i64::from(before.offset().fix().local_minus_utc());
            Some((naive - Duration::seconds(offset)).and_utc())
        }
    }
}

/// A UTC wire datetime as the naive local time in `zone`; `None` when
/// `text` is not exactly a wire datetime.
pub fn from_utc(text: &str, zone: Tz) -> Option<String> {
    if text.len() != 19 {
        return None;
    }
    let at = NaiveDateTime::parse_from_str(text, FORMAT).ok()?.and_utc();
    Some(at.with_timezone(&zone).format(FORMAT).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn berlin_winter_and_summer_offsets() {
        assert_eq!(to_utc("2024-01-15 10:00:00", DEFAULT_ZONE).as_deref(), Some("2024-01-15 09:00:00"));
        assert_eq!(to_utc("2024-07-15 10:00:00", DEFAULT_ZONE).as_deref(), Some("2024-07-15 08:00:00"));
        assert_eq!(to_utc("2024-07-15", DEFAULT_ZONE).as_deref(), Some("2024-07-14 22:00:00"));
        assert_eq!(from_utc("2024-07-14 22:00:00", DEFAULT_ZONE).as_deref(), Some("2024-07-15 00:00:00"));
        assert_eq!(from_utc("2024-01-15 09:00:00", DEFAULT_ZONE).as_deref(), Some("2024-01-15 10:00:00"));
    }

    #[test]
    fn dst_gaps_move_forward_and_repeats_take_the_first() {
        // 2024-03-31 02:30 does not exist in Berlin: 03:30 CEST = 01:30 UTC.
        assert_eq!(to_utc("2024-03-31 02:30:00", DEFAULT_ZONE).as_deref(), Some("2024-03-31 01:30:00"));
        // 2024-10-27 02:30 happens twice: the first is CEST = 00:30 UTC.
        assert_eq!(to_utc("2024-10-27 02:30:00", DEFAULT_ZONE).as_deref(), Some("2024-10-27 00:30:00"));
    }

    #[test]
    fn other_texts_are_left_alone() {
        assert_eq!(to_utc("2024-01-15T10:00:00+02:00", DEFAULT_ZONE), None);
        assert_eq!(to_utc("soon", DEFAULT_ZONE), None);
        assert_eq!(from_utc("2024-01-15", DEFAULT_ZONE), None);
        assert_eq!(zone("Mars/Olympus"), DEFAULT_ZONE);
        assert_eq!(zone("America/New_York"), chrono_tz::America::New_York);
    }
}
