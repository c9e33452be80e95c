//! Riders' nearby search with 100,000 ready deliveries spread over Seoul.

use baedal::actors::projections::board::DeliveryBoard;
use baedal::domain::delivery::{Delivery, DeliveryStatus, Dropoff};
use baedal::domain::{LatLon, Timestamp};
use criterion::{black_box, criterion_group, criterion_main, Criterion};

const READY: u64 = 100_000;

fn board() -> DeliveryBoard {
    let mut rng = fastrand::Rng::with_seed(7);
    let mut point = || LatLon {
        lat: 37.45 + rng.f64() * 0.2,
        lon: 126.85 + rng.f64() * 0.3,
    };
    DeliveryBoard::with_ready((0..READY).map(|id| {
        let (pickup, to) = (point(), point());
        Delivery {
            order_id: id,
            store_id: format!("store-{}", id % 500),
            store_name: "가게".into(),
            customer_id: format!("customer-{id}"),
            status: DeliveryStatus::Ready,
            rider_id: None,
            pickup,
            dropoff: Dropoff {
                lat: to.lat,
                lon: to.lon,
                address: "서울 강남구 1".into(),
            },
            distance_km: pickup.distance_km(&to),
            updated_at: Timestamp(0),
            note: None,
        }
    }))
}

fn nearby(c: &mut Criterion) {
    let board = board();
    let gangnam = LatLon {
        lat: 37.4979,
        lon: 127.0276,
    };
    for (name, radius, limit) in [
        ("1 km, first 50", 1.0, 50),
        ("3 km, first 50", 3.0, 50),
        ("10 km, first 500", 10.0, 500),
    ] {
        c.bench_function(&format!("nearby among 100k ready: {name}"), |b| {
            b.iter(|| black_box(board.nearby(black_box(gangnam), radius, limit, None)))
        });
    }
}

criterion_group!(benches, nearby);
criterion_main!(benches);
