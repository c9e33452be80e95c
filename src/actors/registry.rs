//! Routes messages to entity actors by kind and id, starting or rehydrating
//! them on demand, spread over one arbiter per core.
//!
//! Live addresses sit in DashMaps, so the hot path takes a shard read lock
//! and never queues behind a registry mailbox. An actor that passivates
//! removes its own entry; a message that reaches it as it stops comes back
//! as `Closed` and is re-sent to a fresh actor (it was never handled).

use crate::actors::entities::customer::CustomerActor;
use crate::actors::entities::order::OrderActor;
use crate::actors::entities::rider::RiderActor;
use crate::actors::entities::store::StoreActor;
use crate::actors::payment::PaymentActor;
use crate::actors::services::checkout::KeyLocks;
use crate::domain::OrderId;
use crate::error::{AppError, AppResult};
use crate::storage::Db;
use crate::supervision::{Faults, Guard};
use actix::dev::ToEnvelope;
use actix::prelude::*;
use dashmap::mapref::entry::Entry;
use dashmap::DashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

/// What entity actors need from their surroundings.
#[derive(Clone)]
pub struct Env {
    pub db: Db,
    pub payment: Addr<PaymentActor>,
    /// The payment circuit breaker, to refuse early while it is open.
    pub payment_guard: Guard,
    /// Injected faults (`--chaos`).
    pub faults: Arc<Faults>,
    /// What the coupon a review earns is worth.
    pub review_coupon: crate::domain::Won,
    /// Locks of the `Idempotency-Key`s being used right now.
    pub checkout_keys: Arc<KeyLocks>,
    pub passivate_after: Duration,
    pub mailbox_capacity: usize,
}

struct Inner {
    env: Env,
    arbiters: Vec<ArbiterHandle>,
    orders: DashMap<OrderId, Addr<OrderActor>>,
    stores: DashMap<String, Addr<StoreActor>>,
    riders: DashMap<String, Addr<RiderActor>>,
    customers: DashMap<String, Addr<CustomerActor>>,
}

/// The registry. Cheap to clone.
#[derive(Clone)]
pub struct Registry {
    inner: Arc<Inner>,
}

/// How many times a message is re-sent to a fresh actor after it met one
/// that was stopping.
const ATTEMPTS: usize = 3;

impl Registry {
    /// A registry whose actors run on `arbiters` (at least one).
    pub fn new(env: Env, arbiters: Vec<ArbiterHandle>) -> Self {
        assert!(
            !arbiters.is_empty(),
            "the registry needs at least one arbiter"
        );
        Registry {
            inner: Arc::new(Inner {
                env,
                arbiters,
                orders: DashMap::new(),
                stores: DashMap::new(),
                riders: DashMap::new(),
                customers: DashMap::new(),
            }),
        }
    }

    pub fn env(&self) -> &Env {
        &self.inner.env
    }

    fn arbiter_for<K: Hash>(&self, key: &K) -> &ArbiterHandle {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        key.hash(&mut h);
        let n = self.inner.arbiters.len();
        &self.inner.arbiters[(h.finish() % n as u64) as usize]
    }

    /// The live actor for an order, started (and loaded from disk) if needed.
    pub fn order(&self, id: OrderId) -> Addr<OrderActor> {
        let (env, registry) = (self.inner.env.clone(), self.clone());
        let arbiter = self.arbiter_for(&id).clone();
        live_or_start(&self.inner.orders, id, || {
            OrderActor::start_in_arbiter(&arbiter, move |ctx| {
                OrderActor::load(id, env, registry, ctx)
            })
        })
    }

    pub fn store(&self, id: &str) -> Addr<StoreActor> {
        let (env, registry, key) = (self.inner.env.clone(), self.clone(), id.to_string());
        let arbiter = self.arbiter_for(&id).clone();
        live_or_start(&self.inner.stores, key.clone(), || {
            StoreActor::start_in_arbiter(&arbiter, move |ctx| {
                StoreActor::load(key, env, registry, ctx)
            })
        })
    }

    pub fn rider(&self, id: &str) -> Addr<RiderActor> {
        let (registry, key) = (self.clone(), id.to_string());
        let arbiter = self.arbiter_for(&id).clone();
        let env = self.inner.env.clone();
        live_or_start(&self.inner.riders, key.clone(), || {
            RiderActor::start_in_arbiter(&arbiter, move |ctx| {
                RiderActor::new(key, env, registry, ctx)
            })
        })
    }

    pub fn customer(&self, id: &str) -> Addr<CustomerActor> {
        let (registry, key) = (self.clone(), id.to_string());
        let arbiter = self.arbiter_for(&id).clone();
        let env = self.inner.env.clone();
        live_or_start(&self.inner.customers, key.clone(), || {
            CustomerActor::start_in_arbiter(&arbiter, move |ctx| {
                CustomerActor::new(key, env, registry, ctx)
            })
        })
    }

    pub async fn send_customer<M>(&self, id: &str, msg: M) -> AppResult<M::Result>
    where
        M: Message + Send + Clone + 'static,
        M::Result: Send,
        CustomerActor: Handler<M>,
    {
        retry_closed(|| self.customer(id), msg).await
    }

    pub fn forget_customer(&self, id: &str, addr: &Addr<CustomerActor>) {
        self.inner.customers.remove_if(id, |_, a| a == addr);
    }

    /// Sends to an order's actor, re-sending once it met a stopping actor.
    pub async fn send_order<M>(&self, id: OrderId, msg: M) -> AppResult<M::Result>
    where
        M: Message + Send + Clone + 'static,
        M::Result: Send,
        OrderActor: Handler<M>,
    {
        retry_closed(|| self.order(id), msg).await
    }

    pub async fn send_store<M>(&self, id: &str, msg: M) -> AppResult<M::Result>
    where
        M: Message + Send + Clone + 'static,
        M::Result: Send,
        StoreActor: Handler<M>,
    {
        retry_closed(|| self.store(id), msg).await
    }

    pub async fn send_rider<M>(&self, id: &str, msg: M) -> AppResult<M::Result>
    where
        M: Message + Send + Clone + 'static,
        M::Result: Send,
        RiderActor: Handler<M>,
    {
        retry_closed(|| self.rider(id), msg).await
    }

    /// Called by a passivating actor: forget it, unless already replaced.
    pub fn forget_order(&self, id: OrderId, addr: &Addr<OrderActor>) {
        self.inner.orders.remove_if(&id, |_, a| a == addr);
    }

    pub fn forget_store(&self, id: &str, addr: &Addr<StoreActor>) {
        self.inner.stores.remove_if(id, |_, a| a == addr);
    }

    pub fn forget_rider(&self, id: &str, addr: &Addr<RiderActor>) {
        self.inner.riders.remove_if(id, |_, a| a == addr);
    }

    /// How many entity actors are live (orders, stores, riders).
    pub fn live(&self) -> (usize, usize, usize) {
        (
            self.inner.orders.len(),
            self.inner.stores.len(),
            self.inner.riders.len(),
        )
    }
}

/// The connected address under `key`, or a new actor put there. The entry
/// lock is held while starting, so two callers never start two actors for
/// one entity.
fn live_or_start<K, A>(
    map: &DashMap<K, Addr<A>>,
    key: K,
    start: impl FnOnce() -> Addr<A>,
) -> Addr<A>
where
    K: Hash + Eq,
    A: Actor,
{
    if let Some(addr) = map.get(&key) {
        if addr.connected() {
            return addr.clone();
        }
    }
    match map.entry(key) {
        Entry::Occupied(e) if e.get().connected() => e.get().clone(),
        Entry::Occupied(mut e) => {
            let addr = start();
            e.insert(addr.clone());
            addr
        }
        Entry::Vacant(e) => e.insert(start()).clone(),
    }
}

async fn retry_closed<A, M>(addr: impl Fn() -> Addr<A>, msg: M) -> AppResult<M::Result>
where
    A: Actor + Handler<M>,
    A::Context: ToEnvelope<A, M>,
    M: Message + Send + Clone + 'static,
    M::Result: Send,
{
    let mut last = MailboxError::Closed;
    for _ in 0..ATTEMPTS {
        match addr().send(msg.clone()).await {
            Ok(result) => return Ok(result),
            Err(e @ MailboxError::Closed) => last = e,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::from(last))
}
