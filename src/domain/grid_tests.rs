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

// The grid against a brute-force filter where it is easiest to get
// wrong: on cell edges and just inside or outside the circle.

/// Radians of a great circle `km` long on the sphere distances use.
fn angle(km: f64) -> f64 {
    km / EARTH_RADIUS_KM
}

/// A longitude in degrees brought into -180..=180 (left as it is if it
/// already is, so that a cell edge stays exactly as written).
fn wrap(lon: f64) -> f64 {
    if (-180.0..=180.0).contains(&lon) {
        lon
    } else {
        (lon + 180.0).rem_euclid(360.0) - 180.0
    }
}

/// The point `km` from `from` heading `bearing` degrees (0 north, 90
/// east) along a great circle.
fn destination(from: LatLon, bearing: f64, km: f64) -> LatLon {
    let (phi, lambda, theta, delta) = (
        from.lat.to_radians(),
        from.lon.to_radians(),
        bearing.to_radians(),
        angle(km),
    );
    let sin_lat = phi.sin() * delta.cos() + phi.cos() * delta.sin() * theta.cos();
    let lat = sin_lat.clamp(-1.0, 1.0).asin();
    let lon =
        lambda + (theta.sin() * delta.sin() * phi.cos()).atan2(delta.cos() - phi.sin() * sin_lat);
    p(lat.to_degrees().clamp(-90.0, 90.0), wrap(lon.to_degrees()))
}

/// The point on the parallel `lat` that is `km` from `from`, east or
/// west of it, if that parallel comes so near. From the spherical law
/// of cosines, cos d = sin φ0 sin φ + cos φ0 cos φ cos Δλ, solved for Δλ.
fn on_parallel(from: LatLon, lat: f64, km: f64, east: bool) -> Option<LatLon> {
    let (phi0, phi) = (from.lat.to_radians(), lat.to_radians());
    let cos_dlon = (angle(km).cos() - phi0.sin() * phi.sin()) / (phi0.cos() * phi.cos());
    if !(-1.0..=1.0).contains(&cos_dlon) {
        return None;
    }
    let dlon = cos_dlon.acos().to_degrees();
    Some(p(
        lat,
        wrap(if east {
            from.lon + dlon
        } else {
            from.lon - dlon
        }),
    ))
}

/// The point on the meridian `lon` that is `km` from `from`, north or
/// south, if that meridian comes so near. The same law solved for φ:
/// A sin φ + B cos φ = C is ρ cos(φ − α) = C with ρ = √(A² + B²) and
/// α = atan2(A, B).
fn on_meridian(from: LatLon, lon: f64, km: f64, north: bool) -> Option<LatLon> {
    let phi0 = from.lat.to_radians();
    let (a, b) = (phi0.sin(), phi0.cos() * (lon - from.lon).to_radians().cos());
    let (rho, alpha) = (a.hypot(b), a.atan2(b));
    let ratio = angle(km).cos() / rho;
    if !(-1.0..=1.0).contains(&ratio) {
        return None;
    }
    let lat = if north {
        alpha + ratio.acos()
    } else {
        alpha - ratio.acos()
    }
    .to_degrees();
    (-90.0..=90.0).contains(&lat).then(|| p(lat, wrap(lon)))
}

/// Cell edges per degree (1 / CELL_DEG).
const EDGES_PER_DEG: f64 = 100.0;

/// The cell edge nearest `deg`, in degrees, as a client would write it
/// (the double nearest to so many hundredths, like "37.51"). Whether
/// the grid files such a point in the cell above or below the edge
/// depends on its last bit, so both sides get tried.
fn snap(deg: f64) -> f64 {
    (deg * EDGES_PER_DEG).round() / EDGES_PER_DEG
}

/// The cell edge `steps` cells beyond `deg`, in degrees (as [`snap`]).
fn edge_near(deg: f64, steps: i32) -> f64 {
    ((deg * EDGES_PER_DEG).floor() + f64::from(steps)) / EDGES_PER_DEG
}

/// How far off the circle an edge point is, in metres (negative:
/// inside): from floating-point ties to the 56 m strip 111.32 km per
/// degree left blind at 50 km.
fn off_the_circle() -> impl Strategy<Value = f64> {
    prop_oneof![
        prop::sample::select(vec![-56.0, -10.0, -1.0, -1e-3, -1e-6, 0.0, 1e-6, 1e-3, 1.0]),
        -60.0f64..1.0,
    ]
}

/// Where one test point goes, relative to the search circle.
#[derive(Clone, Debug)]
enum Place {
    /// `share` of the radius away, heading `bearing` degrees.
    Scattered { bearing: f64, share: f64 },
    /// On the circle heading `bearing`, `metres` off it.
    NearTheCircle { bearing: f64, metres: f64 },
    /// Scattered, then moved onto the nearest cell edge in latitude,
    /// longitude or both (a cell corner).
    OnAnEdge {
        bearing: f64,
        share: f64,
        lat: bool,
        lon: bool,
    },
    /// On the cell-edge parallel `steps` cells beyond the circle's
    /// northmost (or southmost) latitude, `metres` off the circle.
    OnAnEdgeParallel {
        north: bool,
        steps: i32,
        east: bool,
        metres: f64,
    },
    /// On the cell-edge meridian `steps` cells beyond the circle's
    /// eastmost (or westmost) longitude, `metres` off the circle.
    OnAnEdgeMeridian {
        east: bool,
        steps: i32,
        north: bool,
        metres: f64,
    },
}

fn place() -> impl Strategy<Value = Place> {
    let bearing = 0.0f64..360.0;
    prop_oneof![
        (bearing.clone(), 0.0f64..1.5)
            .prop_map(|(bearing, share)| Place::Scattered { bearing, share }),
        (bearing.clone(), off_the_circle())
            .prop_map(|(bearing, metres)| Place::NearTheCircle { bearing, metres }),
        (bearing, 0.0f64..1.5, any::<bool>(), any::<bool>()).prop_map(
            |(bearing, share, lat, lon)| Place::OnAnEdge {
                bearing,
                share,
                lat,
                lon
            }
        ),
        (any::<bool>(), -1i32..=1, any::<bool>(), off_the_circle()).prop_map(
            |(north, steps, east, metres)| Place::OnAnEdgeParallel {
                north,
                steps,
                east,
                metres
            }
        ),
        (any::<bool>(), -1i32..=1, any::<bool>(), off_the_circle()).prop_map(
            |(east, steps, north, metres)| Place::OnAnEdgeMeridian {
                east,
                steps,
                north,
                metres
            }
        ),
    ]
}

/// The point a `Place` stands for around a circle of `radius` km about
/// `from`, if there is one (an edge may not come near the circle).
fn locate(from: LatLon, radius: f64, place: &Place) -> Option<LatLon> {
    // Only to choose edges near the circle's extremes: a cell either
    // way of each (steps -1..=1) covers any error in this estimate.
    let reach_deg = angle(radius).to_degrees();
    match *place {
        Place::Scattered { bearing, share } => Some(destination(from, bearing, share * radius)),
        Place::NearTheCircle { bearing, metres } => {
            Some(destination(from, bearing, radius + metres / 1000.0))
        }
        Place::OnAnEdge {
            bearing,
            share,
            lat,
            lon,
        } => {
            let at = destination(from, bearing, share * radius);
            Some(p(
                if lat { snap(at.lat) } else { at.lat },
                if lon { wrap(snap(at.lon)) } else { at.lon },
            ))
        }
        Place::OnAnEdgeParallel {
            north,
            steps,
            east,
            metres,
        } => {
            let extreme = if north {
                from.lat + reach_deg
            } else {
                from.lat - reach_deg
            };
            let lat = edge_near(extreme, steps);
            if !(-90.0..=90.0).contains(&lat) {
                return None;
            }
            on_parallel(from, lat, radius + metres / 1000.0, east)
        }
        Place::OnAnEdgeMeridian {
            east,
            steps,
            north,
            metres,
        } => {
            let cos_lat = from.lat.to_radians().cos();
            let lon_reach = reach_deg / cos_lat;
            if lon_reach.is_nan() || lon_reach >= 90.0 {
                return None;
            }
            let extreme = if east {
                from.lon + lon_reach
            } else {
                from.lon - lon_reach
            };
            on_meridian(
                from,
                edge_near(extreme, steps),
                radius + metres / 1000.0,
                north,
            )
        }
    }
}

/// Where searches start: mostly Seoul, which the service serves, but
/// also anywhere, next to a pole and next to the ±180° meridian.
fn origin() -> impl Strategy<Value = LatLon> {
    prop_oneof![
        3 => (37.40f64..37.70, 126.80f64..127.20),
        2 => (-90.0f64..=90.0, -180.0f64..=180.0),
        1 => (prop_oneof![-90.0f64..-89.0, 89.0f64..=90.0], -180.0f64..=180.0),
        1 => (-80.0f64..80.0, prop_oneof![-180.0f64..-179.0, 179.0f64..=180.0]),
    ]
    .prop_map(|(lat, lon)| p(lat, lon))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Exactly the points a brute-force filter keeps, in the same
    /// order: the cells scanned never leave one out.
    #[test]
    fn finds_what_a_brute_force_filter_finds_on_edges_and_at_the_radius(
        from in origin(),
        radius in 0.1f64..=50.0,
        places in prop::collection::vec(place(), 1..60),
    ) {
        let points: Vec<LatLon> = places.iter().filter_map(|pl| locate(from, radius, pl)).collect();
        let mut g = Grid::default();
        for (i, at) in points.iter().enumerate() {
            g.insert(i, *at, i);
        }
        let got: Vec<usize> = g.nearby(from, radius, usize::MAX).into_iter().map(|(_, i)| *i).collect();
        let mut expected: Vec<(f64, usize)> = points
            .iter()
            .enumerate()
            .map(|(i, at)| (from.distance_km(at), i))
            .filter(|(km, _)| *km <= radius)
            .collect();
        expected.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let expected: Vec<usize> = expected.into_iter().map(|(_, i)| i).collect();
        let missed: Vec<(usize, LatLon, f64)> = expected
            .iter()
            .filter(|i| !got.contains(i))
            .map(|&i| (i, points[i], from.distance_km(&points[i])))
            .collect();
        prop_assert_eq!(got, expected, "missed (key, point, km): {:?}", missed);
    }
}

#[test]
fn edges_per_degree_match_the_cell_size() {
    assert_eq!(EDGES_PER_DEG * CELL_DEG, 1.0);
}

#[test]
fn finds_points_across_the_180th_meridian() {
    let mut g = Grid::default();
    for (key, lon) in [(1, -179.995), (2, -180.0), (3, 180.0), (4, 179.99)] {
        g.insert(key, p(0.0, lon), key);
    }
    let mut found: Vec<u32> = g
        .nearby(p(0.0, 179.995), 2.0, 10)
        .into_iter()
        .map(|(_, k)| *k)
        .collect();
    found.sort();
    assert_eq!(found, vec![1, 2, 3, 4]);
    let mut found: Vec<u32> = g
        .nearby(p(0.0, -179.999), 2.0, 10)
        .into_iter()
        .map(|(_, k)| *k)
        .collect();
    found.sort();
    assert_eq!(found, vec![1, 2, 3, 4]);
}

#[test]
fn finds_points_across_a_pole() {
    let mut g = Grid::default();
    // 0.1° of latitude over the pole, about 11.1 km away.
    g.insert(1, p(89.95, 180.0), 1);
    g.insert(2, p(90.0, 0.0), 2);
    g.insert(3, p(89.99, -90.0), 3);
    g.insert(4, p(-89.95, 0.0), 4);
    let mut found: Vec<u32> = g
        .nearby(p(89.95, 0.0), 12.0, 10)
        .into_iter()
        .map(|(_, k)| *k)
        .collect();
    found.sort();
    assert_eq!(found, vec![1, 2, 3]);
    let found: Vec<u32> = g
        .nearby(p(-90.0, 0.0), 6.0, 10)
        .into_iter()
        .map(|(_, k)| *k)
        .collect();
    assert_eq!(found, vec![4]);
}

/// Far from the equator a great circle bends poleward: the point on a
/// circle of 50 km furthest east is further east than 50 km along the
/// parallel, by about 16.5 m at 80°N. A cell edge between the two must
/// still be scanned.
#[test]
fn reaches_as_far_east_as_the_circle_bends_at_high_latitude() {
    let (lat, radius) = (80.0f64, 50.0);
    let delta = angle(radius);
    let along_parallel = (delta / lat.to_radians().cos()).to_degrees();
    let furthest = (delta.sin() / lat.to_radians().cos()).asin().to_degrees();
    assert!(
        furthest - along_parallel > 5e-4,
        "{furthest} {along_parallel}"
    );
    // The cell edge at 0° lies between the two reaches.
    let from = p(lat, -(along_parallel + furthest) / 2.0);
    let edge = on_meridian(from, 0.0, radius - 1e-6, true).expect("the meridian is in reach");
    assert!(from.distance_km(&edge) <= radius);
    let mut g = Grid::default();
    g.insert(1, edge, "on the edge");
    assert_eq!(g.nearby(from, radius, 10).len(), 1, "{edge:?}");
}

#[test]
fn odd_radii_neither_panic_nor_invent() {
    let mut g = Grid::default();
    g.insert(1, p(37.5, 127.0), 1);
    g.insert(2, p(-33.9, 151.2), 2);
    assert_eq!(
        g.nearby(p(37.5, 127.0), 0.0, 10).len(),
        1,
        "at the very point"
    );
    assert!(g.nearby(p(37.5, 127.0), -1.0, 10).is_empty());
    assert!(g.nearby(p(37.5, 127.0), f64::NAN, 10).is_empty());
    assert_eq!(g.nearby(p(37.5, 127.0), f64::INFINITY, 10).len(), 2);
    assert_eq!(
        g.nearby(p(37.5, 127.0), 30_000.0, 10).len(),
        2,
        "the whole earth"
    );
    assert!(g.nearby(p(37.5, 127.0), 3.0, 0).is_empty(), "limit 0");
}
