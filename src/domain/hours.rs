//! A store's opening hours: weekly openings on Seoul's clock
//! (`seoul_time`), holiday closures, and whether it is open at a moment,
//! or when it opens next.
//!
//! An opening belongs to the day it starts on: `{"day":"FRI","open":"18:00",
//! "close":"02:00"}` is Friday 18:00 to Saturday 02:00 (a close at or
//! before the open means after midnight; `00:00`–`00:00` is the whole day).
//! A closed date cancels the openings that start on it, not one that ran
//! into it from the evening before.

use super::error::DomainError;
use super::seoul_time;
use super::time::Timestamp;
use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Weekday};
use chrono_tz::Asia::Seoul;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Most openings a week may list, and most closed dates.
pub const MAX_OPENINGS: usize = 28;
pub const MAX_CLOSED_DATES: usize = 366;
/// How far ahead the next opening is looked for, in days (a store closed
/// longer shows none).
const LOOK_AHEAD_DAYS: u64 = 400;

/// A day of the week, as the API spells it (`MON` … `SUN`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Day {
    fn of(weekday: Weekday) -> Day {
        match weekday {
            Weekday::Mon => Day::Mon,
            Weekday::Tue => Day::Tue,
            Weekday::Wed => Day::Wed,
            Weekday::Thu => Day::Thu,
            Weekday::Fri => Day::Fri,
            Weekday::Sat => Day::Sat,
            Weekday::Sun => Day::Sun,
        }
    }
}

/// A time of day on Seoul's clock, `HH:MM` (00:00–23:59), kept as minutes
/// since midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime(u16);

impl ClockTime {
    /// `hh:mm`; `None` outside 00:00–23:59.
    pub fn new(hour: u16, minute: u16) -> Option<ClockTime> {
        (hour < 24 && minute < 60).then_some(ClockTime(hour * 60 + minute))
    }

    fn parse(text: &str) -> Option<ClockTime> {
        let (h, m) = text.split_once(':')?;
        if h.len() != 2 || m.len() != 2 {
            return None;
        }
        ClockTime::new(h.parse().ok()?, m.parse().ok()?)
    }

    fn time(self) -> NaiveTime {
        // Invariant: 0 <= self.0 < 1440, checked by `new`.
        NaiveTime::from_hms_opt(u32::from(self.0 / 60), u32::from(self.0 % 60), 0)
            .unwrap_or_default()
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// In the API's contract: `HH:MM`, 00:00–23:59, Seoul's clock.
impl utoipa::PartialSchema for ClockTime {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^([01][0-9]|2[0-3]):[0-5][0-9]$"))
            .description(Some("A time of day on Seoul's clock (Asia/Seoul), `HH:MM`"))
            .into()
    }
}

impl utoipa::ToSchema for ClockTime {}

impl Serialize for ClockTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        ClockTime::parse(&text)
            .ok_or_else(|| de::Error::custom(format!("{text:?} is not a time HH:MM (00:00–23:59)")))
    }
}

/// One opening: on `day` from `open` until `close` (the next day when
/// `close` is not after `open`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Opening {
    pub day: Day,
    pub open: ClockTime,
    pub close: ClockTime,
}

impl Opening {
    /// Its start and end on `date` (a date it falls on), on Seoul's clock.
    fn on(&self, date: NaiveDate) -> (NaiveDateTime, NaiveDateTime) {
        let start = date.and_time(self.open.time());
        let end_date = if self.close > self.open {
            date
        } else {
            date + Days::new(1)
        };
        (start, end_date.and_time(self.close.time()))
    }
}

/// A store's week and its closed dates (`PUT /stores/{id}/hours`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OpeningHours {
    pub weekly: Vec<Opening>,
    /// Holidays, `YYYY-MM-DD` on Seoul's calendar.
    #[serde(default)]
    #[schema(value_type = Vec<String>, format = Date)]
    pub closed_dates: Vec<NaiveDate>,
}

/// Whether a store is open at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Open {
    Now,
    /// Closed, opening next at that moment (`None`: no opening within 400
    /// days).
    Closed {
        next: Option<Timestamp>,
    },
}

impl OpeningHours {
    /// Checks hours about to be set.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.weekly.len() > MAX_OPENINGS {
            return Err(DomainError::Invalid {
                field: "weekly",
                reason: format!("must list at most {MAX_OPENINGS} openings"),
            });
        }
        if self.closed_dates.len() > MAX_CLOSED_DATES {
            return Err(DomainError::Invalid {
                field: "closedDates",
                reason: format!("must list at most {MAX_CLOSED_DATES} dates"),
            });
        }
        Ok(())
    }

    /// Whether the store is open at `at`, else when it opens next.
    pub fn at(&self, at: Timestamp) -> Open {
        let now = seoul_time::in_seoul(at).naive_local();
        let today = now.date();
        // An opening that started yesterday may still run.
        let started = [today - Days::new(1), today];
        let open_now = started.iter().any(|&date| {
            self.openings_on(date)
                .any(|(start, end)| start <= now && now < end)
        });
        if open_now {
            return Open::Now;
        }
        let next = (0..LOOK_AHEAD_DAYS)
            .map(|n| today + Days::new(n))
            .find_map(|date| {
                self.openings_on(date)
                    .map(|(start, _)| start)
                    .filter(|start| *start > now)
                    .min()
            })
            .and_then(seoul_instant);
        Open::Closed { next }
    }

    /// The openings that start on `date`, unless it is a closed date.
    fn openings_on(
        &self,
        date: NaiveDate,
    ) -> impl Iterator<Item = (NaiveDateTime, NaiveDateTime)> + '_ {
        let day = Day::of(date.weekday());
        let closed = self.closed_dates.contains(&date);
        self.weekly
            .iter()
            .filter(move |o| !closed && o.day == day)
            .map(move |o| o.on(date))
    }
}

/// A moment given on Seoul's clock (KST has no gaps or overlaps since 1988).
fn seoul_instant(local: NaiveDateTime) -> Option<Timestamp> {
    let at = Seoul.from_local_datetime(&local).single()?;
    u64::try_from(at.timestamp_millis()).ok().map(Timestamp)
}

/// `at` as Seoul's time of day, for a refusal's message.
pub fn describe(at: Timestamp) -> String {
    let local = seoul_time::in_seoul(at);
    format!(
        "{} {:02}:{:02} (Seoul)",
        local.format("%Y-%m-%d"),
        local.hour(),
        local.minute()
    )
}

#[cfg(test)]
#[path = "hours_tests.rs"]
mod tests;
