//! A spatial grid: points bucketed by cells of 0.01° (about 1.1 km), so a
//! nearby search looks only at the cells a circle can reach instead of at
//! every point.

use super::geo::{LatLon, EARTH_RADIUS_KM};
use std::collections::HashMap;
use std::f64::consts::PI;
use std::hash::Hash;
use std::ops::RangeInclusive;

/// Cell size in degrees, of latitude and of longitude: 0.01° of latitude
/// is 1.11 km; of longitude, that times cos(latitude).
const CELL_DEG: f64 = 0.01;

/// Kilometres per degree along a great circle of the sphere that
/// [`LatLon::distance_km`] measures on: 2πR / 360, about 111.195 km. That
/// is a degree of latitude anywhere and of longitude at the equator. It
/// must come from the same radius as the distance, or the cells scanned
/// and the distance disagree near the edge of a search.
const KM_PER_DEG: f64 = EARTH_RADIUS_KM * PI / 180.0;

/// Kilometres added to the radius when choosing the cells to scan (1 mm),
/// so that rounding in the distance (far below that) cannot leave out a
/// point that lies on the circle and on a cell's edge. It only widens what
/// is looked at: what is found is still decided by the distance itself.
const ROUNDING_SLACK_KM: f64 = 1e-6;

type Cell = (i32, i32);

/// The cell row (of latitude) or column (of longitude) a coordinate in
/// degrees falls in.
fn cell_index(deg: f64) -> i32 {
    (deg / CELL_DEG).floor() as i32
}

fn cell_of(p: LatLon) -> Cell {
    (cell_index(p.lat), cell_index(p.lon))
}

/// The cells a search circle can reach: a band of rows, and one or two
/// runs of columns (two when the circle crosses the ±180° meridian).
#[derive(Debug)]
struct Reach {
    rows: RangeInclusive<i32>,
    columns: Vec<RangeInclusive<i32>>,
}

impl Reach {
    /// The cells holding every point within `radius_km` of `from` (and
    /// perhaps a few more).
    fn around(from: LatLon, radius_km: f64) -> Reach {
        // The circle's angular radius, in degrees of a great circle.
        let reach_deg = (radius_km + ROUNDING_SLACK_KM) / KM_PER_DEG;
        // Along any path, x degrees of latitude take at least x × KM_PER_DEG
        // km, so the whole circle lies within reach_deg of from's latitude.
        let south = (from.lat - reach_deg).max(-90.0);
        let north = (from.lat + reach_deg).min(90.0);
        let rows = cell_index(south)..=cell_index(north);
        // Going east or west, a degree of longitude is KM_PER_DEG × cos(lat)
        // km, shortest at the latitude nearest a pole. The great-circle path
        // from `from` to any point in the circle stays in the circle, so
        // between south and north, and that point is at most
        // reach_deg / cos(poleward) degrees of longitude away. (from's own
        // latitude would not do: a great circle bends poleward, so the
        // circle's eastmost point lies further east than radius_km along
        // from's parallel.)
        let poleward = south.abs().max(north.abs());
        let lon_reach = reach_deg / poleward.to_radians().cos();
        // A circle holding a pole, or nearly going round the earth, reaches
        // every longitude. Below this, the two runs of a circle crossing
        // ±180° never share a column.
        if lon_reach.is_nan() || lon_reach >= 180.0 - CELL_DEG {
            return Reach {
                rows,
                columns: vec![cell_index(-180.0)..=cell_index(180.0)],
            };
        }
        let (west, east) = (from.lon - lon_reach, from.lon + lon_reach);
        let mut columns = vec![cell_index(west.max(-180.0))..=cell_index(east.min(180.0))];
        // Past ±180° the circle goes on at the other end of the map. The
        // comparisons include ±180° itself: that meridian is stored as
        // either 180 or -180, in columns at both ends.
        if east >= 180.0 {
            columns.push(cell_index(-180.0)..=cell_index(east - 360.0));
        }
        if west <= -180.0 {
            columns.push(cell_index(west + 360.0)..=cell_index(180.0));
        }
        Reach { rows, columns }
    }

    /// How many cells it spans.
    fn cells(&self) -> u64 {
        let len = |r: &RangeInclusive<i32>| {
            u64::try_from(i64::from(*r.end()) - i64::from(*r.start()) + 1).unwrap_or(0)
        };
        len(&self.rows) * self.columns.iter().map(len).sum::<u64>()
    }

    fn contains(&self, cell: &Cell) -> bool {
        self.rows.contains(&cell.0) && self.columns.iter().any(|c| c.contains(&cell.1))
    }
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
    /// most `limit`, with their distance in km. A negative or NaN radius
    /// finds nothing.
    pub fn nearby(&self, from: LatLon, radius_km: f64, limit: usize) -> Vec<(f64, &V)> {
        self.nearby_after(from, radius_km, limit, None)
    }

    /// Like [`Grid::nearby`], but only items after `after` in that order
    /// (distance in km, then key): the next page of a search.
    pub fn nearby_after(
        &self,
        from: LatLon,
        radius_km: f64,
        limit: usize,
        after: Option<(f64, K)>,
    ) -> Vec<(f64, &V)> {
        if radius_km.is_nan() || radius_km < 0.0 {
            return Vec::new();
        }
        let reach = Reach::around(from, radius_km);
        let mut found: Vec<(f64, K, &V)> = Vec::new();
        let mut consider = |key: &K| {
            if let Some((at, v)) = self.items.get(key) {
                let km = from.distance_km(at);
                if km <= radius_km {
                    found.push((km, *key, v));
                }
            }
        };
        // A huge circle covers more cells than there are occupied ones.
        if reach.cells() > self.cells.len() as u64 {
            for (cell, keys) in &self.cells {
                if reach.contains(cell) {
                    keys.iter().for_each(&mut consider);
                }
            }
        } else {
            for la in reach.rows.clone() {
                for columns in &reach.columns {
                    for lo in columns.clone() {
                        if let Some(keys) = self.cells.get(&(la, lo)) {
                            keys.iter().for_each(&mut consider);
                        }
                    }
                }
            }
        }
        let by_distance =
            |a: &(f64, K, &V), b: &(f64, K, &V)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
        if let Some((km, key)) = after {
            found.retain(|(d, k, _)| d.total_cmp(&km).then(k.cmp(&key)).is_gt());
        }
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
#[path = "grid_tests.rs"]
mod tests;
