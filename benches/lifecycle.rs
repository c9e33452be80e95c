//! The pure domain's hot path: deciding and applying a whole lifecycle.

mod support;

use baedal::domain::access::Principal;
use baedal::domain::aggregate::Aggregate;
use baedal::domain::order::{Order, OrderCommand};
use baedal::domain::Timestamp;
use criterion::{black_box, criterion_group, criterion_main, Criterion};

fn lifecycle(c: &mut Criterion) {
    let mut commands = vec![OrderCommand::Place(Box::new(support::new_order(1)))];
    commands.extend(support::lifecycle_after_placement());
    c.bench_function("decide+apply a whole lifecycle", |b| {
        b.iter(|| {
            let mut state = None;
            for cmd in &commands {
                let events = Order::decide(
                    state.as_ref(),
                    &1,
                    &Principal::System,
                    black_box(cmd),
                    Timestamp(1),
                )
                .expect("valid");
                for e in &events {
                    state = Order::apply(state, e, Timestamp(1));
                }
            }
            black_box(state)
        })
    });
}

criterion_group!(benches, lifecycle);
criterion_main!(benches);
