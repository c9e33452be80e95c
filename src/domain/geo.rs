//! Points on the earth and distances between them.

use super::error::DomainError;
use serde::{Deserialize, Serialize};

/// The earth's radius in kilometres: the IUGG mean radius of the WGS 84
/// ellipsoid, R1 = (2a + b) / 3. Distances treat the earth as a sphere of
/// this radius, and so must anything that turns kilometres into degrees
/// (the nearby search's grid), or the two disagree near a search's edge.
pub(crate) const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A latitude/longitude pair in degrees.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

impl LatLon {
    /// A checked point: finite, latitude within ±90 and longitude within ±180.
    pub fn new(lat: f64, lon: f64) -> Result<Self, DomainError> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(DomainError::Invalid {
                field: "lat",
                reason: "must be a latitude between -90 and 90".into(),
            });
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(DomainError::Invalid {
                field: "lon",
                reason: "must be a longitude between -180 and 180".into(),
            });
        }
        Ok(LatLon { lat, lon })
    }

    /// Great-circle distance in kilometres (haversine).
    pub fn distance_km(&self, other: &LatLon) -> f64 {
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lon - self.lon).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
    }
}

/// Rounds a distance for display (10 m precision).
pub fn round_km(km: f64) -> f64 {
    (km * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn seoul_city_hall_to_gangnam_station() {
        let city_hall = LatLon::new(37.5663, 126.9779).unwrap();
        let gangnam = LatLon::new(37.4979, 127.0276).unwrap();
        let d = city_hall.distance_km(&gangnam);
        assert!((8.4..8.9).contains(&d), "{d}");
    }

    #[test]
    fn seoul_to_busan_is_about_325_km() {
        let seoul = LatLon::new(37.5665, 126.978).unwrap();
        let busan = LatLon::new(35.1796, 129.0756).unwrap();
        let d = seoul.distance_km(&busan);
        assert!((320.0..330.0).contains(&d), "{d}");
    }

    #[test]
    fn refuses_out_of_range_points() {
        assert!(LatLon::new(91.0, 0.0).is_err());
        assert!(LatLon::new(0.0, -180.5).is_err());
        assert!(LatLon::new(f64::NAN, 0.0).is_err());
        assert!(LatLon::new(0.0, f64::INFINITY).is_err());
    }

    proptest! {
        #[test]
        fn distance_is_symmetric_and_non_negative(
            a in -89.0f64..89.0, b in -179.0f64..179.0, c in -89.0f64..89.0, d in -179.0f64..179.0
        ) {
            let p = LatLon::new(a, b).unwrap();
            let q = LatLon::new(c, d).unwrap();
            let pq = p.distance_km(&q);
            prop_assert!(pq >= 0.0);
            prop_assert!((pq - q.distance_km(&p)).abs() < 1e-6);
            prop_assert!(p.distance_km(&p) < 1e-9);
        }
    }
}
