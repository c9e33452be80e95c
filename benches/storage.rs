//! The write path: one commit (an order's snapshot and its event) until it
//! is acknowledged, durable (group commit: on disk) against relaxed
//! (acknowledged at once, flushed every 10 ms), for one writer alone and for
//! 64 writers at once, who share each flush.

mod support;

use baedal::domain::order::{Order, OrderEvent};
use baedal::domain::{Event, Timestamp};
use baedal::storage::{keys, Db, Durability, StorageConfig, WriteBatch};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use futures_util::future::join_all;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::LazyLock;
use std::time::Duration;

fn open(durability: Durability) -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = Db::open(&StorageConfig {
        path: dir.path().join("db"),
        durability,
        cache_capacity_bytes: 64 << 20,
    })
    .expect("the database opens");
    (dir, db)
}

/// What one order command writes: its snapshot and its event.
fn command_batch(id: u64) -> WriteBatch {
    static TEMPLATE: LazyLock<Order> = LazyLock::new(|| support::placed_order(1));
    let order = Order {
        id,
        ..TEMPLATE.clone()
    };
    let mut batch = WriteBatch::new();
    batch.put(keys::order(id), &order).expect("encodes");
    batch.append(
        Timestamp::now(),
        Event::Order {
            order_id: id,
            customer_id: order.customer_id.clone(),
            store_id: order.store_id.clone(),
            event: OrderEvent::Accepted {
                cooking_minutes: Some(20),
                ready_by: Some(Timestamp(1_796_052_600_000)),
                estimated_delivery_at: Some(Timestamp(1_796_053_560_000)),
            },
        },
    );
    batch
}

async fn commit_and_wait(db: &Db, id: u64) {
    let ticket = db.commit(command_batch(id)).expect("commits");
    db.acknowledged(ticket).await.expect("acknowledged");
}

fn write_path(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let modes = [
        ("durable", Durability::Durable),
        (
            "relaxed",
            Durability::Relaxed {
                interval: Duration::from_millis(10),
            },
        ),
    ];
    let next = AtomicU64::new(1);
    let mut group = c.benchmark_group("commit until acknowledged");
    for (name, durability) in modes {
        let (_dir, db) = open(durability);
        group.throughput(Throughput::Elements(1));
        group.bench_function(BenchmarkId::new("1 writer", name), |b| {
            b.iter(|| rt.block_on(commit_and_wait(&db, next.fetch_add(1, Ordering::Relaxed))))
        });
        group.throughput(Throughput::Elements(64));
        group.bench_function(BenchmarkId::new("64 writers", name), |b| {
            b.iter(|| {
                rt.block_on(join_all((0..64).map(|_| {
                    let db = &db;
                    let id = next.fetch_add(1, Ordering::Relaxed);
                    async move { commit_and_wait(db, id).await }
                })))
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(4));
    targets = write_path
}
criterion_main!(benches);
