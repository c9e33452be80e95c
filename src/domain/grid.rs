//! A spatial grid: points bucketed by ~1 km cells, so a nearby search
//! looks only at the cells a circle covers instead of every point.

use super::geo::LatLon;
use std::collections::HashMap;
use std::hash::Hash;

/// Cell size in degrees of latitude (about 1.1 km).
const CELL_DEG: f64 = 0.01;
/// Kilometres per degree of latitude.
const KM_PER_DEG: f64 = 111.32;

type Cell = (i32, i32);

fn cell_of(p: LatLon) -> Cell {
    (
        (p.lat / CELL_DEG).floor() as i32,
        (p.lon / CELL_DEG).floor() as i32,
    )
}

/// Items with a location, searchable by distance.
#[derive(Debug)]
pub struct Grid<K, V> {
    cells: HashMap<Cell, Vec<K>>,
    items: HashMap<K, (LatLon, V)>,
}

impl<K, V> Default for Grid<K, V> {
    fn default() -> Self {
        Grid {
            cells: HashMap::new(),
            items: HashMap::new(),
        }
    }
}

impl<K: Copy + Eq + Hash + Ord, V> Grid<K, V> {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Puts (or moves) an item.
    pub fn insert(&mut self, key: K, at: LatLon, value: V) {
        self.remove(&key);
        self.cells.entry(cell_of(at)).or_default().push(key);
        self.items.insert(key, (at, value));
    }

    pub fn remove(&mut self, key: &K) -> Option<V> {
        let (at, value) = self.items.remove(key)?;
        let cell = cell_of(at);
        if let Some(keys) = self.cells.get_mut(&cell) {
            keys.retain(|k| k != key);
            if keys.is_empty() {
                self.cells.remove(&cell);
            }
        }
        Some(value)
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        self.items.get(key).map(|(_, v)| v)
    }

    /// Items within `radius_km` of `from`, nearest first (ties by key), at
    /// most `limit`, with their distance.
    pub fn nearby(&self, from: LatLon, radius_km: f64, limit: usize) -> Vec<(f64, &V)> {
        let dlat = radius_km / KM_PER_DEG;
        let dlon = radius_km / (KM_PER_DEG * from.lat.to_radians().cos().abs().max(0.01));
        let (lat0, lon0) = cell_of(LatLon {
            lat: from.lat - dlat,
            lon: from.lon - dlon,
        });
        let (lat1, lon1) = cell_of(LatLon {
            lat: from.lat + dlat,
            lon: from.lon + dlon,
        });
        let mut found: Vec<(f64, K, &V)> = Vec::new();
        let span = (i64::from(lat1 - lat0) + 1) * (i64::from(lon1 - lon0) + 1);
        let mut consider = |key: &K| {
            if let Some((at, v)) = self.items.get(key) {
                let km = from.distance_km(at);
                if km <= radius_km {
                    found.push((km, *key, v));
                }
            }
        };
        // A huge circle covers more cells than there are occupied ones.
        if span as usize > self.cells.len() {
            for (cell, keys) in &self.cells {
                if (lat0..=lat1).contains(&cell.0) && (lon0..=lon1).contains(&cell.1) {
                    keys.iter().for_each(&mut consider);
                }
            }
        } else {
            for la in lat0..=lat1 {
                for lo in lon0..=lon1 {
                    if let Some(keys) = self.cells.get(&(la, lo)) {
                        keys.iter().for_each(&mut consider);
                    }
                }
            }
        }
        let by_distance =
            |a: &(f64, K, &V), b: &(f64, K, &V)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
        if found.len() > limit && limit > 0 {
            found.select_nth_unstable_by(limit - 1, by_distance);
            found.truncate(limit);
        }
        found.sort_by(by_distance);
        found.truncate(limit);
        found.into_iter().map(|(km, _, v)| (km, v)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(lat: f64, lon: f64) -> LatLon {
        LatLon { lat, lon }
    }

    #[test]
    fn finds_within_the_radius_nearest_first_and_forgets_removed() {
        let mut g = Grid::default();
        g.insert(1u64, p(37.50, 127.03), "gangnam");
        g.insert(2, p(37.51, 127.03), "1 km north");
        g.insert(3, p(35.16, 129.16), "busan");
        let found: Vec<&str> = g
            .nearby(p(37.50, 127.03), 3.0, 10)
            .into_iter()
            .map(|(_, v)| *v)
            .collect();
        assert_eq!(found, vec!["gangnam", "1 km north"]);
        g.insert(1, p(37.60, 127.03), "moved away");
        let found: Vec<&str> = g
            .nearby(p(37.50, 127.03), 3.0, 10)
            .into_iter()
            .map(|(_, v)| *v)
            .collect();
        assert_eq!(found, vec!["1 km north"]);
        assert_eq!(g.remove(&2), Some("1 km north"));
        assert!(g.nearby(p(37.50, 127.03), 3.0, 10).is_empty());
        assert_eq!(g.len(), 2);
        assert_eq!(g.nearby(p(37.0, 128.0), 1000.0, 1).len(), 1, "limit");
    }

    proptest! {
        #[test]
        fn agrees_with_a_linear_scan(
            points in prop::collection::vec((37.40f64..37.70, 126.80f64..127.20), 0..200),
            at in (37.40f64..37.70, 126.80f64..127.20),
            radius in 0.1f64..30.0,
            limit in 1usize..50,
        ) {
            let mut g = Grid::default();
            for (i, (lat, lon)) in points.iter().enumerate() {
                g.insert(i as u64, p(*lat, *lon), i as u64);
            }
            let from = p(at.0, at.1);
            let got: Vec<u64> = g.nearby(from, radius, limit).into_iter().map(|(_, v)| *v).collect();
            let mut expected: Vec<(f64, u64)> = points
                .iter()
                .enumerate()
                .map(|(i, (lat, lon))| (from.distance_km(&p(*lat, *lon)), i as u64))
                .filter(|(km, _)| *km <= radius)
                .collect();
            expected.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let expected: Vec<u64> = expected.into_iter().take(limit).map(|(_, i)| i).collect();
            prop_assert_eq!(got, expected);
        }
    }
}
