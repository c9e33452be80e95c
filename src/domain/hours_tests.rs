use super::*;
use chrono::Utc;

/// `y-m-d h:min` in Seoul, computed as UTC minus nine hours (KST has been
/// UTC+9 all year since 1988), not through the tz database under test.
fn kst(y: i32, m: u32, d: u32, h: u32, min: u32) -> Timestamp {
    let utc = Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap();
    Timestamp((utc.timestamp_millis() - 9 * 3_600_000) as u64)
}

fn at(h: u16, m: u16) -> ClockTime {
    ClockTime::new(h, m).unwrap()
}

fn every_day(open: ClockTime, close: ClockTime) -> OpeningHours {
    let days = [
        Day::Mon,
        Day::Tue,
        Day::Wed,
        Day::Thu,
        Day::Fri,
        Day::Sat,
        Day::Sun,
    ];
    OpeningHours {
        weekly: days
            .iter()
            .map(|&day| Opening { day, open, close })
            .collect(),
        closed_dates: vec![],
    }
}

#[test]
fn open_from_the_opening_to_just_before_the_close() {
    let hours = every_day(at(10, 0), at(22, 0));
    // 2026-12-01 is a Tuesday.
    assert_eq!(hours.at(kst(2026, 12, 1, 10, 0)), Open::Now);
    assert_eq!(hours.at(kst(2026, 12, 1, 21, 59)), Open::Now);
    assert_eq!(
        hours.at(kst(2026, 12, 1, 9, 59)),
        Open::Closed {
            next: Some(kst(2026, 12, 1, 10, 0))
        }
    );
    assert_eq!(
        hours.at(kst(2026, 12, 1, 22, 0)),
        Open::Closed {
            next: Some(kst(2026, 12, 2, 10, 0))
        },
        "the close is not open"
    );
}

#[test]
fn a_close_before_the_open_runs_past_midnight_into_the_next_day() {
    let hours = OpeningHours {
        weekly: vec![Opening {
            day: Day::Fri,
            open: at(18, 0),
            close: at(2, 0),
        }],
        closed_dates: vec![],
    };
    // Friday 2026-12-04 evening and Saturday's small hours.
    assert_eq!(hours.at(kst(2026, 12, 4, 23, 30)), Open::Now);
    assert_eq!(hours.at(kst(2026, 12, 5, 1, 59)), Open::Now);
    assert_eq!(
        hours.at(kst(2026, 12, 5, 2, 0)),
        Open::Closed {
            next: Some(kst(2026, 12, 11, 18, 0))
        }
    );
    // Friday morning is not open: the opening starts in the evening.
    assert!(matches!(
        hours.at(kst(2026, 12, 4, 1, 0)),
        Open::Closed { .. }
    ));
}

#[test]
fn midnight_to_midnight_is_the_whole_day() {
    let hours = every_day(at(0, 0), at(0, 0));
    for h in [0, 7, 23] {
        assert_eq!(hours.at(kst(2026, 12, 1, h, 59)), Open::Now, "{h}");
    }
}

#[test]
fn a_closed_date_cancels_its_openings_but_not_the_night_before() {
    let mut hours = every_day(at(18, 0), at(2, 0));
    hours.closed_dates = vec![NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()];
    // Christmas Eve's opening runs into Christmas night.
    assert_eq!(hours.at(kst(2026, 12, 25, 1, 0)), Open::Now);
    assert_eq!(
        hours.at(kst(2026, 12, 25, 19, 0)),
        Open::Closed {
            next: Some(kst(2026, 12, 26, 18, 0))
        }
    );
}

#[test]
fn seoul_has_no_summer_time() {
    let hours = every_day(at(10, 0), at(22, 0));
    // 2026-07-01 10:00 KST is 01:00 UTC, as in winter.
    assert_eq!(hours.at(kst(2026, 7, 1, 10, 0)), Open::Now);
    assert_eq!(kst(2026, 7, 1, 10, 0).0 % 86_400_000, 3_600_000);
    assert!(matches!(
        hours.at(kst(2026, 7, 1, 9, 59)),
        Open::Closed { .. }
    ));
}

#[test]
fn no_openings_means_no_next_opening() {
    let hours = OpeningHours {
        weekly: vec![],
        closed_dates: vec![],
    };
    assert_eq!(
        hours.at(kst(2026, 12, 1, 12, 0)),
        Open::Closed { next: None }
    );
}

#[test]
fn times_and_days_read_as_the_api_writes_them() {
    let json =
        r#"{"weekly":[{"day":"MON","open":"10:00","close":"02:00"}],"closedDates":["2026-12-25"]}"#;
    let hours: OpeningHours = serde_json::from_str(json).unwrap();
    assert_eq!(hours.weekly[0].close, at(2, 0));
    assert_eq!(serde_json::to_string(&hours).unwrap(), json);
    for bad in ["24:00", "9:00", "10:60", "ten"] {
        let json = format!(r#"{{"weekly":[{{"day":"MON","open":"{bad}","close":"02:00"}}]}}"#);
        let err = serde_json::from_str::<OpeningHours>(&json).unwrap_err();
        assert!(err.to_string().contains("HH:MM"), "{bad}: {err}");
    }
    assert!(serde_json::from_str::<OpeningHours>(
        r#"{"weekly":[{"day":"MONDAY","open":"10:00","close":"11:00"}]}"#
    )
    .is_err());
    let describe = describe(kst(2026, 12, 1, 9, 5));
    assert_eq!(describe, "2026-12-01 09:05 (Seoul)");
}
