//! Routes messages to entity actors by kind and id, starting or rehydrating
//! them on demand, spread over one arbiter per core.
//!
//! Live addresses sit in DashMaps, so the hot path takes a shard read lock
//! and never queues behind a registry mailbox. An actor that passivates
//! removes its own entry; a message that reaches it as it stops comes back
//! as `Closed` and is re-sent to a fresh actor (it was never handled).

use crate::actors::entities::shell::{Entity, EntityActor, EntityMessage};
use crate::actors::payment::PaymentActor;
use crate::actors::services::checkout::KeyLocks;
use crate::domain::account::Account;
use crate::domain::order::Order;
use crate::domain::rider::Rider;
use crate::domain::store::Store;
use crate::domain::wallet::Wallet;
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
    pub review_coupon: crate::domain::wallet::ReviewCoupon,
    /// What one order may cost, and how often it may be revised.
    pub limits: crate::domain::limits::OrderLimits,
    /// Locks of the `Idempotency-Key`s being used right now.
    pub checkout_keys: Arc<KeyLocks>,
    /// How long an `Idempotency-Key` answers retries, and the rest of what
    /// is kept only a while.
    pub retention: crate::domain::retention::Retention,
    pub passivate_after: Duration,
    pub mailbox_capacity: usize,
    /// Seconds a store that set no deadline has to accept an order
    /// (`--accept-deadline-secs`).
    pub accept_deadline_secs: u32,
    /// The payment gateway approves only what the customer authorized in
    /// its widget: checkouts must bring a `paymentKey` (`--payment-gateway
    /// toss`).
    pub needs_payment_key: bool,
}

/// The live entity actors, by kind and id.
#[derive(Default)]
pub struct Directory {
    pub(crate) orders: DashMap<OrderId, Addr<EntityActor<Order>>>,
    pub(crate) stores: DashMap<String, Addr<EntityActor<Store>>>,
    pub(crate) riders: DashMap<String, Addr<EntityActor<Rider>>>,
    pub(crate) customers: DashMap<String, Addr<EntityActor<Wallet>>>,
    pub(crate) accounts: DashMap<String, Addr<EntityActor<Account>>>,
}

struct Inner {
    env: Env,
    arbiters: Vec<ArbiterHandle>,
    live: Directory,
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
                live: Directory::default(),
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

    /// The live actor of an entity, started (and loaded from disk) if
    /// needed, on the arbiter its id hashes to.
    pub fn actor<E: Entity>(&self, id: &E::Id) -> Addr<EntityActor<E>> {
        live_or_start(E::live(&self.inner.live), id, || {
            // Only when none is live: what a new actor needs.
            let (env, registry, key) = (self.inner.env.clone(), self.clone(), id.clone());
            EntityActor::<E>::start_in_arbiter(self.arbiter_for(id), move |ctx| {
                EntityActor::load(key, env, registry, ctx)
            })
        })
    }

    /// Sends to the actor of the entity `id` of the message's kind,
    /// re-sending while it meets an actor that was stopping.
    pub async fn send<M>(
        &self,
        id: &<M::Entity as crate::domain::aggregate::Aggregate>::Id,
        msg: M,
    ) -> AppResult<M::Result>
    where
        M: EntityMessage,
        M::Result: Send,
        EntityActor<M::Entity>: Handler<M>,
        <EntityActor<M::Entity> as Actor>::Context: ToEnvelope<EntityActor<M::Entity>, M>,
    {
        retry_closed(|| self.actor::<M::Entity>(id), msg).await
    }

    /// Called by a passivating actor: forget it, unless already replaced.
    pub fn forget<E: Entity>(&self, id: &E::Id, addr: &Addr<EntityActor<E>>) {
        E::live(&self.inner.live).remove_if(id, |_, a| a == addr);
    }

    /// How many entity actors are live (orders, stores, riders).
    pub fn live(&self) -> (usize, usize, usize) {
        let live = &self.inner.live;
        (live.orders.len(), live.stores.len(), live.riders.len())
    }
}

/// The connected address under `key`, or a new actor put there. The entry
/// lock is held while starting, so two callers never start two actors for
/// one entity.
fn live_or_start<K, A>(
    map: &DashMap<K, Addr<A>>,
    key: &K,
    start: impl FnOnce() -> Addr<A>,
) -> Addr<A>
where
    K: Hash + Eq + Clone,
    A: Actor,
{
    if let Some(addr) = map.get(key) {
        if addr.connected() {
            return addr.clone();
        }
    }
    match map.entry(key.clone()) {
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
