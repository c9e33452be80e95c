//! Time promised to the customer: how long the store has to accept an
//! order, when the food will be ready, and when it will arrive (ETA).
//!
//! The ETA is the ready time plus the rider's travel time; after pick-up,
//! the time from the rider's reported location. Travel time assumes
//! [`RIDER_KMH`] over roads [`ROAD_FACTOR`] times the straight line.

use super::geo::LatLon;
use super::time::Timestamp;
use serde::{Deserialize, Serialize};

/// A delivery rider's average speed through Seoul traffic, in km/h,
/// stops and lights included: a planning figure for a motorbike in a
/// dense city, not a measurement.
pub const RIDER_KMH: f64 = 20.0;
/// Road distance per straight-line km (a detour index for a dense street
/// grid; straight-line distance is all the gazetteer gives).
pub const ROAD_FACTOR: f64 = 1.3;
/// The most a store may push its ready time back, in minutes, and the
/// least.
pub const DELAY_MINUTES: std::ops::RangeInclusive<u32> = 5..=60;

const MINUTE_MS: u64 = 60_000;

/// What an order took from its store at checkout: how long the store has
/// to accept it and how it accepts (since schema 6; older orders have
/// none, and no deadline).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AcceptTerms {
    /// Seconds from placement until the system cancels it, not accepted.
    pub within_secs: u32,
    /// The cooking time an accept naming none promises, in minutes.
    pub default_cooking_minutes: u32,
    /// The store accepts every order at once, with the default time.
    pub auto_accept: bool,
}

impl AcceptTerms {
    /// When an order placed at `placed` must be accepted by.
    pub fn deadline(&self, placed: Timestamp) -> Timestamp {
        placed.plus_ms(u64::from(self.within_secs) * 1000)
    }

    /// When the store is reminded: half-way to the deadline.
    pub fn reminder(&self, placed: Timestamp) -> Timestamp {
        placed.plus_ms(u64::from(self.within_secs) * 500)
    }
}

/// A rider's travel time over `km` of straight line, in whole minutes
/// (rounded up).
pub fn travel_minutes(km: f64) -> u64 {
    let minutes = km.max(0.0) * ROAD_FACTOR / RIDER_KMH * 60.0;
    minutes.ceil() as u64
}

/// When food ready at `ready_by` at `pickup` reaches `dropoff`.
pub fn estimated_delivery(ready_by: Timestamp, pickup: LatLon, dropoff: LatLon) -> Timestamp {
    ready_by.plus_ms(travel_minutes(pickup.distance_km(&dropoff)) * MINUTE_MS)
}

/// When a rider at `rider` at `now` reaches `dropoff` (after pick-up).
pub fn estimated_arrival(now: Timestamp, rider: LatLon, dropoff: LatLon) -> Timestamp {
    now.plus_ms(travel_minutes(rider.distance_km(&dropoff)) * MINUTE_MS)
}

/// `minutes` from `at`.
pub fn after_minutes(at: Timestamp, minutes: u32) -> Timestamp {
    at.plus_ms(u64::from(minutes) * MINUTE_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn travel_is_road_distance_at_the_rider_speed_rounded_up() {
        assert_eq!(travel_minutes(0.0), 0);
        // 1 km straight is 1.3 km of road: 3.9 minutes at 20 km/h.
        assert_eq!(travel_minutes(1.0), 4);
        assert_eq!(travel_minutes(5.0), 20, "19.5 minutes, rounded up");
        assert_eq!(travel_minutes(-1.0), 0);
    }

    #[test]
    fn the_eta_is_the_ready_time_plus_the_ride() {
        let store = LatLon {
            lat: 37.5,
            lon: 127.0,
        };
        let home = LatLon {
            lat: 37.509,
            lon: 127.0,
        }; // about 1 km north
        let ready = Timestamp(1_000_000);
        assert_eq!(
            estimated_delivery(ready, store, home),
            Timestamp(1_000_000 + 4 * 60_000)
        );
        assert_eq!(estimated_arrival(ready, home, home), ready);
    }

    #[test]
    fn the_reminder_is_half_way_to_the_deadline() {
        let terms = AcceptTerms {
            within_secs: 600,
            default_cooking_minutes: 20,
            auto_accept: false,
        };
        assert_eq!(terms.deadline(Timestamp(0)), Timestamp(600_000));
        assert_eq!(terms.reminder(Timestamp(0)), Timestamp(300_000));
    }
}
