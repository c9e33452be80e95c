//! Seoul's wall clock (`Asia/Seoul`, KST, UTC+9 with no daylight saving
//! since 1988), from the tz database through `chrono-tz`: never the
//! server's own zone. Store hours and the times in notifications use it.

use super::time::Timestamp;
use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::{Asia::Seoul, Tz};

/// `at` on Seoul's clock.
pub fn in_seoul(at: Timestamp) -> DateTime<Tz> {
    // Invariant: every u64 of milliseconds we keep is far inside chrono's
    // range (±262,000 years); a value outside it reads as the epoch.
    let utc = Utc
        .timestamp_millis_opt(i64::try_from(at.0).unwrap_or(0))
        .single()
        .unwrap_or_default();
    utc.with_timezone(&Seoul)
}

/// `at` as Seoul's `HH:MM` (24-hour), for a notification.
pub fn hhmm(at: Timestamp) -> String {
    in_seoul(at).format("%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seoul_is_nine_hours_ahead_of_utc_all_year() {
        // 2026-11-30T15:30:00Z and 2026-07-01T15:30:00Z: no summer time.
        assert_eq!(hhmm(Timestamp(1_796_052_600_000)), "00:30");
        assert_eq!(hhmm(Timestamp(1_782_919_800_000)), "00:30");
    }
}
