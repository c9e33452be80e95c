//! Encoding the order resource: JSON for HTTP, postcard for sled.

mod support;

use baedal::domain::order::Order;
use baedal::storage::{decode, encode};
use criterion::{black_box, criterion_group, criterion_main, Criterion};

/// An order through its whole lifecycle, with the history it then carries.
fn delivered_order() -> Order {
    support::lifecycle_after_placement()
        .iter()
        .fold(support::placed_order(7), |order, cmd| {
            let events = baedal::domain::order::decide(Some(&order), order.id, cmd).expect("valid");
            events.iter().fold(order, |o, e| {
                baedal::domain::order::apply(Some(o), e, baedal::domain::Timestamp::now())
                    .expect("exists")
            })
        })
}

fn codec(c: &mut Criterion) {
    let order = delivered_order();
    let json = serde_json::to_vec(&order).expect("encodes");
    let stored = encode(&order).expect("encodes");
    let mut group = c.benchmark_group("order resource");
    group.bench_function("JSON encode", |b| {
        b.iter(|| serde_json::to_vec(black_box(&order)))
    });
    group.bench_function("JSON decode", |b| {
        b.iter(|| serde_json::from_slice::<Order>(black_box(&json)))
    });
    group.bench_function("postcard encode (stored)", |b| {
        b.iter(|| encode(black_box(&order)))
    });
    group.bench_function("postcard decode (stored)", |b| {
        b.iter(|| decode::<Order>(black_box(&stored)))
    });
    group.finish();
    eprintln!(
        "order resource: {} bytes as JSON, {} bytes stored",
        json.len(),
        stored.len()
    );
}

criterion_group!(benches, codec);
criterion_main!(benches);
