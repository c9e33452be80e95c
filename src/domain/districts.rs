//! The gazetteer of Seoul's 25 districts (구), to locate an address.

use super::error::DomainError;
use super::geo::LatLon;
use serde::Deserialize;
use std::sync::LazyLock;

/// One district with its centroid.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct District {
    /// Korean name, e.g. `강남구`.
    pub name: String,
    /// Official romanization, e.g. `Gangnam-gu`.
    pub romanized: String,
    pub lat: f64,
    pub lon: f64,
}

impl District {
    pub fn centroid(&self) -> LatLon {
        LatLon {
            lat: self.lat,
            lon: self.lon,
        }
    }
}

// The gazetteer ships inside the binary so that `cargo run` works from anywhere.
static SEOUL: LazyLock<Vec<District>> = LazyLock::new(|| {
    // Invariant: the embedded file is checked by the tests below.
    serde_json::from_str(include_str!("../../data/seoul_districts.json"))
        .expect("data/seoul_districts.json is valid")
});

/// All 25 districts of Seoul.
pub fn seoul() -> &'static [District] {
    &SEOUL
}

/// How far given coordinates may lie from the centroid of the district
/// their address names, or, naming none, from the nearest district's, in
/// km. Seoul's widest districts (서초구, 강서구) reach about 7 km from their
/// centroids; the test is coarse on purpose: it refuses a drop-off in
/// another city, never one a street past a district's boundary.
pub const NEAR_DISTRICT_KM: f64 = 8.0;

/// Where an address is: `lat`/`lon` when both are given (checked, and
/// near the district the address names, or within Seoul when it names
/// none), else the centroid of the Seoul district the address names. The
/// one rule for locating an order's drop-off and a store.
///
/// Errors: a latitude or longitude out of range, only one of the two,
/// coordinates far from the named district or outside Seoul, or no
/// coordinates and an address naming no district.
pub fn position(lat: Option<f64>, lon: Option<f64>, address: &str) -> Result<LatLon, DomainError> {
    match (lat, lon) {
        (Some(lat), Some(lon)) => {
            let at = LatLon::new(lat, lon)?;
            check_near(at, address)?;
            Ok(at)
        }
        (None, None) => locate(address)
            .map(District::centroid)
            .ok_or_else(|| DomainError::NoDistrict(address.to_string())),
        _ => Err(DomainError::Invalid {
            field: "lat",
            reason: "and lon must be given together".into(),
        }),
    }
}

/// Refuses coordinates more than [`NEAR_DISTRICT_KM`] from the district
/// `address` names (or from every district, when it names none).
fn check_near(at: LatLon, address: &str) -> Result<(), DomainError> {
    let (district, km) = match locate(address) {
        Some(named) => (named, named.centroid().distance_km(&at)),
        None => seoul()
            .iter()
            .map(|d| (d, d.centroid().distance_km(&at)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .ok_or_else(|| DomainError::NoDistrict(address.to_string()))?,
    };
    if km <= NEAR_DISTRICT_KM {
        return Ok(());
    }
    let named = locate(address).is_some();
    Err(DomainError::Invalid {
        field: "lat",
        reason: if named {
            format!(
                "and lon lie {:.1} km from {} ({}), which the address names; give coordinates within {NEAR_DISTRICT_KM} km of it",
                km, district.name, district.romanized
            )
        } else {
            format!(
                "and lon lie outside Seoul ({:.1} km from the nearest district, {}); baedal delivers within Seoul",
                km, district.name
            )
        },
    })
}

/// The district an address names, in Korean (`강남구`) or romanized
/// (`Gangnam-gu`, any case); the earliest mention wins.
pub fn locate(address: &str) -> Option<&'static District> {
    let lower = address.to_lowercase();
    seoul()
        .iter()
        .filter_map(|d| {
            let korean = address
                .find(&d.name)
                .filter(|&i| !preceded_by_hangul(address, i));
            let roman = lower.find(&d.romanized.to_lowercase());
            let at = match (korean, roman) {
                (Some(k), Some(r)) => k.min(r),
                (k, r) => k.or(r)?,
            };
            Some((at, d))
        })
        .min_by_key(|(at, d)| (*at, std::cmp::Reverse(d.name.len())))
        .map(|(_, d)| d)
}

/// `중구` inside a longer word (e.g. `울중구`) is not the district.
fn preceded_by_hangul(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_some_and(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_all_25_districts_inside_seoul() {
        let all = seoul();
        assert_eq!(all.len(), 25);
        let mut names: Vec<_> = all.iter().map(|d| d.name.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 25);
        for d in all {
            assert!(d.name.ends_with('구'), "{}", d.name);
            assert!(
                (37.42..37.70).contains(&d.lat) && (126.76..127.19).contains(&d.lon),
                "{}",
                d.name
            );
        }
    }

    #[test]
    fn locates_korean_and_romanized_addresses() {
        assert_eq!(
            locate("서울특별시 강남구 테헤란로 152").unwrap().name,
            "강남구"
        );
        assert_eq!(locate("서울 마포구 와우산로 94").unwrap().name, "마포구");
        assert_eq!(
            locate("152 Teheran-ro, gangnam-gu, Seoul").unwrap().name,
            "강남구"
        );
        assert_eq!(locate("서울 중구 세종대로 110").unwrap().name, "중구");
        assert_eq!(locate("서울 중랑구 망우로 1").unwrap().name, "중랑구");
        assert_eq!(locate("서울 강서구 공항대로 1").unwrap().name, "강서구");
    }

    #[test]
    fn coordinates_must_lie_near_the_named_district_or_in_seoul() {
        let gangnam = locate("강남구").unwrap().centroid();
        let at = position(
            Some(gangnam.lat + 0.01),
            Some(gangnam.lon),
            "서울 강남구 선릉로 1",
        );
        assert!(at.is_ok());
        // Mapo is about 11 km from Gangnam's centroid.
        let mapo = locate("마포구").unwrap().centroid();
        let far = position(Some(mapo.lat), Some(mapo.lon), "서울 강남구 선릉로 1").unwrap_err();
        assert!(far.to_string().contains("km from 강남구"), "{far}");
        // No district named: anywhere in Seoul, nowhere else.
        assert!(position(Some(mapo.lat), Some(mapo.lon), "어딘가 1").is_ok());
        let new_york = position(Some(40.71), Some(-74.0), "5th Avenue").unwrap_err();
        assert!(new_york.to_string().contains("outside Seoul"), "{new_york}");
        let busan = position(Some(35.16), Some(129.16), "부산 해운대구 1").unwrap_err();
        assert!(busan.to_string().contains("outside Seoul"), "{busan}");
    }

    #[test]
    fn an_address_without_a_district_is_not_located() {
        assert!(locate("부산광역시 해운대구 해운대로 1").is_none());
        assert!(locate("somewhere").is_none());
        assert!(locate("").is_none());
    }
}
