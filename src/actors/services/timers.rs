//! The clock of orders' durable timers (`Order::timers`): auto-accept, the
//! store's reminder half-way to the acceptance deadline, and the cancel at
//! the deadline (`NOT_ACCEPTED`, refunded like any cancel).
//!
//! A timer is a key under `keys::ORDER_TIMERS`, ordered by its due time and
//! written or removed by the order's actor in the same commit as the state
//! that has it (`Entity::also_write`). So nothing here holds a timer in
//! memory: after a restart, a passivation or a crash the due ones are
//! simply found on the next tick. Firing sends `OrderCommand::Timer` as the
//! system to the order's actor, which decides from the order itself
//! whether the timer is still due: a timer fired twice (a crash between the
//! command's commit and the next tick) finds nothing left to do.

use crate::actors::entities::shell::Execute;
use crate::actors::Registry;
use crate::domain::access::Principal;
use crate::domain::order::{Order, OrderCommand, OrderTimer};
use crate::domain::{OrderId, Timestamp};
use crate::storage::{keys, WriteBatch};
use futures_util::stream::{self, StreamExt};
use std::time::Duration;

/// How often due timers are looked for: the precision of a deadline.
pub const EVERY: Duration = Duration::from_secs(1);
/// Most timers fired per tick; the rest wait for the next.
const PER_TICK: usize = 1024;
/// Timers fired at once (each waits for its order's commit).
const IN_FLIGHT: usize = 32;

/// Starts the clock on the current arbiter.
pub fn spawn(registry: Registry) {
    actix_rt::spawn(async move {
        let mut ticks = tokio::time::interval(EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            // Storage that refuses writes can fire nothing, and after an
            // I/O error a scan may wait forever inside sled.
            if registry.env().db.failure().is_some() {
                continue;
            }
            let fired = fire_due(&registry, Timestamp::now()).await;
            if fired > 0 {
                tracing::debug!(fired, "order timers fired");
            }
        }
    });
}

/// Fires every timer due at `now` (up to [`PER_TICK`]); answers how many.
pub async fn fire_due(registry: &Registry, now: Timestamp) -> usize {
    let db = &registry.env().db;
    let mut due: Vec<(Vec<u8>, OrderId, OrderTimer)> = Vec::new();
    for entry in db.scan::<OrderTimer>(keys::ORDER_TIMERS) {
        // One unreadable timer must not stop every other.
        let (key, timer) = match entry {
            Ok(entry) => entry,
            Err(e) => {
                tracing::error!(error = %e, "an order timer cannot be read; skipped");
                continue;
            }
        };
        let Some((at, id)) = keys::order_timer_parts(&key) else {
            continue;
        };
        if at > now || due.len() == PER_TICK {
            break;
        }
        due.push((key, id, timer));
    }
    let fired = due.len();
    stream::iter(due)
        .for_each_concurrent(IN_FLIGHT, |(key, id, timer)| fire(registry, key, id, timer))
        .await;
    fired
}

/// Fires one timer. A failure (storage, a stopped actor) leaves its key, so
/// the next tick tries again; a key its order no longer has (the order
/// moved on without removing it) is removed.
async fn fire(registry: &Registry, key: Vec<u8>, id: OrderId, timer: OrderTimer) {
    let cmd = Execute::<Order>::new(&Principal::System, OrderCommand::Timer(timer));
    let outcome = match registry.send(&id, cmd).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(e)) => return tracing::warn!(order = id, ?timer, error = %e, "timer not fired"),
        Err(e) => return tracing::warn!(order = id, ?timer, error = %e, "timer not fired"),
    };
    if outcome.state.timers().iter().any(|(_, t)| *t == timer) {
        return;
    }
    let db = &registry.env().db;
    if db.contains(&key).unwrap_or(false) {
        let mut batch = WriteBatch::new();
        batch.remove(key);
        if let Err(e) = db.commit(batch) {
            tracing::warn!(order = id, ?timer, error = %e, "stale timer not removed");
        }
    }
}
