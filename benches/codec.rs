//! Encoding the order resource: JSON for HTTP, named MessagePack for sled
//! (schema 2), and postcard (schema 1's encoding) for comparison.

mod support;

use baedal::domain::aggregate::Aggregate;
use baedal::domain::order::Order;
use baedal::storage::{decode, encode};
use criterion::{black_box, criterion_group, criterion_main, Criterion};

/// An order through its whole lifecycle, with the history it then carries.
fn delivered_order() -> Order {
    support::lifecycle_after_placement()
        .iter()
        .fold(support::placed_order(7), |order, cmd| {
            let events = Order::decide(
                Some(&order),
                &order.id,
                &baedal::domain::access::Principal::System,
                cmd,
                baedal::domain::Timestamp(0),
            )
            .expect("valid");
            events.iter().fold(order, |o, e| {
                Order::apply(Some(o), e, baedal::domain::Timestamp::now()).expect("exists")
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
    group.bench_function("stored encode", |b| b.iter(|| encode(black_box(&order))));
    group.bench_function("stored decode", |b| {
        b.iter(|| decode::<Order>(black_box(&stored)))
    });
    let postcard = postcard::to_allocvec(&order).expect("encodes");
    group.bench_function("postcard encode (schema 1)", |b| {
        b.iter(|| postcard::to_allocvec(black_box(&order)))
    });
    group.bench_function("postcard decode (schema 1)", |b| {
        b.iter(|| postcard::from_bytes::<Order>(black_box(&postcard)))
    });
    group.finish();
    eprintln!(
        "order resource: {} bytes as JSON, {} bytes stored, {} bytes in postcard",
        json.len(),
        stored.len(),
        postcard.len()
    );
}

criterion_group!(benches, codec);
criterion_main!(benches);
