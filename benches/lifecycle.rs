//! The pure domain's hot path: deciding and applying a whole lifecycle.

use baedal::domain::geo::LatLon;
use baedal::domain::order::{self, NewOrder, OrderCommand, OrderLine};
use baedal::domain::Timestamp;
use criterion::{black_box, criterion_group, criterion_main, Criterion};

fn new_order() -> NewOrder {
    NewOrder {
        id: 1,
        customer_id: "kim".into(),
        store_id: "gangnam-chicken".into(),
        store_name: "강남 바삭치킨".into(),
        pickup: LatLon {
            lat: 37.5155,
            lon: 127.0436,
        },
        items: vec![OrderLine {
            menu_id: "fried".into(),
            name: "후라이드치킨".into(),
            qty: 2,
            unit_price: 19_000,
        }],
        amount: 38_000,
        discount: 0,
        coupon_id: None,
        address: "서울 강남구 테헤란로 1".into(),
        dropoff: LatLon {
            lat: 37.5172,
            lon: 127.0473,
        },
        transaction_id: "sbx-1".into(),
    }
}

fn lifecycle(c: &mut Criterion) {
    let commands = [
        OrderCommand::Place(Box::new(new_order())),
        OrderCommand::Accept,
        OrderCommand::StartCooking,
        OrderCommand::FinishCooking,
        OrderCommand::Pick {
            rider_id: "r1".into(),
        },
        OrderCommand::CompleteDelivery {
            rider_id: "r1".into(),
        },
        OrderCommand::Confirm,
    ];
    c.bench_function("decide+apply a whole lifecycle", |b| {
        b.iter(|| {
            let mut state = None;
            for cmd in &commands {
                let events = order::decide(state.as_ref(), 1, black_box(cmd)).expect("valid");
                for e in &events {
                    state = order::apply(state, e, Timestamp(1));
                }
            }
            black_box(state)
        })
    });
}

criterion_group!(benches, lifecycle);
criterion_main!(benches);
