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

/// Where an address is: `lat`/`lon` when both are given (checked), else
/// the centroid of the Seoul district the address names. The one rule for
/// locating an order's drop-off and a store.
///
/// Errors: a latitude or longitude out of range, only one of the two, or
/// no coordinates and an address naming no district.
pub fn position(lat: Option<f64>, lon: Option<f64>, address: &str) -> Result<LatLon, DomainError> {
    match (lat, lon) {
        (Some(lat), Some(lon)) => LatLon::new(lat, lon),
        (None, None) => locate(address)
            .map(District::centroid)
            .ok_or_else(|| DomainError::NoDistrict(address.to_string())),
        _ => Err(DomainError::Invalid {
            field: "lat",
            reason: "and lon must be given together".into(),
        }),
    }
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
    fn an_address_without_a_district_is_not_located() {
        assert!(locate("부산광역시 해운대구 해운대로 1").is_none());
        assert!(locate("somewhere").is_none());
        assert!(locate("").is_none());
    }
}
