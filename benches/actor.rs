//! One command through an order actor with durable persistence: the whole
//! hot path without HTTP. The registry finds (or starts) the actor, which
//! decides, commits its snapshot and event, and answers once the group
//! commit has the write on disk.

mod support;

use actix::prelude::*;
use baedal::actors::entities::shell::Execute;
use baedal::actors::payment::{PaymentActor, Sandbox, SandboxRules};
use baedal::actors::registry::Env;
use baedal::actors::Registry;
use baedal::domain::access::Principal;
use baedal::domain::order::{Order, OrderCommand};
use baedal::storage::{keys, Db, Durability, StorageConfig, WriteBatch};
use baedal::supervision::{BreakerConfig, Faults, Guard};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use futures_util::future::join_all;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Rig {
    _dir: tempfile::TempDir,
    db: Db,
    registry: Registry,
    _arbiters: Vec<Arbiter>,
    next_id: u64,
}

impl Rig {
    /// Must run inside the actix System.
    fn new(durability: Durability) -> Rig {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db = Db::open(&StorageConfig {
            path: dir.path().join("db"),
            durability,
            cache_capacity_bytes: 64 << 20,
        })
        .expect("the database opens");
        let guard = Guard::new(BreakerConfig::default());
        let sandbox = Sandbox::new(SandboxRules::new(0, None, None), db.clone());
        let payment = PaymentActor::new(std::sync::Arc::new(sandbox), guard.clone()).start();
        let arbiters: Vec<Arbiter> = (0..2).map(|_| Arbiter::new()).collect();
        let env = Env {
            db: db.clone(),
            payment,
            payment_guard: guard,
            faults: Arc::new(Faults::default()),
            checkout_keys: Default::default(),
            retention: Default::default(),
            review_coupon: baedal::domain::wallet::ReviewCoupon {
                amount: 2_000,
                min_order: 10_000,
            },
            limits: Default::default(),
            passivate_after: Duration::from_secs(600),
            mailbox_capacity: 256,
            accept_deadline_secs: 600,
            needs_payment_key: false,
        };
        let registry = Registry::new(env, arbiters.iter().map(|a| a.handle()).collect());
        Rig {
            _dir: dir,
            db,
            registry,
            _arbiters: arbiters,
            next_id: 1,
        }
    }

    /// `n` placed orders on disk, their actors started: not timed.
    async fn placed(&mut self, n: u64) -> Vec<u64> {
        let ids: Vec<u64> = (self.next_id..self.next_id + n).collect();
        self.next_id += n;
        let mut batch = WriteBatch::new();
        for &id in &ids {
            batch
                .put(keys::order(id), &support::placed_order(id))
                .expect("encodes");
        }
        let ticket = self.db.commit(batch).expect("commits");
        self.db.acknowledged(ticket).await.expect("acknowledged");
        for &id in &ids {
            self.registry.actor::<Order>(&id);
        }
        ids
    }

    async fn accept(&self, id: u64) {
        self.registry
            .send(
                &id,
                Execute::<Order>::new(
                    &Principal::System,
                    OrderCommand::Accept {
                        cooking_minutes: None,
                    },
                ),
            )
            .await
            .expect("delivered")
            .expect("accepted");
    }
}

fn order_actor(c: &mut Criterion) {
    let system = System::new();
    let modes = [
        ("durable", Durability::Durable),
        (
            "relaxed",
            Durability::Relaxed {
                interval: Duration::from_millis(10),
            },
        ),
    ];
    let mut group = c.benchmark_group("order actor: Accept until answered");
    for (name, durability) in modes {
        let mut rig = system.block_on(async { Rig::new(durability) });
        group.throughput(Throughput::Elements(1));
        group.bench_function(BenchmarkId::new("one at a time", name), |b| {
            b.iter_custom(|iters| {
                system.block_on(async {
                    let ids = rig.placed(iters).await;
                    let start = Instant::now();
                    for id in ids {
                        rig.accept(id).await;
                    }
                    start.elapsed()
                })
            })
        });
        group.throughput(Throughput::Elements(64));
        group.bench_function(BenchmarkId::new("64 orders at once", name), |b| {
            b.iter_custom(|iters| {
                system.block_on(async {
                    let ids = rig.placed(iters * 64).await;
                    let start = Instant::now();
                    for chunk in ids.chunks(64) {
                        join_all(chunk.iter().map(|&id| rig.accept(id))).await;
                    }
                    start.elapsed()
                })
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(4));
    targets = order_actor
}
criterion_main!(benches);
